//! `mlguard remediate --snapshot` (offline): the plan of the lab's snapshots as a diff
//! (snapshotted), the plan file, and what refuses to plan.

use crate::common;
use crate::common::{mlguard, stderr_of, stdout_of};
use serde_json::Value;
use std::collections::BTreeMap;

const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn plan(args: &[&str]) -> (String, Value, i32) {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("plan.json");
    let out = mlguard()
        .args(["remediate", "--max-age", "0", "-o"])
        .arg(&file)
        .args(args)
        .output()
        .expect("runs");
    let code = out.status.code().unwrap_or(-1);
    assert!(code == 0 || code == 1, "{}", stderr_of(&out));
    let json = serde_json::from_str(&std::fs::read_to_string(&file).expect("plan file"))
        .expect("plan JSON");
    (stdout_of(&out), json, code)
}

#[test]
fn lab_insecure_plan_diff() {
    let (diff, json, code) = plan(&[
        "--snapshot",
        "fixtures/lab-insecure.json",
        "--allowed-cidr",
        "203.0.113.0/24",
        "--kms-key",
        KEY,
    ]);
    assert_eq!(code, 1, "a non-empty plan exits 1");
    insta::with_settings!({snapshot_path => "../snapshots/remediate", prepend_module_to_snapshot => false, omit_expression => true}, {
        insta::assert_snapshot!("lab-insecure", diff);
    });
    assert_eq!(json["plan_version"], 1);
    assert_eq!(json["kind"], "remediate");
    assert_eq!(json["source"]["kind"], "snapshot");
    assert_eq!(json["options"]["allowed_cidr"], "203.0.113.0/24");
    let actions = json["actions"].as_array().expect("actions");
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for a in actions {
        *by.entry(a["applicability"].as_str().expect("applicability"))
            .or_default() += 1;
    }
    assert!(
        by["safe"] > 10 && by["unsafe"] > 10 && by["manual"] > 5,
        "{by:?}"
    );
    // Every failing finding is answered, by a change or an explanation.
    let out = mlguard()
        .args([
            "audit",
            "fixtures/lab-insecure.json",
            "--format",
            "json",
            "--fail-on",
            "none",
            "--trusted-cidr",
            "203.0.113.0/24",
        ])
        .output()
        .expect("runs");
    let report: Value = serde_json::from_str(&stdout_of(&out)).expect("report");
    for f in report["findings"].as_array().expect("findings") {
        if f["status"] != "fail" {
            continue;
        }
        let (rule, arn) = (&f["rule_id"], &f["resource"]["arn"]);
        let answered = actions.iter().any(|a| {
            (a["rule_id"] == *rule || a["also"].as_array().is_some_and(|x| x.contains(rule)))
                && (a["target"] == *arn
                    || a["fix"] == "ec2-create-flow-logs"
                    || a["fix"] == "ec2-remove-internet-route"
                    || a["fix"] == "iam-add-permissions-boundary")
        });
        assert!(answered, "{rule} {arn} has no action");
    }
    // Planning again gives the same ids.
    let (_, again, _) = plan(&[
        "--snapshot",
        "fixtures/lab-insecure.json",
        "--allowed-cidr",
        "203.0.113.0/24",
        "--kms-key",
        KEY,
    ]);
    let ids = |v: &Value| -> Vec<String> {
        v["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .map(|a| a["id"].as_str().expect("id").to_string())
            .collect()
    };
    assert_eq!(ids(&json), ids(&again));
}

#[test]
fn without_options_some_fixes_become_manual() {
    let (diff, json, _) = plan(&["--snapshot", "fixtures/lab-insecure.json"]);
    let manual = |fix: &str| {
        json["actions"]
            .as_array()
            .expect("actions")
            .iter()
            .any(|a| a["fix"] == fix && a["applicability"] == "manual")
    };
    // Two usable keys and no --kms-key: the buckets' encryption cannot pick one.
    assert!(manual("s3-default-encryption-kms"), "{diff}");
    assert!(manual("ec2-create-flow-logs"), "{diff}");
    assert!(diff.contains("pass --kms-key ARN"), "{diff}");
}

#[test]
fn a_clean_snapshot_plans_nothing() {
    let (diff, json, code) = plan(&["--snapshot", "fixtures/lab-hardened.json"]);
    assert_eq!(code, 0, "{diff}");
    assert!(diff.contains("Nothing to do."), "{diff}");
    assert_eq!(json["actions"], Value::Array(Vec::new()));
}

#[test]
fn stale_snapshots_and_bad_options_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let text = std::fs::read_to_string(common::root().join("fixtures/lab-insecure.json"))
        .expect("fixture")
        .replace("2026-11-26T00:00:00Z", "2020-01-01T00:00:00Z");
    let old = dir.path().join("old.json");
    std::fs::write(&old, text).expect("write");
    let out = mlguard()
        .args(["remediate", "--snapshot"])
        .arg(&old)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("too old"), "{}", stderr_of(&out));
    for (flag, value) in [
        ("--allowed-cidr", "203.0.113.7/24"),
        ("--allowed-cidr", "0.0.0.0/0"),
        ("--kms-key", "alias/ml"),
        ("--flow-logs-destination", "my-bucket"),
    ] {
        let out = mlguard()
            .args([
                "remediate",
                "--snapshot",
                "fixtures/lab-insecure.json",
                "--max-age",
                "0",
                flag,
                value,
            ])
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        assert!(stderr_of(&out).contains("help:"), "{}", stderr_of(&out));
    }
}

#[test]
fn a_scope_that_cannot_be_evaluated_refuses_to_plan() {
    // A --policy-dir library that adds a number to the remediation scope: the planner cannot
    // read it as a set of role ARNs, and must not plan as though the scope were empty.
    let dir = tempfile::tempdir().expect("dir");
    let lib = dir.path().join("p/lib");
    std::fs::create_dir_all(&lib).expect("mkdir");
    std::fs::write(
        lib.join("scope_extra.rego"),
        "package mlguard.lib.scope\nimport rego.v1\nreferenced_keys contains 42 if true\n",
    )
    .expect("write");
    let file = dir.path().join("plan.json");
    let out = mlguard()
        .args([
            "remediate",
            "--max-age",
            "0",
            "--snapshot",
            "fixtures/lab-insecure.json",
        ])
        .arg("--policy-dir")
        .arg(dir.path().join("p"))
        .arg("-o")
        .arg(&file)
        .output()
        .expect("runs");
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "the remediation scope `data.mlguard.lib.scope.referenced_keys` could not be evaluated"
        ),
        "{err}"
    );
    assert!(err.contains("help:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!file.exists(), "no plan is written");
}

/// The plan's security group and network ACL changes, applied to the snapshot as AWS would.
fn apply_offline(snapshot: &mut Value, actions: &[Value]) {
    let ec2 = &mut snapshot["regions"]["us-east-1"]["ec2"];
    for a in actions {
        let op = &a["op"];
        let kind = op["op"].as_str().unwrap_or_default();
        match kind {
            "RevokeSecurityGroupIngress" | "RevokeSecurityGroupEgress" => {
                let key = if kind.ends_with("Ingress") {
                    "IpPermissions"
                } else {
                    "IpPermissionsEgress"
                };
                let rule = &op["rule"];
                let (ranges, field, cidr) = match rule.get("cidr") {
                    Some(c) => ("IpRanges", "CidrIp", c.clone()),
                    None => ("Ipv6Ranges", "CidrIpv6", rule["ipv6_cidr"].clone()),
                };
                for sg in ec2["security_groups"].as_array_mut().expect("groups") {
                    if sg["GroupId"] != op["group_id"] {
                        continue;
                    }
                    for perm in sg[key].as_array_mut().expect("permissions") {
                        let same = perm["IpProtocol"] == rule["protocol"]
                            && perm.get("FromPort") == rule.get("from_port")
                            && perm.get("ToPort") == rule.get("to_port");
                        if same
                            && let Some(list) = perm.get_mut(ranges).and_then(Value::as_array_mut)
                        {
                            list.retain(|r| r[field] != cidr);
                        }
                    }
                }
            }
            "AuthorizeSecurityGroupEgress" => {
                let rule = &op["rule"];
                let mut perm = serde_json::json!({"IpProtocol": rule["protocol"]});
                for (from, to) in [("from_port", "FromPort"), ("to_port", "ToPort")] {
                    if let Some(p) = rule.get(from) {
                        perm[to] = p.clone();
                    }
                }
                if let Some(c) = rule.get("cidr") {
                    perm["IpRanges"] = serde_json::json!([{"CidrIp": c}]);
                }
                if let Some(g) = rule.get("group_id") {
                    perm["UserIdGroupPairs"] = serde_json::json!([{"GroupId": g}]);
                }
                for sg in ec2["security_groups"].as_array_mut().expect("groups") {
                    if sg["GroupId"] == op["group_id"] {
                        sg["IpPermissionsEgress"]
                            .as_array_mut()
                            .expect("egress")
                            .push(perm.clone());
                    }
                }
            }
            "ReplaceNetworkAclEntry" => {
                for acl in ec2["network_acls"].as_array_mut().expect("acls") {
                    for e in acl["Entries"].as_array_mut().expect("entries") {
                        if e["RuleNumber"] == a["after"]["RuleNumber"]
                            && e["Egress"] == a["after"]["Egress"]
                        {
                            *e = a["after"].clone();
                        }
                    }
                }
            }
            "DeleteRoute" => {
                for table in ec2["route_tables"].as_array_mut().expect("tables") {
                    if table["RouteTableId"] == op["route_table_id"] {
                        table["Routes"]
                            .as_array_mut()
                            .expect("routes")
                            .retain(|r| r["DestinationCidrBlock"] != op["destination"]);
                    }
                }
            }
            other => panic!("unexpected operation {other} in the plan"),
        }
    }
}

/// Issue 12: ranges that together make the internet (0.0.0.0/1 + 128.0.0.0/1, three
/// quarters, halves of IPv6, 0.0.0.0/0 beside its own halves) are open, the plan revokes or
/// narrows exactly the ranges that make them so, and the rules pass on the result.
#[test]
fn ranges_that_add_up_to_the_internet_are_closed_and_nothing_else_is_touched() {
    let rules = "NI-001,NI-002,NI-006,NI-013,NI-015";
    let (diff, json, code) = plan(&[
        "--snapshot",
        "fixtures/open-through-ranges.json",
        "--select",
        rules,
    ]);
    assert_eq!(code, 1, "{diff}");
    insta::with_settings!({snapshot_path => "../snapshots/remediate", prepend_module_to_snapshot => false, omit_expression => true}, {
        insta::assert_snapshot!("open-through-ranges", diff);
    });
    let actions = json["actions"].as_array().expect("actions");
    let summaries: Vec<&str> = actions
        .iter()
        .map(|a| a["summary"].as_str().expect("summary"))
        .collect();
    let touched = |text: &str| summaries.iter().any(|s| s.contains(text));
    for expected in [
        "remove ingress tcp/3389 from 0.0.0.0/1 of sg-0e1f2a3b4c5d60001",
        "remove ingress tcp/3000-4000 from 128.0.0.0/2 of sg-0e1f2a3b4c5d60001",
        "remove ingress tcp/3000-4000 from 192.0.0.0/2 of sg-0e1f2a3b4c5d60001",
        // 0.0.0.0/0, then its halves, which still make the internet without it.
        "remove ingress all traffic from 0.0.0.0/0 of sg-0e1f2a3b4c5d60002",
        "remove ingress all traffic from 0.0.0.0/1 of sg-0e1f2a3b4c5d60002",
        "remove ingress all traffic from 128.0.0.0/1 of sg-0e1f2a3b4c5d60002",
        "remove ingress tcp/0-65535 from ::/1 of sg-0e1f2a3b4c5d60002",
        "remove ingress tcp/0-65535 from 8000::/1 of sg-0e1f2a3b4c5d60002",
        "remove egress all traffic to 0.0.0.0/1 of sg-0e1f2a3b4c5d60004",
        "remove egress all traffic to 128.0.0.0/1 of sg-0e1f2a3b4c5d60004",
        "narrow inbound rule 100 of acl-0e1f2a3b4c5d60001 from 0.0.0.0/1",
        "narrow inbound rule 110 of acl-0e1f2a3b4c5d60001 from 128.0.0.0/1",
        // tcp/3389 from 0.0.0.0/0 after rule 90 refuses 192.0.2.0/24: an exception, still open.
        "narrow inbound rule 120 of acl-0e1f2a3b4c5d60001 from the internet",
        "narrow inbound rule 140 of acl-0e1f2a3b4c5d60001 from ::/1",
        "narrow inbound rule 150 of acl-0e1f2a3b4c5d60001 from 8000::/1",
        "remove the route from rtb-0e1f2a3b4c5d60001 to internet gateway igw-0e1f2a3b4c5d60001 for 0.0.0.0/1",
        "remove the route from rtb-0e1f2a3b4c5d60001 to internet gateway igw-0e1f2a3b4c5d60001 for 128.0.0.0/1",
    ] {
        assert!(touched(expected), "missing: {expected}\n{diff}");
    }
    for untouched in [
        "10.0.0.0/8",
        "tcp/443 from 0.0.0.0/0",
        "10.20.0.0/16 of",
        "sg-0e1f2a3b4c5d60003",
        "rule 90 ",
        "rule 130 ",
        "192.0.2.0/24",
    ] {
        assert!(!touched(untouched), "touched: {untouched}\n{diff}");
    }
    let removals = summaries
        .iter()
        .filter(|s| s.starts_with("remove") || s.starts_with("narrow"))
        .count();
    assert_eq!(removals, 17, "{diff}");

    // Applied, the rules pass.
    let dir = tempfile::tempdir().expect("dir");
    let mut snap: Value = serde_json::from_str(
        &std::fs::read_to_string(common::root().join("fixtures/open-through-ranges.json"))
            .expect("fixture"),
    )
    .expect("JSON");
    apply_offline(&mut snap, actions);
    let after = dir.path().join("after.json");
    std::fs::write(&after, serde_json::to_string(&snap).expect("JSON")).expect("write");
    let out = mlguard()
        .args([
            "audit",
            "--select",
            rules,
            "--format",
            "json",
            "--fail-on",
            "none",
        ])
        .arg(&after)
        .output()
        .expect("runs");
    let report: Value = serde_json::from_str(&stdout_of(&out))
        .unwrap_or_else(|e| panic!("{e}: {}", stderr_of(&out)));
    let left: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["status"] == "fail")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
