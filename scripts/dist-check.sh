#!/usr/bin/env bash
# Builds this machine's release archive the way the release workflow does (`dist build`, with
# `cargo auditable` and the CycloneDX SBOM), then checks what a user downloads: the checksum,
# the archive's contents, the dependency list embedded in the binary, the SBOM, and the
# binary itself: `mlguard --version` and the README's lab audit, run from the unpacked archive
# outside the repository (the policies are embedded). Not part of CI: a release build takes
# 17-28 minutes on a 2-core machine.
#
#   scripts/dist-check.sh
#
# Needs dist, cargo-auditable and cargo-cyclonedx, pinned: they are installed (--locked) into
# $MLGUARD_DIST_TOOLS (default ~/.cache/mlguard/dist-tools) unless already there.
set -euo pipefail
cd "$(dirname "$0")/.."

DIST_VERSION="$(sed -n 's/^cargo-dist-version = "\(.*\)"/\1/p' dist-workspace.toml)"
CARGO_AUDITABLE_VERSION="0.7.7"
CARGO_CYCLONEDX_VERSION="0.5.9"
TOOLS="${MLGUARD_DIST_TOOLS:-$HOME/.cache/mlguard/dist-tools}"
export PATH="$TOOLS/bin:$PATH"

start=$(date +%s)
step() { echo "==> [dist-check $(( $(date +%s) - start ))s] $*"; }

install_tool() { # crate version
    if ! cargo install --list --root "$TOOLS" 2>/dev/null | grep -q "^$1 v$2:"; then
        step "installing $1 $2 into $TOOLS"
        env -u CARGO_TARGET_DIR cargo install --quiet --locked --root "$TOOLS" "$1" --version "$2"
    fi
}
install_tool cargo-dist "$DIST_VERSION"
install_tool cargo-auditable "$CARGO_AUDITABLE_VERSION"
install_tool cargo-cyclonedx "$CARGO_CYCLONEDX_VERSION"

target="$(rustc -vV | sed -n 's/^host: //p')"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)"
distrib="target/distrib"
archive="$distrib/mlguard-$target.tar.xz"
rm -f "$archive" "$archive.sha256"

step "dist build --artifacts=local --target $target (cargo auditable, profile dist)"
build_start=$(date +%s)
dist build --artifacts=local --target "$target"
build_secs=$(( $(date +%s) - build_start ))
step "built in ${build_secs}s"

step "the SBOM, as the release workflow makes it (cargo cyclonedx)"
cargo cyclonedx -v
mv mlguard.cdx.xml "$distrib/mlguard.cdx.xml"
for component in regorus serde_json aws-sdk-s3 aws-config; do
    grep -q "<name>$component</name>" "$distrib/mlguard.cdx.xml" \
        || { echo "error: the SBOM lists no $component"; exit 1; }
done

step "checksum"
(cd "$distrib" && sha256sum --check --strict "mlguard-$target.tar.xz.sha256")

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -xJf "$archive" -C "$work"
step "archive contents"
(cd "$work" && find . -type f | sort)
bin="$work/mlguard-$target/mlguard"
[ -x "$bin" ] || { echo "error: $archive has no mlguard-$target/mlguard"; exit 1; }
[ -f "$work/mlguard-$target/README.md" ] || { echo "error: $archive has no README.md"; exit 1; }

step "the dependency list cargo auditable embedded (.dep-v0)"
objcopy --dump-section .dep-v0="$work/dep-v0" "$bin"
python3 - "$work/dep-v0" <<'PY'
import json, sys, zlib
deps = json.loads(zlib.decompress(open(sys.argv[1], "rb").read()))
names = {p["name"] for p in deps["packages"]}
missing = {"mlguard", "regorus", "aws-sdk-s3", "aws-config"} - names
if missing:
    sys.exit(f"error: the embedded dependency list lacks {sorted(missing)}")
print(f"{len(deps['packages'])} packages embedded")
PY

step "mlguard --version"
got="$("$bin" --version)"
echo "$got"
[ "$got" = "mlguard $version" ] || { echo "error: expected mlguard $version"; exit 1; }

step "the README's lab audit, from the archive, outside the repository"
cp fixtures/lab-insecure.json fixtures/lab-hardened.json "$work/"
code=0
(cd "$work" && "$bin" audit lab-insecure.json --no-config) || code=$?
[ "$code" = 1 ] || { echo "error: the insecure lab should fail (exit 1), got $code"; exit 1; }
(cd "$work" && "$bin" audit lab-hardened.json --no-config --format json --fail-on low) > "$work/hardened.json"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['summary']['failed']==0 and r['scores']['overall']==100, r['summary']" "$work/hardened.json"

step "ok: $archive ($(du -h "$archive" | cut -f1), binary $(du -h "$bin" | cut -f1)), dist build ${build_secs}s"
