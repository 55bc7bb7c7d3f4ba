#!/usr/bin/env bash
# The organization benchmark (docs/performance.md, "Organizations"): on moto, MEMBERS (50)
# lab-sized member accounts (tests/org_seed.py --lab: a bucket, an open security group, a KMS
# key and an over-privileged SageMaker role each, plus the member role from
# deploy/member-role.yaml), then
#   1. `org scan` of all of them at the default --max-accounts, wall time and peak RSS;
#   2. the same accounts as MEMBERS sequential `scan --role-arn` runs (the shell loop people
#      write today), total wall time;
#   3. `org scan` of the first 10 accounts, peak RSS (to compare with 1: memory must not
#      grow with the number of accounts).
#
#   MLGUARD_MOTO_SERVER=... MLGUARD_PYTHON=... benches/org.sh [path/to/mlguard]
#
# Not a test: it prints figures. moto (one Python process) is the bottleneck it measures
# against, so the speed-up is bounded by moto's request rate, not by mlguard.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-${CARGO_TARGET_DIR:-$root/target}/release/mlguard}
members=${MEMBERS:-50}
moto_server=${MLGUARD_MOTO_SERVER:?set MLGUARD_MOTO_SERVER (scripts/test.sh installs moto)}
python=${MLGUARD_PYTHON:?set MLGUARD_PYTHON (moto virtualenv python, with boto3)}
[[ -x $bin ]] || { echo "no mlguard binary at $bin: cargo build --release, or pass its path" >&2; exit 2; }

work=$(mktemp -d)
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
MOTO_IAM_LOAD_MANAGED_POLICIES=false MOTO_EC2_LOAD_DEFAULT_AMIS=false \
  "$moto_server" -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null; rm -rf "$work"' EXIT
endpoint="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$endpoint/moto-api/" >/dev/null 2>&1 && break; sleep 0.1; done

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE="$work/none" AWS_SHARED_CREDENTIALS_FILE="$work/none"
hub=arn:aws:iam::123456789012:role/mlguard-hub
external_id=mlguard-bench

echo "seeding $members lab-sized accounts..." >&2
"$python" "$root/tests/org_seed.py" "$endpoint" "$members" "$hub" "$external_id" \
  "$root/deploy/member-role.yaml" --lab >"$work/seed.json"
mapfile -t ids < <("$python" -c 'import json,sys; [print(m["id"]) for m in json.load(open(sys.argv[1]))["members"]]' "$work/seed.json")
"$bin" org plan --accounts "$(IFS=,; echo "${ids[*]}")" -o "$work/all.json" 2>/dev/null
"$bin" org plan --accounts "$(IFS=,; echo "${ids[*]:0:10}")" -o "$work/ten.json" 2>/dev/null

# Wall seconds and peak RSS (KiB) of one command.
measure() {
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || {
    code=$?; [[ $code == 1 ]] || { cat "$work/stderr" >&2; exit "$code"; }
  }
  cat "$work/time"
}
org_scan() {
  measure "$bin" org scan --manifest "$1" --member-role mlguard-scan --external-id "$external_id" \
    --out "$work/$2" --endpoint-url "$endpoint" --regions us-east-1 --fail-on none --quiet
}

read -r org_wall org_rss < <(org_scan "$work/all.json" out-all)
read -r ten_wall ten_rss < <(org_scan "$work/ten.json" out-ten)
ok=$(grep -l '"status": "ok"' "$work"/out-all/accounts/*/status.json | wc -l)

start=$(date +%s.%N)
seq_rss=0
for id in "${ids[@]}"; do
  read -r _ rss < <(measure "$bin" scan --role-arn "arn:aws:iam::$id:role/mlguard-scan" \
    --external-id "$external_id" --endpoint-url "$endpoint" --regions us-east-1 --format json \
    --fail-on none --quiet)
  (( rss > seq_rss )) && seq_rss=$rss
done
seq_wall=$(echo "$(date +%s.%N) - $start" | bc)

printf '%-52s %10s %12s\n' "run" "wall (s)" "peak RSS (MiB)"
printf '%-52s %10.1f %12.1f\n' "org scan, $members accounts (--max-accounts 8), $ok ok" "$org_wall" "$(echo "$org_rss/1024" | bc -l)"
printf '%-52s %10.1f %12.1f\n' "org scan, 10 accounts" "$ten_wall" "$(echo "$ten_rss/1024" | bc -l)"
printf '%-52s %10.1f %12.1f\n' "$members sequential scan --role-arn runs (max of one)" "$seq_wall" "$(echo "$seq_rss/1024" | bc -l)"
printf 'speed-up: %.1fx; RSS %s vs 10 accounts: %.2fx\n' "$(echo "$seq_wall/$org_wall" | bc -l)" "$members" "$(echo "$org_rss/$ten_rss" | bc -l)"
