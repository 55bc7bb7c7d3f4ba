//! What each subcommand does, between parsed arguments and an exit code. Output goes
//! through the writers the caller passes, never straight to the process's stdout.

use crate::audit::{self, AuditReport, Selection, SelectionError};
use crate::cli::{
    AuditCmd, Cli, ColorChoice, Command, ListFormat, PolicyArgs, PolicyCmd, ReportArgs, RulesCmd,
    RulesListCmd, SchemaCmd,
};
use crate::engine::testing::{self, TestOutcome};
use crate::engine::{self, Engine, EngineError, Params, PolicyError, PolicySet, RuleStatus};
use crate::report::{self, Ctx, Format, ReportError};
use crate::snapshot::{self, SnapshotError};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Exit codes (documented in the README).
pub mod exit {
    /// Nothing at or above `--fail-on`.
    pub const OK: u8 = 0;
    /// Findings at or above `--fail-on` (or failing policy tests, a non-empty plan).
    pub const FINDINGS: u8 = 1;
    /// Usage or input error.
    pub const ERROR: u8 = 2;
    /// Collection incomplete under `--strict`.
    pub const INCOMPLETE: u8 = 3;
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("--select/--ignore: {0}")]
    Selection(#[from] SelectionError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("cannot write {}: {source}", path.display())]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no rule with id `{0}`")]
    UnknownRule(String),
    #[error("invalid --trusted-cidr `{0}`: expected an IPv4 or IPv6 CIDR such as 203.0.113.0/24")]
    BadCidr(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("docs/rules is out of date: {0}")]
    DocsDrift(String),
    #[cfg(feature = "aws")]
    #[error(transparent)]
    Collect(#[from] crate::collect::CollectError),
}

impl CliError {
    pub fn hints(&self) -> Vec<String> {
        match self {
            CliError::Snapshot(e) => vec![e.hint()],
            CliError::Policy(e) => vec![e.hint()],
            CliError::Engine(e) => vec![e.hint()],
            CliError::Selection(_) | CliError::UnknownRule(_) => {
                vec!["`mlguard rules list` shows the rule ids".into()]
            }
            CliError::Output { .. } => {
                vec!["check that the directory exists and is writable".into()]
            }
            CliError::DocsDrift(_) => {
                vec!["run `cargo run -- rules docs` and commit docs/rules/".into()]
            }
            CliError::BadCidr(_) => {
                vec!["give the address and prefix length, e.g. --trusted-cidr 10.8.0.0/16".into()]
            }
            CliError::Io(_) | CliError::Report(_) => Vec::new(),
            #[cfg(feature = "aws")]
            CliError::Collect(e) => e.hints(),
        }
    }

    /// A closed stdout (`mlguard ... | head`) is not an error.
    pub fn is_broken_pipe(&self) -> bool {
        let kind = match self {
            CliError::Io(e)
            | CliError::Output { source: e, .. }
            | CliError::Report(ReportError::Io(e)) => Some(e.kind()),
            CliError::Report(ReportError::Json(e)) => e.io_error_kind(),
            _ => None,
        };
        kind == Some(std::io::ErrorKind::BrokenPipe)
    }
}

pub struct Io<'a> {
    pub stdout: &'a mut dyn Write,
    pub stderr: &'a mut dyn Write,
    /// Whether stdout is a terminal.
    pub stdout_tty: bool,
}

pub fn run(cli: Cli, io: &mut Io<'_>) -> Result<u8, CliError> {
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            io.stdout_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    match cli.command {
        Command::Audit(cmd) => audit_cmd(cmd, color, io),
        Command::Rules(RulesCmd::List(cmd)) => rules_list(cmd, io),
        Command::Rules(RulesCmd::Explain { id, policy_dirs }) => {
            rules_explain(&id, &policy_dirs, io)
        }
        Command::Rules(RulesCmd::Docs { root, out, check }) => rules_docs(&root, &out, check, io),
        Command::Policy(PolicyCmd::Test {
            dirs,
            run,
            no_builtin,
            list,
        }) => policy_test(&dirs, run.as_deref(), !no_builtin, list, io),
        Command::Schema(cmd) => schema_cmd(cmd, io),
        #[cfg(feature = "aws")]
        Command::Collect(cmd) => live::collect_cmd(cmd, cli.verbose, io),
        #[cfg(feature = "aws")]
        Command::Scan(cmd) => live::scan_cmd(cmd, color, cli.verbose, io),
    }
}

/// Loads the policies and builds the engine for `args`.
pub fn engine_for(args: &PolicyArgs) -> Result<(Engine, Vec<String>), CliError> {
    let mut params = Params::default();
    for cidr in &args.trusted_cidrs {
        if !valid_cidr(cidr) {
            return Err(CliError::BadCidr(cidr.clone()));
        }
        params.trusted_cidrs.push(cidr.clone());
    }
    let set = PolicySet::load(true, &args.policy_dirs)?;
    let engine = Engine::new(&set, &params)?;
    let selection = Selection {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
    };
    let ids = selection.resolve(engine.rules())?;
    Ok((engine, ids))
}

fn valid_cidr(cidr: &str) -> bool {
    let Some((addr, len)) = cidr.split_once('/') else {
        return false;
    };
    let Ok(len) = len.parse::<u8>() else {
        return false;
    };
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => len <= 32,
        Ok(std::net::IpAddr::V6(_)) => len <= 128,
        Err(_) => false,
    }
}

/// Writes rendered output to `--output` atomically, or to stdout.
pub fn emit(bytes: &[u8], output: Option<&Path>, io: &mut Io<'_>) -> Result<(), CliError> {
    match output {
        Some(path) => report::write_atomic(path, bytes).map_err(|source| CliError::Output {
            path: path.to_path_buf(),
            source,
        }),
        None => {
            io.stdout.write_all(bytes)?;
            io.stdout.flush()?;
            Ok(())
        }
    }
}

fn audit_cmd(cmd: AuditCmd, color: bool, io: &mut Io<'_>) -> Result<u8, CliError> {
    let (engine, ids) = engine_for(&cmd.policy)?;
    let snap = snapshot::load_file(&cmd.snapshot)?;
    let report = audit::audit(&engine, &snap, &ids)?;
    emit_report(&report, &cmd.report, color, io)
}

/// Renders a report as `args` ask and returns the exit code its findings call for.
pub fn emit_report(
    report: &AuditReport,
    args: &ReportArgs,
    color: bool,
    io: &mut Io<'_>,
) -> Result<u8, CliError> {
    let ctx = Ctx {
        color: color && args.output.is_none() && args.format == Format::Table,
        fail_on: args.fail_on.threshold(),
        ..Ctx::default()
    };
    let bytes = report::render(args.format, report, &ctx)?;
    emit(&bytes, args.output.as_deref(), io)?;
    Ok(if report.gating(ctx.fail_on) > 0 {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

fn rules_list(cmd: RulesListCmd, io: &mut Io<'_>) -> Result<u8, CliError> {
    let set = PolicySet::load(true, &cmd.policy_dirs)?;
    let rules: Vec<_> = set
        .rules
        .iter()
        .filter(|r| cmd.pillar.is_none_or(|p| r.meta.pillar == p))
        .filter(|r| cmd.severity.is_none_or(|s| r.meta.severity >= s))
        .filter(|r| {
            cmd.framework
                .as_deref()
                .is_none_or(|f| r.meta.frameworks.get(f).is_some_and(|ids| !ids.is_empty()))
        })
        .collect();
    match cmd.format {
        ListFormat::Json => {
            let metas: Vec<_> = rules.iter().map(|r| &r.meta).collect();
            let mut bytes = serde_json::to_vec_pretty(&metas).map_err(ReportError::from)?;
            bytes.push(b'\n');
            emit(&bytes, None, io)?;
        }
        ListFormat::Table => {
            let mut grid = comfy_table::Table::new();
            grid.load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
                .force_no_tty();
            grid.set_header(vec![
                "Id",
                "Severity",
                "Pillar",
                "Title",
                "Frameworks",
                "Status",
            ]);
            for r in &rules {
                let fw: Vec<String> = r
                    .meta
                    .frameworks
                    .iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| format!("{k}: {}", v.join(", ")))
                    .collect();
                grid.add_row(vec![
                    r.meta.id.clone(),
                    r.meta.severity.to_string(),
                    r.meta.pillar.to_string(),
                    r.meta.title.clone(),
                    fw.join("; "),
                    r.meta.status.as_str().to_string(),
                ]);
            }
            let text = format!("{grid}\n{} rules\n", rules.len());
            emit(text.as_bytes(), None, io)?;
        }
    }
    Ok(exit::OK)
}

fn rules_explain(id: &str, dirs: &[PathBuf], io: &mut Io<'_>) -> Result<u8, CliError> {
    let set = PolicySet::load(true, dirs)?;
    let rule = set
        .rule(&id.to_ascii_uppercase())
        .ok_or_else(|| CliError::UnknownRule(id.to_string()))?;
    let text = match (&rule.source.origin, engine::builtin_doc(&rule.meta.id)) {
        (engine::Origin::Builtin, Some(doc)) => doc.to_string(),
        _ => engine::docs::render(&rule.meta, None),
    };
    let mut text = text;
    if rule.meta.status == RuleStatus::Deprecated {
        text.push_str("\nThis rule is deprecated: it runs only when selected by id.\n");
    }
    emit(text.as_bytes(), None, io)?;
    Ok(exit::OK)
}

fn rules_docs(root: &Path, out: &Path, check: bool, io: &mut Io<'_>) -> Result<u8, CliError> {
    let set = PolicySet::load(true, &[])?;
    let engine = Engine::new(&set, &Params::default())?;
    let pages = crate::docgen::generate(&engine, root);
    let mut stale = Vec::new();
    for (name, text) in &pages {
        let path = out.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
            if !check {
                std::fs::create_dir_all(out)?;
                report::write_atomic(&path, text.as_bytes())
                    .map_err(|source| CliError::Output { path, source })?;
            }
        }
    }
    if check && !stale.is_empty() {
        return Err(CliError::DocsDrift(stale.join(", ")));
    }
    writeln!(
        io.stdout,
        "{} rule pages, {} {}",
        pages.len(),
        stale.len(),
        if check { "stale" } else { "written" }
    )?;
    Ok(exit::OK)
}

fn policy_test(
    dirs: &[PathBuf],
    filter: Option<&str>,
    builtin: bool,
    list: bool,
    io: &mut Io<'_>,
) -> Result<u8, CliError> {
    let set = PolicySet::load(builtin, dirs)?;
    // Loading the engine first surfaces metadata and compile errors with their file names.
    Engine::new(&set, &Params::default())?;
    let results = testing::run(&set, &Params::default(), filter)?;
    let (mut passed, mut failed) = (0, 0);
    for r in &results {
        let label = match &r.outcome {
            TestOutcome::Pass => {
                passed += 1;
                "PASS"
            }
            TestOutcome::Fail => {
                failed += 1;
                "FAIL"
            }
            TestOutcome::Error(_) => {
                failed += 1;
                "ERROR"
            }
        };
        if list || r.outcome != TestOutcome::Pass {
            write!(
                io.stdout,
                "{}: data.{}.{}: {label} ({:.1?})",
                r.file, r.package, r.name, r.duration
            )?;
            if let TestOutcome::Error(e) = &r.outcome {
                write!(io.stdout, "\n  {}", e.replace('\n', "\n  "))?;
            }
            writeln!(io.stdout)?;
        }
    }
    writeln!(io.stdout, "{passed} passed, {failed} failed")?;
    Ok(if failed > 0 || results.is_empty() {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

fn schema_cmd(cmd: SchemaCmd, io: &mut Io<'_>) -> Result<u8, CliError> {
    let mut bytes =
        serde_json::to_vec_pretty(&snapshot::json_schema()).map_err(ReportError::from)?;
    bytes.push(b'\n');
    emit(&bytes, cmd.output.as_deref(), io)?;
    Ok(exit::OK)
}

/// Whether stdout is a terminal (for callers building [`Io`]).
pub fn stdout_is_tty() -> bool {
    std::io::stdout().is_terminal()
}

/// `collect` and `scan`: the commands that read a live AWS account.
#[cfg(feature = "aws")]
mod live {
    use super::{CliError, Io, emit, emit_report, engine_for, exit};
    use crate::audit;
    use crate::cli::{AwsArgs, CollectCmd, ScanCmd};
    use crate::collect::{self, Collected, Needs, Options, RegionChoice};
    use crate::engine::{PolicySet, RuleStatus};
    use crate::report;
    use crate::snapshot;
    use std::io::IsTerminal;
    use std::path::Path;
    use std::time::Duration;

    /// Gaps listed one per line before the rest are counted.
    const GAPS_SHOWN: usize = 10;

    fn options(args: &AwsArgs, needs: Needs, verbose: u8) -> Result<Options, CliError> {
        let mut needs = needs;
        needs.role_last_used |= args.role_last_used;
        Ok(Options {
            profile: args.profile.clone(),
            region: args.region.clone(),
            regions: RegionChoice::from_args(&args.regions)?,
            role_arn: args.role_arn.clone(),
            external_id: args.external_id.clone(),
            role_session_name: args.role_session_name.clone(),
            endpoint_url: args.endpoint_url.clone(),
            concurrency: args.concurrency as usize,
            max_attempts: args.max_attempts,
            attempt_timeout: Duration::from_secs(args.attempt_timeout),
            needs,
            max_training_jobs: args.max_training_jobs,
            progress: verbose == 0 && std::io::stderr().is_terminal(),
        })
    }

    /// Collects, then tells on stderr what it cost (`-v`, `--stats`) and what it missed.
    fn run(
        args: &AwsArgs,
        needs: Needs,
        verbose: u8,
        io: &mut Io<'_>,
    ) -> Result<(Collected, String), CliError> {
        let collected = collect::collect(&options(args, needs, verbose)?)?;
        let summary = &collected.summary;
        if args.stats || verbose > 0 {
            io.stderr
                .write_all(summary.render(verbose > 1).as_bytes())?;
        }
        if !summary.gaps.is_empty() {
            writeln!(
                io.stderr,
                "warning: snapshot incomplete: {} API {} failed; rules that need them report not_assessed",
                summary.gaps.len(),
                if summary.gaps.len() == 1 {
                    "call"
                } else {
                    "calls"
                }
            )?;
            for g in summary.gaps.iter().take(GAPS_SHOWN) {
                let on = g
                    .resource
                    .as_deref()
                    .map(|r| format!(" {r}"))
                    .unwrap_or_default();
                writeln!(
                    io.stderr,
                    "  {}:{} {}{on}: {}: {}",
                    g.service, g.operation, g.region, g.error_code, g.message
                )?;
            }
            if summary.gaps.len() > GAPS_SHOWN {
                writeln!(
                    io.stderr,
                    "  ... and {} more (the snapshot lists them all under `gaps`)",
                    summary.gaps.len() - GAPS_SHOWN
                )?;
            }
        }
        let text = collect::render(&collected.snapshot);
        Ok((collected, text))
    }

    /// Exit 3 under `--strict` when the snapshot is incomplete.
    fn strict(
        args: &AwsArgs,
        collected: &Collected,
        code: u8,
        io: &mut Io<'_>,
    ) -> Result<u8, CliError> {
        if args.strict && !collected.summary.gaps.is_empty() {
            writeln!(
                io.stderr,
                "error: collection incomplete under --strict ({} gaps)",
                collected.summary.gaps.len()
            )?;
            return Ok(exit::INCOMPLETE);
        }
        Ok(code)
    }

    pub(super) fn collect_cmd(
        cmd: CollectCmd,
        verbose: u8,
        io: &mut Io<'_>,
    ) -> Result<u8, CliError> {
        // The optional calls follow what the rules `audit` will run by default need.
        let set = PolicySet::load(true, &cmd.policy_dirs)?;
        let needs = Needs::from_inputs(
            set.rules
                .iter()
                .filter(|r| r.meta.status != RuleStatus::Deprecated)
                .flat_map(|r| r.meta.inputs.iter().map(String::as_str)),
        );
        let (collected, text) = run(&cmd.aws, needs, verbose, io)?;
        let name = cmd.output.as_deref().unwrap_or(Path::new("snapshot.json"));
        // What mlguard writes, mlguard reads: refuse to write a snapshot `audit` would reject.
        snapshot::load_str(&text, name)?;
        emit(text.as_bytes(), cmd.output.as_deref(), io)?;
        strict(&cmd.aws, &collected, exit::OK, io)
    }

    pub(super) fn scan_cmd(
        cmd: ScanCmd,
        color: bool,
        verbose: u8,
        io: &mut Io<'_>,
    ) -> Result<u8, CliError> {
        let (engine, ids) = engine_for(&cmd.policy)?;
        let needs = Needs::from_inputs(
            engine
                .rules()
                .iter()
                .filter(|r| ids.contains(&r.meta.id))
                .flat_map(|r| r.meta.inputs.iter().map(String::as_str)),
        );
        let (collected, text) = run(&cmd.aws, needs, verbose, io)?;
        if let Some(path) = &cmd.save_snapshot {
            report::write_atomic(path, text.as_bytes()).map_err(|source| CliError::Output {
                path: path.clone(),
                source,
            })?;
        }
        // The same bytes `collect` writes, through the same loader `audit` uses.
        let name = cmd
            .save_snapshot
            .as_deref()
            .unwrap_or(Path::new("snapshot.json"));
        let mut snap = snapshot::load_str(&text, name)?;
        snap.source = cmd.save_snapshot.clone();
        let report = audit::audit(&engine, &snap, &ids)?;
        let code = emit_report(&report, &cmd.report, color, io)?;
        strict(&cmd.aws, &collected, code, io)
    }
}
