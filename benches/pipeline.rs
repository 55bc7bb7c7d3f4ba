//! Benchmarks of mlguard's offline pipeline on generated snapshots (docs/performance.md):
//! load + normalize, evaluation of the built-in catalogue, and every report format, at
//! several sizes, with the per-resource cost and the peak RSS of each size.
//!
//!   cargo bench --no-default-features --bench pipeline -- [--sizes 1000,10000,100000] [--check]
//!
//! Each size runs in a child process of its own (generation in one, measurement in
//! another), so the peak RSS of one size (read from VmHWM) never includes another's.
//! `--check` exits 1 when a target of docs/performance.md does not hold.
//!
//! Other modes, for investigating: `--rules FILE` times each rule alone on a snapshot,
//! `--counts FILE` prints each rule's raw result counts (to compare with another engine).

// A benchmark reports on the terminal.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use clap::ValueEnum as _;
use mlguard::audit::{self, Selection};
use mlguard::engine::{Engine, Params, PolicySet, Strategy};
use mlguard::generate::{self, Counts, Spec};
use mlguard::report::{self, Ctx, Format};
use mlguard::snapshot;
use mlguard::suppress::Suppressions;
use serde_json::{Value as Json, json};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

/// Per-resource evaluation cost at the largest size may be at most this multiple of the
/// cost at the smallest (linear time).
const LINEARITY: f64 = 1.25;
/// Peak RSS at the largest size may be at most this multiple of the snapshot's JSON size.
const MEMORY: f64 = 2.5;

type Error = Box<dyn std::error::Error>;

struct Options {
    sizes: Vec<usize>,
    check: bool,
    keep: Option<PathBuf>,
    seed: u64,
    rate: f64,
    regions: usize,
    /// Also evaluate with OPA (`/work/shared/tools/opa-eval` or `MLGUARD_OPA_EVAL`).
    opa: bool,
}

impl Default for Options {
    /// What `scripts/bench.sh` measures.
    fn default() -> Options {
        Options {
            sizes: vec![1_000, 10_000, 100_000],
            check: false,
            keep: None,
            seed: 1,
            rate: 0.2,
            regions: 2,
            opa: false,
        }
    }
}

fn main() -> ExitCode {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this binary without it
    // (and perhaps with test filters): then only a smoke run on a tiny snapshot, in seconds.
    let benching = raw.iter().any(|a| a == "--bench");
    let args: Vec<String> = raw.into_iter().filter(|a| a != "--bench").collect();
    let result = match args.first().map(String::as_str) {
        Some("--child-generate") => child_generate(&args[1..]),
        Some("--child-measure") => child_measure(&args[1..]),
        Some("--rules") => per_rule(&args[1..]),
        Some("--counts") => counts(&args[1..]),
        Some("--compare") => compare(&args[1..]),
        Some("--opa-input") => opa_input(&args[1..]),
        _ if !benching => smoke(),
        _ => parse(&args).and_then(|o| parent(&o)),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::from(2)
        }
    }
}

/// The run `cargo test --all-targets` makes: every stage once on a tiny snapshot, so the
/// benchmark cannot rot, with no target checked (timings at this size mean nothing).
fn smoke() -> Result<bool, Error> {
    let o = Options {
        sizes: vec![10],
        ..Options::default()
    };
    parent(&o)?;
    Ok(true)
}

fn parse(args: &[String]) -> Result<Options, Error> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--sizes" => {
                o.sizes = value()?
                    .split(',')
                    .map(|s| s.trim().replace('_', "").parse())
                    .collect::<Result<_, _>>()?;
            }
            "--check" => o.check = true,
            "--opa" => o.opa = true,
            "--keep" => o.keep = Some(PathBuf::from(value()?)),
            "--seed" => o.seed = value()?.parse()?,
            "--violation-rate" => o.rate = value()?.parse()?,
            "--regions" => o.regions = value()?.parse()?,
            other => return Err(format!("unknown argument {other}").into()),
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

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn spec(n: usize, o: &Options) -> Spec {
    Spec {
        counts: Counts::uniform(n),
        regions: o.regions,
        seed: o.seed,
        violation_rate: o.rate,
    }
}

fn child_generate(args: &[String]) -> Result<bool, Error> {
    let [n, seed, rate, regions, path] = args else {
        return Err("--child-generate N SEED RATE REGIONS PATH".into());
    };
    let o = Options {
        seed: seed.parse()?,
        rate: rate.parse()?,
        regions: regions.parse()?,
        ..Options::default()
    };
    let start = Instant::now();
    let (bytes, summary) = generate::generate(&spec(n.parse()?, &o))?;
    report::write_atomic(Path::new(path), &bytes)?;
    println!(
        "{}",
        json!({"resources": summary.resources(), "violating": summary.violating(),
            "bytes": bytes.len(), "generate_s": secs(start.elapsed())})
    );
    Ok(true)
}

/// The engine, with the evaluation strategy `MLGUARD_BENCH_STRATEGY` names (the default is
/// the shipped one, the interpreter; `rvm` and `mixed` measure the experimental RVM
/// strategies, `per-entrypoint` one evaluation per entry point).
fn engine() -> Result<(Engine, Vec<String>), Error> {
    let set = PolicySet::load(true, &[])?;
    let mut engine = Engine::new(&set, &Params::default())?;
    match std::env::var("MLGUARD_BENCH_STRATEGY").as_deref() {
        Ok("per-entrypoint") => engine = engine.with_strategy(Strategy::PerEntrypoint)?,
        Ok("interpreter") => engine = engine.with_strategy(Strategy::Combined)?,
        Ok("rvm") => engine = engine.with_strategy(Strategy::Rvm)?,
        Ok("mixed") => engine = engine.with_strategy(Strategy::Mixed)?,
        _ => {}
    }
    let ids = Selection::default().resolve(engine.rules())?;
    Ok((engine, ids))
}

/// Runs `f` `repeats` times and keeps the fastest run (and its result).
fn best<T>(repeats: usize, mut f: impl FnMut() -> Result<T, Error>) -> Result<(f64, T), Error> {
    let mut out = None;
    for _ in 0..repeats.max(1) {
        let start = Instant::now();
        let value = f()?;
        let t = secs(start.elapsed());
        if out.as_ref().is_none_or(|(best, _)| t < *best) {
            out = Some((t, value));
        }
    }
    out.ok_or_else(|| "no run".into())
}

fn child_measure(args: &[String]) -> Result<bool, Error> {
    let [path, repeats] = args else {
        return Err("--child-measure PATH REPEATS".into());
    };
    let repeats: usize = repeats.parse()?;
    let path = Path::new(path);
    let rss_start = peak_rss_kib();
    let (setup_s, (engine, ids)) = best(1, engine)?;
    let rss_setup = peak_rss_kib();
    let (load_s, snap) = best(1, || Ok(snapshot::load_file(path)?))?;
    let rss_load = peak_rss_kib();
    let (eval_s, report) = best(repeats, || Ok(audit::audit(&engine, &snap, &ids)?))?;
    let rss_eval = peak_rss_kib();
    let denied = report.findings.len();
    let mut report = report;
    let (tags_s, ()) = best(1, || {
        let mut s = Suppressions::default();
        s.read_tags(&engine, &snap)?;
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).ok_or("date")?;
        s.apply(&mut report, today, &ids);
        Ok(())
    })?;
    report.source = "snapshot.json".into();
    let rss_tags = peak_rss_kib();
    // As `mlguard audit` does: reports are rendered from the findings alone.
    drop(snap);
    let ctx = Ctx::default();
    let mut reports = serde_json::Map::new();
    for &format in Format::value_variants() {
        let name = format.as_str();
        // Streamed, as `mlguard audit` writes a report to a file.
        let (t, bytes) = best(repeats, || {
            let mut sink = Counter(0);
            report::emitter(format).emit(&mut sink, &report, &ctx)?;
            Ok(sink.0)
        })?;
        reports.insert(name.into(), json!({"s": t, "bytes": bytes}));
    }
    let rss_peak = peak_rss_kib();
    println!(
        "{}",
        json!({
            "setup_s": setup_s, "load_s": load_s, "eval_s": eval_s, "tags_s": tags_s,
            "findings": report.findings.len(), "denied": denied,
            "judged": report.tallies.iter().map(|t| t.applicable).sum::<usize>(),
            "reports": reports,
            "rss_kib": {"start": rss_start, "setup": rss_setup, "load": rss_load, "eval": rss_eval,
                "tags": rss_tags, "peak": rss_peak},
            "threads": rayon::current_num_threads(),
        })
    );
    Ok(true)
}

fn run_child(args: &[String]) -> Result<Json, Error> {
    let exe = std::env::current_exe()?;
    // RUST_BACKTRACE=1 in a developer's shell would make every error regorus raises and
    // discards while evaluating capture a backtrace (measured: evaluation 1.6x slower);
    // measure mlguard as it runs in CI and for most users.
    let out = Command::new(exe)
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
    let line = text.lines().last().ok_or("child printed nothing")?;
    Ok(serde_json::from_str(line)?)
}

fn f(v: &Json) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn label(n: usize) -> String {
    if n >= 1000 && n.is_multiple_of(1000) {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}

fn parent(o: &Options) -> Result<bool, Error> {
    let dir = match &o.keep {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("mlguard-bench-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    eprintln!(
        "mlguard pipeline benchmark: sizes {:?} resources per kind, {} regions, violation rate {}, seed {}",
        o.sizes, o.regions, o.rate, o.seed
    );
    let mut rows = Vec::new();
    for &n in &o.sizes {
        let path = dir.join(format!("snapshot-{n}.json"));
        eprintln!("  {}: generating {}", label(n), path.display());
        let generated = run_child(&[
            "--child-generate".into(),
            n.to_string(),
            o.seed.to_string(),
            o.rate.to_string(),
            o.regions.to_string(),
            path.display().to_string(),
        ])?;
        // Small sizes are repeated and the fastest run kept: the machine is shared.
        let repeats = if n <= 2_000 {
            5
        } else if n <= 20_000 {
            2
        } else {
            1
        };
        eprintln!("  {}: measuring ({repeats} runs)", label(n));
        let measured = run_child(&[
            "--child-measure".into(),
            path.display().to_string(),
            repeats.to_string(),
        ])?;
        let mut measured = measured;
        if o.opa && n <= OPA_MAX {
            eprintln!("  {}: evaluating with OPA", label(n));
            measured["opa"] = opa(&dir, n, &path).unwrap_or_else(|e| {
                eprintln!("  OPA failed: {e}");
                Json::Null
            });
        }
        if o.keep.is_none() {
            let _ = std::fs::remove_file(&path);
        }
        rows.push((n, generated, measured));
    }
    if o.keep.is_none() {
        let _ = std::fs::remove_dir(&dir);
    }
    print_table(&rows);
    Ok(check(&rows, o.check))
}

fn print_table(rows: &[(usize, Json, Json)]) {
    let mut lines: Vec<(String, Vec<String>)> = Vec::new();
    let mut add = |name: &str, cell: &dyn Fn(&Json, &Json) -> String| {
        lines.push((
            name.to_string(),
            rows.iter().map(|(_, g, m)| cell(g, m)).collect(),
        ));
    };
    let per = |t: f64, g: &Json| t * 1e6 / f(&g["resources"]).max(1.0);
    add("resources", &|g, _| format!("{}", g["resources"]));
    add("snapshot JSON (MB)", &|g, _| {
        format!("{:.1}", f(&g["bytes"]) / 1e6)
    });
    add("findings", &|_, m| format!("{}", m["findings"]));
    add("engine setup (s)", &|_, m| {
        format!("{:.2}", f(&m["setup_s"]))
    });
    add("load + normalize (s)", &|_, m| {
        format!("{:.2}", f(&m["load_s"]))
    });
    add("  per resource (µs)", &|g, m| {
        format!("{:.1}", per(f(&m["load_s"]), g))
    });
    add("evaluate catalogue (s)", &|_, m| {
        format!("{:.2}", f(&m["eval_s"]))
    });
    add("  per resource (µs)", &|g, m| {
        format!("{:.1}", per(f(&m["eval_s"]), g))
    });
    add("suppression tags (s)", &|_, m| {
        format!("{:.2}", f(&m["tags_s"]))
    });
    for name in Format::value_variants().iter().map(|f| f.as_str()) {
        add(&format!("report {name} (s)"), &|_, m| {
            format!("{:.3}", f(&m["reports"][name]["s"]))
        });
    }
    add("  all reports per resource (µs)", &|g, m| {
        let total: f64 = Format::value_variants()
            .iter()
            .map(|format| f(&m["reports"][format.as_str()]["s"]))
            .sum();
        format!("{:.1}", per(total, g))
    });
    if rows.iter().any(|(_, _, m)| !m["opa"].is_null()) {
        let opa = |m: &Json, cell: &dyn Fn(&Json) -> String| {
            if m["opa"].is_null() {
                "-".to_string()
            } else {
                cell(m)
            }
        };
        add("OPA evaluation, warm (s)", &|_, m| {
            opa(m, &|m| format!("{:.2}", f(&m["opa"]["warm_s"])))
        });
        add("OPA denied / mlguard denied", &|_, m| {
            opa(m, &|m| format!("{}/{}", m["opa"]["deny"], m["denied"]))
        });
        add("mlguard eval / OPA eval", &|_, m| {
            opa(m, &|m| {
                format!("{:.2}", f(&m["eval_s"]) / f(&m["opa"]["warm_s"]).max(1e-9))
            })
        });
    }
    add("peak RSS after load (MB)", &|_, m| {
        format!("{:.0}", f(&m["rss_kib"]["load"]) * 1.024e-3)
    });
    add("peak RSS after eval (MB)", &|_, m| {
        format!("{:.0}", f(&m["rss_kib"]["eval"]) * 1.024e-3)
    });
    add("peak RSS (MB)", &|_, m| {
        format!("{:.0}", f(&m["rss_kib"]["peak"]) * 1.024e-3)
    });
    add("peak RSS / JSON size", &|g, m| {
        format!(
            "{:.2}",
            f(&m["rss_kib"]["peak"]) * 1024.0 / f(&g["bytes"]).max(1.0)
        )
    });
    let threads = rows
        .first()
        .map_or(0, |(_, _, m)| m["threads"].as_u64().unwrap_or(0));
    println!("\nmlguard pipeline benchmark (evaluation on {threads} threads)\n");
    let width = lines
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0);
    print!("{:width$}", "resources per kind");
    for (n, _, _) in rows {
        print!("  {:>10}", label(*n));
    }
    println!();
    for (name, cells) in &lines {
        print!("{name:width$}");
        for c in cells {
            print!("  {c:>10}");
        }
        println!();
    }
}

fn check(rows: &[(usize, Json, Json)], enforce: bool) -> bool {
    let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
        return true;
    };
    let per = |(_, g, m): &(usize, Json, Json)| f(&m["eval_s"]) / f(&g["resources"]).max(1.0);
    let ratio = per(last) / per(first).max(f64::MIN_POSITIVE);
    let memory = f(&last.2["rss_kib"]["peak"]) * 1024.0 / f(&last.1["bytes"]).max(1.0);
    let linear = ratio <= LINEARITY;
    let lean = memory <= MEMORY;
    let verdict = |ok: bool| if ok { "ok" } else { "MISSED" };
    println!();
    println!(
        "target: evaluation per resource at {} within {LINEARITY}x of {}: {ratio:.2}x  {}",
        label(last.0),
        label(first.0),
        verdict(linear)
    );
    println!(
        "target: peak RSS at {} at most {MEMORY}x the snapshot JSON: {memory:.2}x  {}",
        label(last.0),
        verdict(lean)
    );
    !enforce || (linear && lean)
}

/// `--rules FILE [ID...]`: each rule alone, slowest first.
fn per_rule(args: &[String]) -> Result<bool, Error> {
    let path = args.first().ok_or("--rules FILE [ID...]")?;
    let (engine, ids) = engine()?;
    let snap = snapshot::load_file(Path::new(path))?;
    let only: Vec<String> = args[1..].to_vec();
    let mut times = Vec::new();
    for id in ids.iter().filter(|id| only.is_empty() || only.contains(id)) {
        let (t, outcomes) = best(1, || {
            Ok(engine.evaluate(&snap, Some(std::slice::from_ref(id)))?)
        })?;
        let deny = outcomes.first().map_or(0, |o| o.deny.len());
        times.push((t, id.clone(), deny));
    }
    let total: f64 = times.iter().map(|(t, _, _)| t).sum();
    times.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (t, id, deny) in &times {
        println!("{id}  {t:8.3} s  {:5.1}%  {deny} denied", 100.0 * t / total);
    }
    println!("total {total:.3} s (one rule at a time)");
    Ok(true)
}

/// `--counts FILE`: each rule's package and raw result counts, and the evaluation time.
fn counts(args: &[String]) -> Result<bool, Error> {
    let path = args.first().ok_or("--counts FILE")?;
    let (engine, ids) = engine()?;
    let snap = snapshot::load_file(Path::new(path))?;
    let (t, outcomes) = best(3, || Ok(engine.evaluate(&snap, Some(&ids))?))?;
    let mut rules = serde_json::Map::new();
    for o in &outcomes {
        let package = engine
            .rules()
            .iter()
            .find(|r| r.meta.id == o.rule_id)
            .map(|r| r.data_path())
            .unwrap_or_default();
        rules.insert(
            o.rule_id.clone(),
            json!({"package": package, "deny": o.deny.len(), "applicable": o.applicable.len(),
                "not_assessed": o.not_assessed.len()}),
        );
    }
    println!(
        "{}",
        json!({"eval_s": t, "threads": rayon::current_num_threads(), "rules": rules})
    );
    Ok(true)
}

/// `--compare FILE [ID...]`: each rule's results with the interpreter and with the RVM,
/// and the first difference.
fn compare(args: &[String]) -> Result<bool, Error> {
    let path = args.first().ok_or("--compare FILE [ID...]")?;
    let set = PolicySet::load(true, &[])?;
    let interp = Engine::new(&set, &Params::default())?;
    let rvm = Engine::new(&set, &Params::default())?.with_strategy(Strategy::Rvm)?;
    let snap = snapshot::load_file(Path::new(path))?;
    let only: Vec<String> = args[1..].to_vec();
    let mut same = true;
    for rule in interp.rules() {
        let id = &rule.meta.id;
        if !only.is_empty() && !only.contains(id) {
            continue;
        }
        let ids = std::slice::from_ref(id);
        let (ti, a) = best(1, || Ok(interp.evaluate(&snap, Some(ids))?))?;
        let (tr, b) = match best(1, || Ok(rvm.evaluate(&snap, Some(ids))?)) {
            Ok(x) => x,
            Err(e) => {
                println!("{id}: RVM error: {e}");
                same = false;
                continue;
            }
        };
        let (a, b) = (&a[0], &b[0]);
        let mut diffs = Vec::new();
        for (name, x, y) in [
            ("deny", &a.deny, &b.deny),
            ("not_assessed", &a.not_assessed, &b.not_assessed),
        ] {
            if x != y {
                let only_x = x.iter().find(|p| !y.contains(p)).map(|p| &p.message);
                let only_y = y.iter().find(|q| !x.contains(q)).map(|q| &q.message);
                diffs.push(format!(
                    "{name} {} vs {} (only interpreter: {only_x:?}; only rvm: {only_y:?})",
                    x.len(),
                    y.len()
                ));
            }
        }
        let (x, y) = (&a.applicable, &b.applicable);
        if x != y {
            diffs.push(format!("applicable {} vs {}", x.len(), y.len()));
        }
        println!(
            "{id}: interpreter {ti:.3} s, rvm {tr:.3} s {}",
            if diffs.is_empty() {
                "same".to_string()
            } else {
                same = false;
                diffs.join("; ")
            }
        );
    }
    Ok(same)
}

/// `--opa-input SNAPSHOT OUT`: the policies' input (the snapshot as loaded and normalized),
/// as JSON for another engine.
fn opa_input(args: &[String]) -> Result<bool, Error> {
    let [path, out] = args else {
        return Err("--opa-input SNAPSHOT OUT".into());
    };
    let snap = snapshot::load_file(Path::new(path))?;
    let text = snap.input.to_json_str()?;
    report::write_atomic(Path::new(out), text.as_bytes())?;
    println!("{}", json!({"bytes": text.len()}));
    Ok(true)
}

/// OPA runs only up to this size: at 1k it takes 4 minutes, at 10k more than 20.
const OPA_MAX: usize = 1_000;

/// The same policies on the same input with OPA, through the `opa-eval` tool
/// (`MLGUARD_OPA_EVAL`, else `../shared/tools/opa-eval` beside the repository): one query
/// per pillar package (`data.mlguard.encryption` ...), which evaluates every rule of the
/// pillar; the input (the snapshot as mlguard loads and normalizes it) is parsed by OPA
/// for each query, one warm run after a cold one.
fn opa(dir: &Path, n: usize, snapshot_path: &Path) -> Result<Json, Error> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tool = std::env::var_os("MLGUARD_OPA_EVAL")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/tools/opa-eval"));
    if !tool.exists() {
        eprintln!("  OPA skipped: no {}", tool.display());
        return Ok(Json::Null);
    }
    let input = dir.join(format!("opa-input-{n}.json"));
    let results = dir.join(format!("opa-results-{n}.json"));
    run_child(&[
        "--opa-input".into(),
        snapshot_path.display().to_string(),
        input.display().to_string(),
    ])?;
    let pillars = ["encryption", "least_privilege", "network_isolation"];
    let out = Command::new(&tool)
        .arg("--policies")
        .arg(root.join("policies"))
        .arg("--skip-tests")
        .arg("--input")
        .arg(&input)
        .args(["--repeat", "1", "--out"])
        .arg(&results)
        .arg("--query")
        .args(pillars.map(|p| format!("data.mlguard.{p}")))
        .output()?;
    if !out.status.success() {
        return Err(format!("opa-eval failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    let summary: Json = serde_json::from_slice(&out.stdout)?;
    let values: Json = serde_json::from_slice(&std::fs::read(&results)?)?;
    let (mut cold, mut warm, mut deny) = (0.0, 0.0, 0);
    for (q, v) in summary["queries"].as_object().into_iter().flatten() {
        cold += f(&v["cold_ms"]) / 1e3;
        warm += f(&v["warm_best_ms"]) / 1e3;
        for rule in values[q].as_object().into_iter().flatten().map(|(_, r)| r) {
            deny += rule["deny"].as_array().map_or(0, Vec::len);
        }
    }
    let _ = std::fs::remove_file(&input);
    let _ = std::fs::remove_file(&results);
    Ok(json!({"cold_s": cold, "warm_s": warm, "deny": deny}))
}

/// Counts the bytes written to it.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
