//! Crash safety: a proxy between mlguard and moto forwards every request and SIGKILLs the
//! `remediate --apply` process right after forwarding its k-th mutating request, before the
//! answer reaches it (so the journal holds a `begin` whose `done` was never written). For
//! every k from 1 to the number of mutating calls a full apply makes, `rollback` of the
//! journal must then restore the account to its original snapshot, exactly.

use crate::common::live::{Workdir, read_json, without_run_fields};
use crate::common::moto::Moto;
use crate::common::proxy::{Proxy, Request, Response};
use crate::common::seed::Aws;
use crate::common::stderr_of;
use crate::common::{self, seed};
use serde_json::Value;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

const REGION: &str = "us-east-1";
const ALLOWED: &str = "203.0.113.0/24";

/// Whether a request changes the account: everything but reads (Describe*, Get*, List*,
/// S3 GET/HEAD) and STS.
fn mutating(req: &Request) -> bool {
    match req.service().as_str() {
        "sts" => false,
        "s3" => !matches!(req.method.as_str(), "GET" | "HEAD"),
        _ => {
            let op = req.operation();
            !(op.starts_with("Describe") || op.starts_with("Get") || op.starts_with("List"))
        }
    }
}

/// The lab with the challenge's open security group (as in tests/it/remediate_live.rs).
fn seed(aws: &Aws) {
    seed::lab_challenge(aws);
}

/// The mlguard binary as the tests run it, for a process the proxy can kill.
fn mlguard(work: &Workdir) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mlguard"));
    cmd.current_dir(common::root());
    for (key, _) in std::env::vars() {
        if key.starts_with("AWS_") || key == "CI" || key == "NO_COLOR" || key == "MLGUARD_LOG" {
            cmd.env_remove(key);
        }
    }
    cmd.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", work.path("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", work.path("aws-credentials"));
    cmd
}

fn run(work: &Workdir, args: &[&str]) -> std::process::Output {
    mlguard(work).args(args).output().expect("runs")
}

fn collect(work: &Workdir, endpoint: &str, name: &str) -> Value {
    let file = work.path(name);
    let out = run(
        work,
        &[
            "collect",
            "--endpoint-url",
            endpoint,
            "--regions",
            REGION,
            "-o",
            file.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    read_json(&file)
}

struct Killer {
    /// Kill after this many mutating requests (0: never).
    after: AtomicUsize,
    seen: AtomicUsize,
    child: Mutex<Option<Child>>,
}

/// Applies `plan` through the proxy, which kills the apply after `k` mutating requests
/// (never when `k` is 0). Returns the journal and how many mutating requests went through.
fn apply_killed_at(
    proxy: &Proxy,
    killer: &Killer,
    work: &Workdir,
    plan: &std::path::Path,
    k: usize,
) -> (std::path::PathBuf, usize) {
    let journal = work.path(&format!("journal-{k}.jsonl"));
    killer.after.store(k, Ordering::SeqCst);
    killer.seen.store(0, Ordering::SeqCst);
    let child = mlguard(work)
        .args([
            "remediate",
            "--apply",
            plan.to_str().expect("utf-8"),
            "--unsafe",
            "--yes",
            "--journal",
            journal.to_str().expect("utf-8"),
            "--endpoint-url",
            &proxy.endpoint(),
            "--regions",
            REGION,
            "--max-attempts",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(work.path(&format!("apply-{k}.err"))).expect("log file"))
        .spawn()
        .expect("spawn");
    *killer.child.lock().expect("lock") = Some(child);
    // Wait for the process to end by itself or by the proxy's kill.
    let status = loop {
        {
            let mut guard = killer.child.lock().expect("lock");
            if let Some(child) = guard.as_mut()
                && let Some(status) = child.try_wait().expect("wait")
            {
                break status;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    *killer.child.lock().expect("lock") = None;
    let log = std::fs::read_to_string(work.path(&format!("apply-{k}.err"))).unwrap_or_default();
    if k > 0 {
        assert!(
            status.code().is_none(),
            "k={k}: the apply was not killed ({status}): {log}"
        );
    } else {
        assert_eq!(status.code(), Some(0), "the full apply failed: {log}");
    }
    (journal, killer.seen.load(Ordering::SeqCst))
}

/// Rolls the journal back (straight to moto) and checks the account is `before` again.
fn roll_back_and_compare(
    work: &Workdir,
    endpoint: &str,
    journal: &std::path::Path,
    before: &Value,
    k: usize,
) {
    let out = run(
        work,
        &[
            "rollback",
            journal.to_str().expect("utf-8"),
            "--yes",
            "--endpoint-url",
            endpoint,
            "--region",
            REGION,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "k={k}: {}", stderr_of(&out));
    let after = collect(work, endpoint, &format!("after-{k}.json"));
    assert_eq!(
        without_run_fields(&after),
        without_run_fields(before),
        "k={k}: rollback did not restore the account"
    );
}

/// One account, one plan: every rollback must restore the account exactly, so the same plan
/// applies again to the same resources in the next round (no reseeding between rounds).
#[test]
#[allow(clippy::print_stderr)] // the count of calls and the time, shown with --nocapture
fn rollback_restores_the_account_after_a_kill_at_every_mutating_call() {
    let moto = Moto::start();
    let killer = Arc::new(Killer {
        after: AtomicUsize::new(0),
        seen: AtomicUsize::new(0),
        child: Mutex::new(None),
    });
    let k2 = Arc::clone(&killer);
    let proxy = Proxy::start(moto.port, move |req, upstream| {
        if !mutating(req) {
            return upstream.send(req);
        }
        let n = k2.seen.fetch_add(1, Ordering::SeqCst) + 1;
        let response = upstream.send(req);
        if n == k2.after.load(Ordering::SeqCst) {
            // The request reached AWS; its answer never reaches mlguard.
            if let Some(child) = k2.child.lock().expect("lock").as_mut() {
                let _ = child.kill();
            }
            return Response::new(500, "text/plain", "killed");
        }
        response
    });
    let work = Workdir::new();
    let started = Instant::now();
    let endpoint = moto.endpoint();
    seed(&Aws::new(&endpoint, REGION));
    let before = collect(&work, &endpoint, "before.json");
    let snapshot = work.path("before.json");
    let plan = work.path("plan.json");
    let out = run(
        &work,
        &[
            "remediate",
            "--snapshot",
            snapshot.to_str().expect("utf-8"),
            "--max-age",
            "0",
            "--allowed-cidr",
            ALLOWED,
            "-o",
            plan.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));

    // A full apply through the proxy counts the mutating calls.
    let (journal, n) = apply_killed_at(&proxy, &killer, &work, &plan, 0);
    assert!(
        n >= 30,
        "only {n} mutating calls: the scenario should exercise every kind of fix"
    );
    eprintln!("a full apply makes {n} mutating calls");
    roll_back_and_compare(&work, &endpoint, &journal, &before, 0);

    for k in 1..=n {
        let (journal, seen) = apply_killed_at(&proxy, &killer, &work, &plan, k);
        assert_eq!(
            seen, k,
            "k={k}: the apply made {seen} mutating calls before the kill"
        );
        let text = std::fs::read_to_string(&journal).expect("journal");
        let begins = text.matches("\"record\":\"begin\"").count();
        let dones = text.matches("\"record\":\"done\"").count();
        assert_eq!(begins, k, "k={k}: one begin per call made");
        assert_eq!(dones, k - 1, "k={k}: the killed call has no done");
        roll_back_and_compare(&work, &endpoint, &journal, &before, k);
    }
    eprintln!("{n} crashes rolled back in {:.0?}", started.elapsed());
}
