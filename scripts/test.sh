#!/usr/bin/env bash
# The whole mlguard test suite, on a fresh machine: installs what the tests need (moto's
# AWS emulator in a project-local virtualenv), then runs every test, the moto-backed
# integration tests included.
#
#   scripts/test.sh                 # everything
#   scripts/test.sh --test scan     # extra arguments go to `cargo test`
#
# Environment: MLGUARD_VENV (default .venv) is where moto goes, MLGUARD_NODE_DIR (default
# .node) where the SARIF validator goes; CARGO_TARGET_DIR as usual.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION="5.2.5"
SARIF_MULTITOOL_VERSION="5.7.0"
VENV="${MLGUARD_VENV:-$PWD/.venv}"

if ! "$VENV/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    echo "==> installing moto[server]==$MOTO_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi
export MLGUARD_MOTO_SERVER="$VENV/bin/moto_server"
export MLGUARD_PYTHON="$VENV/bin/python"

# Microsoft's SARIF validator, for the SARIF reports (tests/sarif.rs).
NODE_DIR="${MLGUARD_NODE_DIR:-$PWD/.node}"
MULTITOOL="$NODE_DIR/node_modules/@microsoft/sarif-multitool"
if [ ! -f "$MULTITOOL/bin.js" ]; then
    echo "==> installing @microsoft/sarif-multitool into $NODE_DIR"
    mkdir -p "$NODE_DIR"
    (cd "$NODE_DIR" && npm install --no-audit --no-fund --silent "@microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION")
fi
export MLGUARD_SARIF_MULTITOOL="$MULTITOOL"

echo "==> cargo test (all features, moto at $MLGUARD_MOTO_SERVER)"
cargo test --all-targets "$@"
