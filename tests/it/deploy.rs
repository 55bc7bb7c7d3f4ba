//! The reference deployments in deploy/ (and the Dockerfile, and the org commands in
//! docs/deploy.md), checked for what their validators cannot know: every `mlguard org`
//! command line uses only flags `org scan` / `org merge` accept; shard counts agree with the
//! engines' own counts; the CloudFormation template embeds exactly the state machine file that
//! asl-validator checks, with every substitution defined; the hub role holds no more than it
//! needs; the image runs mlguard as a non-root user with no shell, on digest-pinned bases.
//! The validators themselves run in scripts/validate-deploy.sh.

use crate::common::root;
use crate::common::{self, actions};
use serde_json::Value as Json;
use serde_yaml::Value;
use std::collections::BTreeSet;
use std::fs;

/// The long flags a subcommand accepts, from `mlguard org SUB --help`.
fn accepted_flags(sub: &str) -> (BTreeSet<String>, &'static str) {
    let out = common::mlguard()
        .args(["org", sub, "--help"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "mlguard org {sub} --help failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let help = String::from_utf8_lossy(&out.stdout).to_string();
    let flags = help
        .split(|c: char| c.is_whitespace() || c == ',' || c == '[' || c == ']' || c == '=')
        .filter(|w| w.starts_with("--") && w.len() > 2)
        .map(|w| w.trim_end_matches(['.', ')', ':']).to_string())
        .collect();
    (flags, "mlguard org --help")
}

/// One `mlguard org SUB ...` invocation found in a deployment file.
struct Invocation {
    file: String,
    args: Vec<String>,
}

impl Invocation {
    fn sub(&self) -> &str {
        assert_eq!(self.args[0], "org", "{}: {:?}", self.file, self.args);
        &self.args[1]
    }

    fn flags(&self) -> Vec<String> {
        self.args
            .iter()
            .filter(|a| a.starts_with("--"))
            .map(|a| a.split('=').next().unwrap_or(a).to_string())
            .collect()
    }

    fn value_of(&self, flag: &str) -> Option<&str> {
        let i = self.args.iter().position(|a| a == flag)?;
        self.args.get(i + 1).map(String::as_str)
    }
}

fn read(path: &str) -> String {
    fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn yaml_docs(path: &str) -> Vec<Value> {
    serde_yaml::Deserializer::from_str(&read(path))
        .map(|d| serde::Deserialize::deserialize(d).unwrap_or_else(|e| panic!("{path}: {e}")))
        .collect()
}

fn state_machine() -> Json {
    serde_json::from_str(&read(ASL)).expect("the state machine is JSON")
}

const ASL: &str = "deploy/stepfunctions/state-machine.asl.json";
const TEMPLATE: &str = "deploy/stepfunctions/org-scan.yaml";
const SCAN_JOB: &str = "deploy/kubernetes/org-scan-job.yaml";
const MERGE_JOB: &str = "deploy/kubernetes/org-merge-job.yaml";
const WORKFLOW: &str = "deploy/github-actions/org-scan.yml";

/// The string literals of an intrinsic function call, in order (`'org', 'scan', $.x` gives
/// `org`, `scan`): the constant arguments of `States.Array(...)`.
fn literals(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for c in expr.chars() {
        match (&mut current, c) {
            (None, '\'') => current = Some(String::new()),
            (Some(_), '\'') => out.extend(current.take()),
            (Some(s), c) => s.push(c),
            _ => {}
        }
    }
    out
}

/// Every ECS container command of the state machine, as the literal words of States.Array
/// with each dynamic argument shown as `$`.
fn state_machine_invocations() -> Vec<Invocation> {
    fn walk(v: &Json, out: &mut Vec<Invocation>) {
        match v {
            Json::Object(map) => {
                if let Some(Json::String(expr)) = map.get("Command.$") {
                    let inner = expr
                        .strip_prefix("States.Array(")
                        .and_then(|e| e.strip_suffix(')'))
                        .expect("Command.$ is States.Array(...)");
                    // Split at top-level commas: literals stay, anything else is a value.
                    let mut args = Vec::new();
                    let mut depth = 0;
                    let mut quoted = false;
                    let mut arg = String::new();
                    for c in inner.chars() {
                        match c {
                            '\'' => quoted = !quoted,
                            '(' if !quoted => depth += 1,
                            ')' if !quoted => depth -= 1,
                            ',' if !quoted && depth == 0 => {
                                args.push(std::mem::take(&mut arg));
                                continue;
                            }
                            _ => {}
                        }
                        arg.push(c);
                    }
                    args.push(arg);
                    let args = args
                        .iter()
                        .map(|a| {
                            let a = a.trim();
                            match (a.starts_with('\''), literals(a).as_slice()) {
                                (true, [only]) => only.clone(),
                                _ => "$".to_string(),
                            }
                        })
                        .collect();
                    out.push(Invocation {
                        file: ASL.into(),
                        args,
                    });
                }
                map.values().for_each(|v| walk(v, out));
            }
            Json::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(&state_machine(), &mut out);
    out
}

fn kubernetes_invocations() -> Vec<Invocation> {
    let mut out = Vec::new();
    for file in [SCAN_JOB, MERGE_JOB] {
        for doc in yaml_docs(file) {
            if doc["kind"] != "Job" {
                continue;
            }
            for c in doc["spec"]["template"]["spec"]["containers"]
                .as_sequence()
                .expect("containers")
            {
                let args = c["args"]
                    .as_sequence()
                    .expect("args")
                    .iter()
                    .map(|a| a.as_str().expect("string arg").to_string())
                    .collect();
                out.push(Invocation {
                    file: file.into(),
                    args,
                });
            }
        }
    }
    out
}

/// `mlguard org ...` lines of `run:` steps and of shell blocks in the docs (continuations
/// joined, quotes dropped: `"$SHARD/$SHARDS"` is one word).
fn shell_invocations(file: &str, text: &str) -> Vec<Invocation> {
    let mut out = Vec::new();
    for line in actions::shell_lines(text) {
        let words: Vec<String> = line
            .split_whitespace()
            .map(|w| w.trim_matches('"').to_string())
            .collect();
        if let Some(i) = words.iter().position(|w| w == "mlguard")
            && words.get(i + 1).map(String::as_str) == Some("org")
            && words.len() > i + 2
        {
            out.push(Invocation {
                file: file.into(),
                args: words[i + 1..].to_vec(),
            });
        }
    }
    out
}

fn workflow() -> Value {
    yaml_docs(WORKFLOW).remove(0)
}

fn workflow_invocations() -> Vec<Invocation> {
    actions::steps_of(&workflow())
        .iter()
        .filter_map(|s| s["run"].as_str())
        .flat_map(|run| shell_invocations(WORKFLOW, run))
        .collect()
}

/// The arguments the action passes to mlguard for the workflow's org-merge step: its own
/// script, run with a recorder in place of mlguard.
fn action_invocations() -> Vec<Invocation> {
    let dir = tempfile::tempdir().expect("tempdir");
    let recorder = dir.path().join("record-args");
    let log = dir.path().join("args");
    fs::write(
        &recorder,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\n",
            log.to_str().expect("utf-8")
        ),
    )
    .expect("write recorder");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&recorder, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let mut out = Vec::new();
    for step in actions::steps_of(&workflow()) {
        if !actions::uses_action(&step) || step["with"]["command"] != "org-merge" {
            continue;
        }
        let with = step["with"].as_mapping().cloned().expect("with");
        let run = actions::run_action_with(dir.path(), &with, &recorder);
        assert_eq!(run.status, Some(0), "{}", run.log);
        let args = fs::read_to_string(&log)
            .expect("the action ran mlguard")
            .lines()
            .map(str::to_string)
            .collect();
        out.push(Invocation {
            file: format!("{WORKFLOW} (through action.yml)"),
            args,
        });
    }
    out
}

fn docs_invocations() -> Vec<Invocation> {
    shell_invocations("docs/deploy.md", &read("docs/deploy.md"))
}

#[test]
fn every_org_command_uses_only_flags_the_command_accepts() {
    // `org scan` exists only in the AWS build (the default), where CI runs this.
    if !cfg!(feature = "aws") {
        return;
    }
    let all: Vec<Invocation> = [
        state_machine_invocations(),
        kubernetes_invocations(),
        workflow_invocations(),
        action_invocations(),
        docs_invocations(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut seen = BTreeSet::new();
    for inv in &all {
        let sub = inv.sub();
        assert!(
            matches!(sub, "plan" | "scan" | "merge"),
            "{}: org {sub}",
            inv.file
        );
        if sub == "plan" {
            continue;
        }
        let (accepted, source) = accepted_flags(sub);
        for flag in inv.flags() {
            assert!(
                accepted.contains(&flag),
                "{}: `org {sub} {flag}` is not a flag of {source}",
                inv.file
            );
        }
        seen.insert((inv.file.clone(), sub.to_string()));
    }
    // Each deployment scans and merges.
    for file in [ASL, WORKFLOW, "docs/deploy.md"] {
        for sub in ["scan", "merge"] {
            assert!(
                seen.iter().any(|(f, s)| f.starts_with(file) && s == sub),
                "{file} has no `org {sub}`: {seen:?}"
            );
        }
    }
    assert!(seen.contains(&(SCAN_JOB.to_string(), "scan".to_string())));
    assert!(seen.contains(&(MERGE_JOB.to_string(), "merge".to_string())));
}

#[test]
fn scans_never_fail_on_findings_and_write_where_the_merge_reads() {
    for inv in state_machine_invocations()
        .into_iter()
        .chain(kubernetes_invocations())
        .chain(workflow_invocations())
    {
        if inv.sub() == "scan" {
            // Findings are the merge's to report; a scan task fails only when accounts do.
            assert_eq!(inv.value_of("--fail-on"), Some("none"), "{}", inv.file);
            for flag in ["--manifest", "--member-role", "--external-id", "--out"] {
                assert!(inv.value_of(flag).is_some(), "{}: {flag}", inv.file);
            }
        }
    }
    // The state machine: scans and merge use the same OUT expression.
    let text = read(ASL);
    let out = "States.Format('s3://${Bucket}/${OutputPrefix}/{}', $.run)";
    assert_eq!(text.matches(out).count(), 2, "scan --out and merge --in");
    // Kubernetes: both Jobs read OUT from the same ConfigMap.
    for inv in kubernetes_invocations() {
        let dir = match inv.sub() {
            "scan" => inv.value_of("--out"),
            _ => inv.value_of("--in"),
        };
        assert_eq!(dir, Some("$(OUT)"), "{}", inv.file);
    }
}

#[test]
fn shard_counts_match_the_engines_counts() {
    // Kubernetes: --shard-count is the Indexed Job's completions.
    let job = yaml_docs(SCAN_JOB)
        .into_iter()
        .find(|d| d["kind"] == "Job")
        .expect("the Job");
    assert_eq!(job["spec"]["completionMode"], "Indexed");
    let completions = job["spec"]["completions"].as_u64().expect("completions");
    let parallelism = job["spec"]["parallelism"].as_u64().expect("parallelism");
    assert!(parallelism >= 1 && parallelism <= completions);
    let scan = kubernetes_invocations()
        .into_iter()
        .find(|i| i.sub() == "scan")
        .expect("scan");
    assert_eq!(
        scan.value_of("--shard-count"),
        Some(completions.to_string().as_str())
    );
    assert!(
        scan.flags().iter().all(|f| f != "--shard"),
        "index from JOB_COMPLETION_INDEX"
    );

    // GitHub Actions: the matrix is 1..=SHARDS and each job passes --shard K/SHARDS.
    let wf = workflow();
    let shards = wf["env"]["SHARDS"].as_u64().expect("env.SHARDS");
    let matrix: Vec<u64> = wf["jobs"]["scan"]["strategy"]["matrix"]["shard"]
        .as_sequence()
        .expect("matrix.shard")
        .iter()
        .map(|v| v.as_u64().expect("number"))
        .collect();
    assert_eq!(matrix, (1..=shards).collect::<Vec<_>>());
    let scan = workflow_invocations()
        .into_iter()
        .find(|i| i.sub() == "scan")
        .expect("scan");
    assert_eq!(scan.value_of("--shard"), Some("$SHARD/$SHARDS"));
    assert!(wf["jobs"]["merge"]["needs"] == "scan");
    assert_eq!(
        wf["jobs"]["merge"]["permissions"]["security-events"], "write",
        "the merge uploads SARIF"
    );
}

#[test]
fn the_workflow_gives_the_action_only_inputs_it_declares() {
    let action = actions::action();
    let steps = actions::steps_of(&workflow());
    let uses: Vec<_> = steps.iter().filter(|s| actions::uses_action(s)).collect();
    assert!(
        uses.len() >= 3,
        "install in plan and scan, org-merge in merge"
    );
    for step in uses {
        let unknown = actions::undeclared_inputs(step, &action);
        assert!(unknown.is_empty(), "{WORKFLOW}: {unknown:?}");
    }
}

#[test]
fn the_template_embeds_exactly_the_validated_state_machine() {
    let template = yaml_docs(TEMPLATE).remove(0);
    let sm = &template["Resources"]["StateMachine"]["Properties"];
    let embedded: Json =
        serde_json::to_value(&sm["Definition"]).expect("the Definition converts to JSON");
    assert_eq!(
        embedded,
        state_machine(),
        "{TEMPLATE}'s Definition differs from {ASL}: run scripts/validate-deploy.sh --sync"
    );
    // Every ${Name} of the definition is substituted, and every substitution is used.
    let text = read(ASL);
    let used: BTreeSet<String> = text
        .split("${")
        .skip(1)
        .map(|s| s.split('}').next().expect("closing brace").to_string())
        .collect();
    let defined: BTreeSet<String> = sm["DefinitionSubstitutions"]
        .as_mapping()
        .expect("DefinitionSubstitutions")
        .keys()
        .map(|k| k.as_str().expect("name").to_string())
        .collect();
    assert_eq!(used, defined);
}

#[test]
fn the_map_reads_the_manifest_accounts_with_bounded_concurrency() {
    let sm = state_machine();
    let map = &sm["States"][sm["StartAt"].as_str().expect("StartAt")];
    assert_eq!(map["Type"], "Map");
    assert_eq!(
        map["ItemProcessor"]["ProcessorConfig"]["Mode"],
        "DISTRIBUTED"
    );
    // The manifest's top-level `accounts` array, one account per child execution.
    let reader = &map["ItemReader"];
    assert_eq!(reader["Resource"], "arn:aws:states:::s3:getObject");
    assert_eq!(reader["ReaderConfig"]["InputType"], "JSON");
    assert_eq!(reader["ReaderConfig"]["ItemsPointer"], "/accounts");
    assert_eq!(map["ItemSelector"]["account_id.$"], "$$.Map.Item.Value.id");
    let concurrency = map["MaxConcurrency"].as_u64().expect("MaxConcurrency");
    assert!((1..=1000).contains(&concurrency));
    let tolerated = map["ToleratedFailurePercentage"]
        .as_u64()
        .expect("ToleratedFailurePercentage");
    assert!(tolerated < 100, "some failure must fail the run");
    // One account per task: --account comes from the item.
    let scan = state_machine_invocations()
        .into_iter()
        .find(|i| i.sub() == "scan")
        .expect("scan");
    assert_eq!(scan.value_of("--account"), Some("$"));
    // After the map, the merge.
    let next = map["Next"].as_str().expect("Next");
    assert!(
        state_machine_invocations()
            .iter()
            .any(|i| i.sub() == "merge"),
        "{next}"
    );
}

/// Every statement of an inline policy of a role in the template, Fn::If branches included.
fn statements(role: &Value) -> Vec<Value> {
    fn flatten(v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Mapping(m) if m.contains_key("Fn::If") => {
                let branches = m["Fn::If"].as_sequence().expect("Fn::If");
                flatten(&branches[1], out);
                flatten(&branches[2], out);
            }
            Value::Mapping(m) if m.contains_key("Effect") => out.push(v.clone()),
            Value::Sequence(items) => items.iter().for_each(|i| flatten(i, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for policy in role["Properties"]["Policies"]
        .as_sequence()
        .expect("Policies")
    {
        flatten(&policy["PolicyDocument"]["Statement"], &mut out);
    }
    out
}

fn actions_of(statement: &Value) -> Vec<String> {
    match &statement["Action"] {
        Value::String(a) => vec![a.clone()],
        Value::Sequence(items) => items
            .iter()
            .map(|a| a.as_str().expect("action").to_string())
            .collect(),
        other => panic!("Action {other:?}"),
    }
}

#[test]
fn the_roles_hold_only_what_the_tasks_need() {
    let template = yaml_docs(TEMPLATE).remove(0);
    let resources = &template["Resources"];
    let hub: BTreeSet<String> = statements(&resources["HubRole"])
        .iter()
        .flat_map(actions_of)
        .collect();
    let expected: BTreeSet<String> = [
        "sts:AssumeRole",
        "s3:GetObject",
        "s3:PutObject",
        "s3:ListBucket",
        "kms:Decrypt",
        "kms:GenerateDataKey",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(hub, expected, "the hub role's actions");
    for (name, role) in resources.as_mapping().expect("Resources") {
        if role["Type"] != "AWS::IAM::Role" {
            continue;
        }
        assert!(
            role["Properties"]["ManagedPolicyArns"].is_null(),
            "{name:?}: inline least-privilege policies only"
        );
        for st in statements(role) {
            assert_eq!(st["Effect"], "Allow");
            for action in actions_of(&st) {
                assert!(!action.contains('*'), "{name:?}: wildcard action {action}");
                if st["Resource"] == "*" {
                    assert_eq!(
                        action, "ecr:GetAuthorizationToken",
                        "{name:?}: only ECR's token call takes Resource *"
                    );
                }
            }
        }
        // Trusted by one service of this account only.
        let trust = &role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0];
        assert!(trust["Principal"]["Service"].is_string(), "{name:?}");
        assert!(
            !trust["Condition"]["StringEquals"]["aws:SourceAccount"].is_null(),
            "{name:?}: confused-deputy condition"
        );
    }
    // The member role it assumes is the one named by the parameter, in any account.
    let assume = statements(&resources["HubRole"])
        .into_iter()
        .find(|s| s["Action"] == "sts:AssumeRole")
        .expect("sts:AssumeRole");
    assert_eq!(
        assume["Resource"]["Fn::Sub"],
        "arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"
    );
}

#[test]
fn the_image_runs_mlguard_as_non_root_without_a_shell_on_pinned_bases() {
    let text = read("Dockerfile");
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let args: Vec<(&str, &str)> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("ARG "))
        .filter_map(|a| a.split_once('='))
        .collect();
    let froms: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("FROM "))
        .collect();
    assert!(froms.len() >= 2, "multi-stage");
    for from in &froms {
        let image = from.split_whitespace().next().expect("image");
        let image = image
            .strip_prefix("${")
            .and_then(|n| n.strip_suffix('}'))
            .map_or(image, |name| {
                args.iter()
                    .find(|(n, _)| *n == name)
                    .unwrap_or_else(|| panic!("ARG {name}"))
                    .1
            });
        let (_, digest) = image
            .split_once("@sha256:")
            .unwrap_or_else(|| panic!("{image} is not pinned by digest"));
        assert!(
            digest.len() == 64 && digest.chars().all(|c| c.is_ascii_hexdigit()),
            "{image}"
        );
    }
    // The runtime stage: no RUN (no shell to run it), a numeric non-root user, mlguard as
    // the entrypoint.
    let runtime_start = lines
        .iter()
        .rposition(|l| l.starts_with("FROM "))
        .expect("FROM");
    let runtime = &lines[runtime_start..];
    assert!(
        runtime
            .iter()
            .all(|l| !l.starts_with("RUN ") && !l.starts_with("SHELL ")),
        "{runtime:?}"
    );
    assert!(froms.last().expect("runtime").contains("RUNTIME_IMAGE"));
    assert!(
        args.iter()
            .any(|(n, v)| *n == "RUNTIME_IMAGE" && v.starts_with("gcr.io/distroless/")),
        "a distroless runtime (no shell)"
    );
    let user = runtime
        .iter()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("USER");
    let uid = user.split(':').next().expect("uid");
    assert!(
        uid.parse::<u32>().is_ok_and(|u| u != 0),
        "numeric non-root USER, got {user}"
    );
    assert!(
        runtime.contains(&r#"ENTRYPOINT ["/usr/local/bin/mlguard"]"#),
        "{runtime:?}"
    );
    // The Kubernetes pods and the task definition run as that same user.
    assert!(read(SCAN_JOB).contains(&format!("runAsUser: {uid}")));
    assert!(read(TEMPLATE).contains(&format!("User: \"{user}\"")));
}

#[test]
fn literal_extraction_reads_intrinsic_arguments() {
    assert_eq!(
        literals("States.Array('org', 'scan', $.a, States.Format('x{}', $.b))"),
        vec!["org", "scan", "x{}"]
    );
    let inv = shell_invocations(
        "t",
        "x\nmlguard org scan \\\n --shard \"$K/$N\" --out out\n",
    );
    assert_eq!(inv.len(), 1);
    assert_eq!(inv[0].value_of("--shard"), Some("$K/$N"));
}
