//! The apply and rollback drivers against an in-memory account.

use super::fake::Fake;
use super::*;
use crate::remediate::journal::{self, Journal, Phase, Record};
use crate::remediate::model::{COMPONENT_TAG, Direction, SgRule};
use crate::remediate::plan::{PLAN_VERSION, PlanKind, PlanOptions, PlanSource};
use crate::remediate::rollback::{self, Restore, RollbackOptions};

const R: &str = "us-east-1";

fn rotation() -> Aspect {
    Aspect::KeyRotation {
        region: R.into(),
        key_id: "k1".into(),
    }
}

fn ssh() -> Aspect {
    Aspect::SecurityGroupRule {
        region: R.into(),
        group_id: "sg-1".into(),
        direction: Direction::Ingress,
        rule: SgRule::tcp(22).with_cidr("0.0.0.0/0"),
    }
}

fn trust() -> Aspect {
    Aspect::RoleTrustPolicy {
        role_name: "ml-role".into(),
    }
}

fn plan(actions: Vec<Action>) -> Plan {
    Plan {
        plan_version: PLAN_VERSION,
        kind: PlanKind::Remediate,
        tool_version: "test".into(),
        account_id: "123456789012".into(),
        partition: "aws".into(),
        created_at: "2026-11-26T00:00:00Z".into(),
        source: PlanSource {
            kind: "snapshot".into(),
            file: None,
            collected_at: "2026-11-26T00:00:00Z".into(),
        },
        stack: None,
        regions: vec![R.into()],
        options: PlanOptions::default(),
        scores_before: None,
        cost: None,
        actions,
    }
}

fn lab_plan() -> Plan {
    let open_trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["sts:AssumeRole"]}]});
    let fixed_trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": ["sagemaker.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}]});
    plan(vec![
        Action::change(
            "DE-001",
            "kms-enable-rotation",
            Applicability::Safe,
            "arn:key",
            "rotate",
            Op::EnableKeyRotation {
                region: R.into(),
                key_id: "k1".into(),
            },
            rotation(),
            json!(false),
            json!(true),
        ),
        Action::change(
            "NI-002",
            "ec2-revoke-open-ingress",
            Applicability::Safe,
            "arn:sg",
            "revoke ssh",
            Op::RevokeSecurityGroupIngress {
                region: R.into(),
                group_id: "sg-1".into(),
                rule: SgRule::tcp(22).with_cidr("0.0.0.0/0"),
                description: Some("ssh".into()),
            },
            ssh(),
            json!({"Description": "ssh"}),
            Value::Null,
        ),
        Action::change(
            "LP-001",
            "iam-restrict-trust-policy",
            Applicability::Unsafe,
            "arn:role",
            "restrict trust",
            Op::UpdateAssumeRolePolicy {
                role_name: "ml-role".into(),
                document: fixed_trust,
            },
            trust(),
            open_trust,
            json!({}),
        ),
        Action::manual(
            "NI-007",
            "sagemaker-recreate-notebook",
            "arn:nb",
            R,
            "recreate",
            "by hand",
        ),
    ])
}

fn account() -> Fake {
    let mut f = Fake::new();
    f.set(rotation(), json!(false));
    f.set(ssh(), json!({"Description": "ssh"}));
    // As IAM returns it: not normalized.
    f.set(
        trust(),
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}),
    );
    f
}

fn fix_after(mut p: Plan) -> Plan {
    // The trust action's after is the document it puts.
    for a in &mut p.actions {
        if let Some(Op::UpdateAssumeRolePolicy { document, .. }) = &a.op {
            a.after = document.clone();
            a.finish();
        }
    }
    p
}

fn run_apply(fake: &mut Fake, p: &Plan, path: &std::path::Path, allow_unsafe: bool) -> ApplyReport {
    let journal = if path.exists() {
        Journal::append_to(path).expect("journal")
    } else {
        Journal::create(path).expect("journal")
    };
    let mut runner = Runner::new(fake, journal, Phase::Apply);
    let mut log = Vec::new();
    let report = apply(p, &mut runner, &ApplyOptions { allow_unsafe }, &mut log).expect("apply");
    runner.finish(report.to_json()).expect("end");
    report
}

fn run_rollback(fake: &mut Fake, path: &std::path::Path, force: bool) -> rollback::RollbackReport {
    let records = journal::read(path).expect("read");
    let mut runner = Runner::new(
        fake,
        Journal::append_to(path).expect("journal"),
        Phase::Rollback,
    );
    let mut log = Vec::new();
    let report = rollback::rollback(&records, &mut runner, &RollbackOptions { force }, &mut log)
        .expect("rollback");
    runner.finish(rollback::summary_json(&report)).expect("end");
    report
}

#[test]
fn safe_only_then_idempotent_then_rolled_back() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("j.jsonl");
    let p = fix_after(lab_plan());
    let mut fake = account();
    let original = fake.state.clone();
    let report = run_apply(&mut fake, &p, &path, false);
    assert_eq!(report.count(|o| *o == Outcome::Applied), 2);
    assert_eq!(report.count(|o| *o == Outcome::HeldBack), 1);
    assert_eq!(report.count(|o| *o == Outcome::Manual), 1);
    assert!(
        report.summary().contains("1 held back"),
        "{}",
        report.summary()
    );
    assert_eq!(fake.get(&rotation()), json!(true));
    assert_eq!(fake.get(&ssh()), Value::Null);
    // Every call is journaled before and after.
    let records = journal::read(&path).expect("read");
    let begins = records
        .iter()
        .filter(|r| matches!(r, Record::Begin { .. }))
        .count();
    let dones = records
        .iter()
        .filter(|r| matches!(r, Record::Done { .. }))
        .count();
    assert_eq!((begins, dones), (2, 2));

    // A second apply changes nothing.
    let path2 = dir.path().join("j2.jsonl");
    let calls = fake.calls.len();
    let again = run_apply(&mut fake, &p, &path2, false);
    assert_eq!(again.count(|o| *o == Outcome::AlreadyDone), 2);
    assert_eq!(fake.calls.len(), calls);

    // Rollback restores, twice safely; the description of the revoked rule comes back.
    let rb = run_rollback(&mut fake, &path, false);
    assert!(rb.complete(), "{}", rb.summary());
    assert_eq!(rb.count(|r| *r == Restore::Restored), 2);
    assert_eq!(fake.state, original);
    let rb = run_rollback(&mut fake, &path, false);
    assert_eq!(rb.count(|r| *r == Restore::AlreadyRestored), 2);
}

#[test]
fn unsafe_actions_apply_with_unsafe_and_documents_compare_normalized() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("j.jsonl");
    let p = fix_after(lab_plan());
    let mut fake = account();
    let original = fake.state.clone();
    let report = run_apply(&mut fake, &p, &path, true);
    assert_eq!(
        report.count(|o| *o == Outcome::Applied),
        3,
        "{:?}",
        report.outcomes
    );
    run_rollback(&mut fake, &path, false);
    // The trust policy comes back exactly as it was read, not normalized.
    assert_eq!(fake.state, original);
}

#[test]
fn drift_is_skipped_and_reported() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("j.jsonl");
    let p = fix_after(lab_plan());
    let mut fake = account();
    fake.set(trust(), json!({"Version": "2012-10-17", "Statement": []}));
    let report = run_apply(&mut fake, &p, &path, true);
    assert!(matches!(report.outcomes[2].1, Outcome::Drift(_)));
    assert!(!report.complete());
    assert_eq!(
        fake.get(&trust()),
        json!({"Version": "2012-10-17", "Statement": []})
    );
    let records = journal::read(&path).expect("read");
    assert!(records.iter().any(|r| matches!(
        r,
        Record::Skipped {
            reason: SkipReason::Drift,
            ..
        }
    )));
}

#[test]
fn a_wrong_account_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let mut fake = account();
    fake.account = "999999999999".into();
    let journal = Journal::create(&dir.path().join("j.jsonl")).expect("journal");
    let mut runner = Runner::new(&mut fake, journal, Phase::Apply);
    let err = apply(
        &lab_plan(),
        &mut runner,
        &ApplyOptions { allow_unsafe: true },
        &mut Vec::new(),
    );
    assert!(matches!(err, Err(ApplyError::AccountMismatch { .. })));
}

#[test]
fn rollback_refuses_what_changed_since_unless_forced() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("j.jsonl");
    let p = fix_after(lab_plan());
    let mut fake = account();
    run_apply(&mut fake, &p, &path, false);
    fake.set(rotation(), json!({"odd": 1}));
    let rb = run_rollback(&mut fake, &path, false);
    assert_eq!(rb.count(|r| matches!(r, Restore::ChangedSince(_))), 1);
    assert_eq!(fake.get(&rotation()), json!({"odd": 1}));
    let rb = run_rollback(&mut fake, &path, true);
    assert!(rb.complete(), "{}", rb.summary());
    assert_eq!(fake.get(&rotation()), json!(false));
}

#[test]
fn a_crash_after_any_call_is_rolled_back() {
    let p = fix_after(lab_plan());
    for k in 1..=3 {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("j.jsonl");
        let mut fake = account();
        let original = fake.state.clone();
        fake.fail_after_change = Some(k);
        run_apply(&mut fake, &p, &path, true);
        // The process died before it could record the answer: drop the last `failed` line.
        let text = std::fs::read_to_string(&path).expect("read");
        let kept: Vec<&str> = text
            .lines()
            .take_while(|l| !l.contains("\"record\":\"failed\""))
            .collect();
        std::fs::write(&path, kept.join("\n") + "\n").expect("write");
        fake.fail_after_change = None;
        let rb = run_rollback(&mut fake, &path, false);
        assert!(rb.complete(), "k={k}: {}", rb.summary());
        assert_eq!(fake.state, original, "k={k}");
    }
}

#[test]
fn placeholders_resolve_to_what_earlier_actions_created() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("j.jsonl");
    let tags: Tags = [
        (MANAGED_TAG, "true"),
        (STACK_TAG, "s"),
        (COMPONENT_TAG, "vpc"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let vpc = Aspect::Vpc {
        region: R.into(),
        tags: tags.clone(),
    };
    let subnet = Aspect::Subnet {
        region: R.into(),
        vpc_id: "${vpc}".into(),
        cidr_block: "10.0.0.0/24".into(),
    };
    let p = plan(vec![
        Action::change(
            "harden",
            "harden-vpc",
            Applicability::Safe,
            "vpc",
            "vpc",
            Op::CreateVpc {
                region: R.into(),
                cidr_block: "10.0.0.0/16".into(),
                tags: tags.clone(),
            },
            vpc.clone(),
            Value::Null,
            json!({"id": "<created>"}),
        ),
        Action::change(
            "harden",
            "harden-subnet",
            Applicability::Safe,
            "subnet",
            "subnet",
            Op::CreateSubnet {
                region: R.into(),
                vpc_id: "${vpc}".into(),
                cidr_block: "10.0.0.0/24".into(),
                availability_zone: "us-east-1a".into(),
                tags: tags.clone(),
            },
            subnet,
            Value::Null,
            json!({"id": "<created>"}),
        )
        .with_ref("vpc", vpc.clone()),
    ]);
    let mut fake = Fake::new();
    let report = run_apply(&mut fake, &p, &path, false);
    assert!(report.complete(), "{:?}", report.outcomes);
    assert_eq!(fake.state.len(), 2);
    let created = fake
        .state
        .keys()
        .any(|a| matches!(a, Aspect::Subnet { vpc_id, .. } if vpc_id == "vpc-0001"));
    assert!(created, "{:?}", fake.state);
    // Converges, then rolls back in reverse order.
    let again = run_apply(&mut fake, &p, &dir.path().join("j2.jsonl"), false);
    assert_eq!(again.count(|o| *o == Outcome::AlreadyDone), 2);
    let rb = run_rollback(&mut fake, &path, false);
    assert!(rb.complete(), "{}", rb.summary());
    assert!(fake.state.is_empty(), "{:?}", fake.state);
    assert_eq!(fake.calls.last().map(String::as_str), Some("DeleteVpc"));
}
