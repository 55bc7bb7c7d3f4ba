#!/usr/bin/env bash
# The whole mlguard test suite, on a fresh machine: installs what the tests need (moto's
# AWS emulator in a project-local virtualenv, Microsoft's SARIF validator, and headless
# Chromium with playwright-core for the HTML report), then runs the tests: the offline core's
# without default features (no AWS SDK), then every test in the AWS build, the moto-backed
# integration tests included.
#
#   scripts/test.sh                         # everything
#   scripts/test.sh --test it org_merge::   # extra arguments go to `cargo test` (AWS build only)
#
# Environment: MLGUARD_VENV (default .venv) is where moto goes, MLGUARD_NODE_DIR (default
# .node) where the SARIF validator goes; CARGO_TARGET_DIR as usual.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION="5.2.5"
SARIF_MULTITOOL_VERSION="5.7.0"
PLAYWRIGHT_CORE_VERSION="1.65.1"
VENV="${MLGUARD_VENV:-$PWD/.venv}"

if ! "$VENV/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    echo "==> installing moto[server]==$MOTO_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi
export MLGUARD_MOTO_SERVER="$VENV/bin/moto_server"
export MLGUARD_PYTHON="$VENV/bin/python"

# Microsoft's SARIF validator, for the SARIF reports (tests/it/sarif.rs).
NODE_DIR="${MLGUARD_NODE_DIR:-$PWD/.node}"
MULTITOOL="$NODE_DIR/node_modules/@microsoft/sarif-multitool"
if [ ! -f "$MULTITOOL/bin.js" ]; then
    echo "==> installing @microsoft/sarif-multitool into $NODE_DIR"
    mkdir -p "$NODE_DIR"
    (cd "$NODE_DIR" && npm install --no-audit --no-fund --silent --save-exact "@microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION")
fi
export MLGUARD_SARIF_MULTITOOL="$MULTITOOL"

# Headless Chromium (Debian's package) driven by playwright-core, for the HTML report
# (tests/it/html.rs). Playwright's own browser download is never used.
if [ ! -x /usr/bin/chromium ]; then
    echo "==> installing chromium (apt)"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
installed_playwright() {
    node -p "require('$NODE_DIR/node_modules/playwright-core/package.json').version" 2>/dev/null || true
}
if [ "$(installed_playwright)" != "$PLAYWRIGHT_CORE_VERSION" ]; then
    echo "==> installing playwright-core@$PLAYWRIGHT_CORE_VERSION into $NODE_DIR"
    mkdir -p "$NODE_DIR"
    (cd "$NODE_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --silent --save-exact "playwright-core@$PLAYWRIGHT_CORE_VERSION")
fi
export MLGUARD_NODE_DIR="$NODE_DIR"

# The offline core, the build without the AWS SDK (`--no-default-features`), so it cannot rot:
# its unit tests and the integration tests (tests/it/main.rs leaves out the modules that need
# AWS). Skipped here: modules that test code compiled the same in both builds and that the
# AWS build below runs anyway (the engine: differential, strategies; the report bytes through
# Microsoft's validator and a browser: sarif, html).
if [ $# -eq 0 ]; then
    echo "==> cargo test --no-default-features (offline core)"
    cargo test --no-default-features --lib --bins
    cargo test --no-default-features --test it -- \
        --skip differential:: --skip strategies:: --skip sarif:: --skip html::
fi

echo "==> cargo test (all features, moto at $MLGUARD_MOTO_SERVER)"
cargo test --all-targets "$@"
