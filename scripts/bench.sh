#!/usr/bin/env bash
# mlguard's pipeline benchmark (docs/performance.md): generates snapshots of 1k, 10k and
# 100k resources per kind, and prints, for each, load + normalize, evaluation of the
# built-in catalogue, suppression tags, every report format, the per-resource costs, the
# peak RSS and the JSON size. Exits 1 when a target does not hold:
#   - evaluation per resource at the largest size within 1.25x of that at the smallest;
#   - peak RSS at the largest size at most 2.5x the snapshot's JSON size.
#
#   scripts/bench.sh                         # 1k, 10k, 100k (about 9 minutes on 2 cores)
#   scripts/bench.sh --quick                 # 1k, 10k (about 2 minutes)
#   scripts/bench.sh --opa                   # also OPA on the same policies and input (1k only)
#   scripts/bench.sh --sizes 1000,5000       # other sizes; any option of the bench binary
#
# The pure core only (no AWS SDK): `cargo bench --no-default-features --bench pipeline`.
set -euo pipefail
cd "$(dirname "$0")/.."

args=(--check)
for a in "$@"; do
    case "$a" in
        --quick) args+=(--sizes 1000,10000) ;;
        *) args+=("$a") ;;
    esac
done
exec cargo bench --no-default-features --bench pipeline -- "${args[@]}"
