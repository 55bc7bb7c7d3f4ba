//! Benchmark of `mlguard org merge` (docs/performance.md, "Organization merge"): an `org scan`
//! output of N synthetic accounts (reports from the snapshot generator, audited with the
//! built-in policies, each under its own account id) merged into every org-wide format at
//! once (table, JSON, SARIF, partitioned OCSF, ASFF, HTML), at several account counts, with
//! the wall time and the peak RSS of each.
//!
//!   cargo bench --no-default-features --bench org_merge -- [--accounts 100,1000] [--scale 20]
//!       [--formats table,json,sarif,ocsf,asff,html] [--keep DIR] [--check]
//!
//! Each count is generated in one child process and merged in another, so the merge's peak
//! RSS (VmHWM) is its own. `--check` exits 1 when the peak RSS at the largest count is more
//! than 1.2x the smallest's (memory must not grow with the number of accounts).

// A benchmark reports on the terminal.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use mlguard::audit::{self, Selection};
use mlguard::engine::{Engine, Params, PolicySet};
use mlguard::generate::{self, Counts, Spec};
use mlguard::org::Store;
use mlguard::org::merge::{self, output::Target};
use mlguard::report::{self, Ctx, Format};
use mlguard::snapshot;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Peak RSS at the largest account count may be at most this multiple of the smallest's.
const FLAT: f64 = 1.2;
const ALL_FORMATS: &str = "table,json,sarif,ocsf,asff,html";
/// Distinct generated accounts; the others are copies under their own ids.
const BASES: usize = 4;

type Error = Box<dyn std::error::Error>;

struct Options {
    accounts: Vec<usize>,
    scale: usize,
    check: bool,
    keep: Option<PathBuf>,
    /// The formats merged (all by default).
    formats: String,
}

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    // `cargo test --all-targets` runs this binary without `--bench`: a smoke run in seconds.
    let benching = raw.iter().any(|a| a == "--bench");
    let args: Vec<String> = raw.into_iter().filter(|a| a != "--bench").collect();
    let result = match args.first().map(String::as_str) {
        Some("--child-generate") => child_generate(&args[1..]),
        Some("--child-merge") => child_merge(&args[1..]),
        _ if !benching => parent(&Options {
            accounts: vec![3, 6],
            scale: 2,
            check: false,
            keep: None,
            formats: ALL_FORMATS.into(),
        }),
        _ => parse(&args).and_then(|o| parent(&o)),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn parse(args: &[String]) -> Result<Options, Error> {
    let mut o = Options {
        accounts: vec![100, 1_000],
        scale: 20,
        check: false,
        keep: None,
        formats: ALL_FORMATS.into(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--accounts" => {
                o.accounts = value()?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?;
            }
            "--scale" => o.scale = value()?.parse()?,
            "--keep" => o.keep = Some(PathBuf::from(value()?)),
            "--check" => o.check = true,
            "--formats" => o.formats = value()?.clone(),
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    Ok(o)
}

/// VmHWM (peak resident set) of this process, in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn account_id(n: usize) -> String {
    format!("{:012}", 100_000_000_000u64 + n as u64 * 7)
}

/// Writes an org scan output of `count` accounts under `dir`.
fn child_generate(args: &[String]) -> Result<bool, Error> {
    let [dir, count, scale] = args else {
        return Err("--child-generate DIR COUNT SCALE".into());
    };
    let dir = Path::new(dir);
    let count: usize = count.parse()?;
    let scale: usize = scale.parse()?;
    let engine = Engine::new(&PolicySet::load(true, &[])?, &Params::default())?;
    let ids = Selection::default().resolve(engine.rules())?;
    let ctx = Ctx {
        fail_on: None,
        ..Ctx::default()
    };
    let mut bases = Vec::new();
    for b in 0..BASES.min(count) {
        let spec = Spec {
            counts: Counts::uniform(scale),
            regions: 2,
            seed: 11 + b as u64,
            violation_rate: 0.1 + 0.1 * b as f64,
        };
        let (bytes, _) = generate::generate(&spec)?;
        let text = String::from_utf8(bytes)?;
        let snap = snapshot::load_str(&text, Path::new("accounts/ID/snapshot.json"))?;
        let r = audit::audit(&engine, &snap, &ids)?;
        bases.push(String::from_utf8(report::render(Format::Json, &r, &ctx)?)?);
    }
    let accounts: Vec<serde_json::Value> = (0..count)
        .map(|n| json!({"id": account_id(n), "name": format!("ml-{n}"), "email": null, "ou": null}))
        .collect();
    // Canonical JSON of the accounts (compact, fields id, name, email, ou).
    let canonical = format!(
        "[{}]",
        (0..count)
            .map(|n| format!(
                r#"{{"id":"{}","name":"ml-{n}","email":null,"ou":null}}"#,
                account_id(n)
            ))
            .collect::<Vec<_>>()
            .join(",")
    );
    let sha: String = Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_vec_pretty(&json!({
            "schema": "mlguard-org-manifest/v1",
            "created_at": "2026-11-26T00:00:00Z",
            "source": "accounts",
            "organization_id": null,
            "accounts": accounts,
            "sha256": sha,
        }))?,
    )?;
    let mut bytes = 0u64;
    for n in 0..count {
        let id = account_id(n);
        let acc = dir.join("accounts").join(&id);
        std::fs::create_dir_all(&acc)?;
        let text = bases[n % bases.len()].replace(generate::ACCOUNT_ID, &id);
        bytes += text.len() as u64;
        std::fs::write(acc.join("report.json"), text)?;
        std::fs::write(
            acc.join("status.json"),
            serde_json::to_vec_pretty(&json!({
                "schema": "mlguard-org-status/v1", "account_id": id, "manifest_sha256": sha,
                "policy_sha256": "0".repeat(64), "status": "ok",
                "started_at": "2026-11-26T00:00:00Z", "finished_at": "2026-11-26T00:01:00Z",
                "gaps": 0, "findings": {"critical": 0, "high": 0, "medium": 0, "low": 0, "info": 0},
                "score": null, "error": null,
            }))?,
        )?;
    }
    println!("{}", json!({"report_bytes": bytes}));
    Ok(true)
}

/// Merges `dir` into every format under `out`; prints the time and the peak RSS.
fn child_merge(args: &[String]) -> Result<bool, Error> {
    let [dir, out, formats] = args else {
        return Err("--child-merge DIR OUT FORMATS".into());
    };
    let out = Path::new(out);
    let wanted: Vec<&str> = formats.split(',').collect();
    let rss_start = peak_rss_kib();
    let req = merge::Request {
        outputs: [
            (Format::Table, Target::Local(out.join("table.txt"))),
            (Format::Json, Target::Local(out.join("org.json"))),
            (Format::Sarif, Target::Local(out.join("org.sarif"))),
            (Format::Ocsf, Target::Local(out.join("ocsf"))),
            (Format::Asff, Target::Local(out.join("asff.json"))),
            (Format::Html, Target::Local(out.join("org.html"))),
        ]
        .into_iter()
        .filter(|(f, _)| wanted.contains(&f.as_str()))
        .collect(),
        ctx: Ctx::default(),
        input: dir.clone(),
        max_runs: merge::writers::GITHUB_MAX_RUNS,
        ocsf_lines: false,
    };
    let input = Store::local(dir);
    let start = Instant::now();
    let mut stderr = Vec::new();
    let code = merge::merge(&input, None, &req, &mut std::io::sink(), &mut stderr)?;
    let wall = start.elapsed().as_secs_f64();
    // Before anything else is read: the merge's own peak.
    let peak = peak_rss_kib();
    let doc: serde_json::Value = match std::fs::read(out.join("org.json")) {
        Ok(bytes) => serde_json::from_slice(&bytes)?,
        Err(_) => json!({}),
    };
    let output_bytes: u64 = walk(out)
        .iter()
        .map(|p| p.metadata().map_or(0, |m| m.len()))
        .sum();
    println!(
        "{}",
        json!({
            "wall_s": wall,
            "peak_rss_kib": peak,
            "start_rss_kib": rss_start,
            "exit": code,
            "findings": doc["findings"].as_array().map_or(0, Vec::len),
            "output_bytes": output_bytes,
        })
    );
    Ok(true)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if let Ok(entries) = std::fs::read_dir(&d) {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.push(path);
                }
            }
        }
    }
    files
}

fn child(args: &[String]) -> Result<serde_json::Value, Error> {
    let out = Command::new(std::env::current_exe()?)
        .args(args)
        .env("RUST_LIB_BACKTRACE", "0")
        .output()?;
    if !out.status.success() {
        return Err(format!(
            "child {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let text = String::from_utf8(out.stdout)?;
    let last = text.lines().last().ok_or("no output")?;
    Ok(serde_json::from_str(last)?)
}

fn parent(o: &Options) -> Result<bool, Error> {
    let root = match &o.keep {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("mlguard-org-bench-{}", std::process::id())),
    };
    eprintln!(
        "mlguard org merge benchmark: {:?} accounts, {} resources per kind per account ({BASES} distinct generated accounts), formats {}",
        o.accounts, o.scale, o.formats
    );
    let mut rows = Vec::new();
    for &n in &o.accounts {
        let dir = root.join(format!("org-{n}"));
        let out = root.join(format!("merged-{n}"));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&out);
        let g = child(&[
            "--child-generate".into(),
            dir.display().to_string(),
            n.to_string(),
            o.scale.to_string(),
        ])?;
        std::fs::create_dir_all(&out)?;
        let m = child(&[
            "--child-merge".into(),
            dir.display().to_string(),
            out.display().to_string(),
            o.formats.clone(),
        ])?;
        let report_mb = g["report_bytes"].as_f64().unwrap_or(0.0) / 1e6;
        let rss_mb = m["peak_rss_kib"].as_f64().unwrap_or(0.0) / 1024.0;
        let wall = m["wall_s"].as_f64().unwrap_or(0.0);
        println!(
            "accounts {n:>6}  reports {report_mb:>8.1} MB  findings {:>9}  outputs {:>8.1} MB  merge {wall:>7.2} s ({:.2} ms/account)  peak RSS {rss_mb:>7.1} MB",
            m["findings"],
            m["output_bytes"].as_f64().unwrap_or(0.0) / 1e6,
            1000.0 * wall / n as f64,
        );
        rows.push((n, rss_mb, wall));
        if o.keep.is_none() {
            let _ = std::fs::remove_dir_all(&dir);
            let _ = std::fs::remove_dir_all(&out);
        }
    }
    if o.keep.is_none() {
        let _ = std::fs::remove_dir_all(&root);
    }
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return Ok(true);
    };
    let ratio = last.1 / first.1.max(1.0);
    println!(
        "peak RSS {} accounts / {} accounts: {ratio:.2}x (target <= {FLAT}x); wall time ratio {:.2}x for {:.1}x the accounts",
        last.0,
        first.0,
        last.2 / first.2.max(1e-9),
        last.0 as f64 / first.0 as f64
    );
    if o.check && ratio > FLAT {
        eprintln!("FAIL: peak RSS grows with the number of accounts ({ratio:.2}x > {FLAT}x)");
        return Ok(false);
    }
    Ok(true)
}
