//! What each subcommand does, between parsed arguments and an exit code. Output goes
//! through the writers the caller passes, never straight to the process's stdout.

use crate::app::cli::{
    AuditCmd, Cli, ColorChoice, Command, CompletionsCmd, ConfigArgs, FailOn, GenerateCmd, InitCmd,
    ListFormat, ManCmd, PolicyArgs, PolicyCmd, ReportArgs, RulesCmd, RulesListCmd, SchemaCmd,
    SchemaKind,
};
use crate::audit::{self, AuditReport, Selection, SelectionError};
use crate::baseline::{Baseline, BaselineError};
use crate::config::{self, ConfigError, LoadedConfig};
use crate::engine::testing::{self, TestOutcome};
use crate::engine::{self, Engine, EngineError, Params, PolicyError, PolicySet, RuleStatus};
use crate::findings::{Severity, Status};
use crate::remediate::fixes;
use crate::report::{self, Ctx, Format, ReportError};
use crate::snapshot::{self, LoadedSnapshot, SnapshotError};
use crate::suppress::Suppressions;
use chrono::NaiveDate;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Exit codes (documented in the README).
pub mod cli;
pub mod remediate;

pub mod exit {
    /// Nothing at or above `--fail-on`.
    pub const OK: u8 = 0;
    /// Findings at or above `--fail-on` (or failing policy tests, a non-empty plan).
    pub const FINDINGS: u8 = 1;
    /// Usage or input error.
    pub const ERROR: u8 = 2;
    /// Collection incomplete under `--strict`.
    pub const INCOMPLETE: u8 = 3;
    /// A remediation, harden, teardown or rollback left work undone: a call failed, an
    /// action was skipped for drift, or rollback refused a resource changed since.
    pub const CHANGE_INCOMPLETE: u8 = 4;
    /// `org scan`: some accounts failed (their status.json says why); `org merge`: some
    /// accounts failed or are missing.
    pub const ACCOUNTS_INCOMPLETE: u8 = 5;
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
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Baseline(#[from] BaselineError),
    #[error("{0}")]
    Usage(String),
    #[error("MLGUARD_TODAY=`{0}` is not a date (YYYY-MM-DD)")]
    BadToday(String),
    #[error("MLGUARD_FILE_MODE=`{0}` is not an octal file mode such as 0600 or 0640")]
    BadFileMode(String),
    #[error(transparent)]
    Generate(#[from] crate::generate::GenerateError),
    #[cfg(feature = "aws")]
    #[error(transparent)]
    Collect(#[from] crate::collect::CollectError),
    #[error(transparent)]
    Remediate(#[from] crate::remediate::RemediateError),
    #[error(transparent)]
    Org(#[from] crate::org::OrgError),
    #[error(transparent)]
    OrgMerge(Box<crate::org::merge::MergeError>),
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
            CliError::BadCidr(_) => {
                vec!["give the address and prefix length, e.g. --trusted-cidr 10.8.0.0/16".into()]
            }
            CliError::Config(e) => vec![e.hint()],
            CliError::Baseline(e) => vec![e.hint()],
            CliError::Usage(_) => vec![
                "give each extra format its own file: `--format table --format sarif=mlguard.sarif`".into(),
            ],
            CliError::BadToday(_) => {
                vec!["unset MLGUARD_TODAY to use today's date (UTC)".into()]
            }
            CliError::BadFileMode(_) => vec![
                "unset MLGUARD_FILE_MODE to write reports, snapshots, plans and journals owner-only (0600)".into(),
            ],
            CliError::Generate(_) => {
                vec!["see `mlguard generate --help` for the options".into()]
            }
            CliError::Report(ReportError::Evidence(_)) => vec![
                "`mlguard rules list --framework NAME` lists a framework's controls; please report a framework definition that fails to load".into(),
            ],
            CliError::Io(_) | CliError::Report(_) => Vec::new(),
            #[cfg(feature = "aws")]
            CliError::Collect(e) => e.hints(),
            CliError::Remediate(e) => vec![e.hint()],
            CliError::Org(e) => vec![e.hint()],
            CliError::OrgMerge(e) => e.hints(),
        }
    }

    /// A closed stdout (`mlguard ... | head`) is not an error.
    pub fn is_broken_pipe(&self) -> bool {
        let kind = match self {
            CliError::Io(e)
            | CliError::Output { source: e, .. }
            | CliError::Report(ReportError::Io(e)) => Some(e.kind()),
            CliError::Report(ReportError::Json(e)) => e.io_error_kind(),
            CliError::Report(ReportError::Csv(e)) => match e.kind() {
                ::csv::ErrorKind::Io(io) => Some(io.kind()),
                _ => None,
            },
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
    // Before anything is read or collected: a bad mode would only fail at the first write.
    report::account_data_mode().map_err(CliError::BadFileMode)?;
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
        Command::Policy(PolicyCmd::Test {
            dirs,
            run,
            no_builtin,
            list,
        }) => policy_test(&dirs, run.as_deref(), !no_builtin, list, io),
        Command::Schema(cmd) => schema_cmd(cmd, io),
        Command::Init(cmd) => init_cmd(cmd, io),
        Command::Completions(cmd) => completions_cmd(cmd, io),
        Command::Man(cmd) => man_cmd(cmd, io),
        Command::Generate(cmd) => generate_cmd(cmd, io),
        #[cfg(feature = "aws")]
        Command::Collect(cmd) => live::collect_cmd(cmd, cli.verbose, io),
        #[cfg(feature = "aws")]
        Command::Scan(cmd) => live::scan_cmd(cmd, color, cli.verbose, io),
        Command::Remediate(cmd) => crate::app::remediate::remediate(cmd, cli.verbose, io),
        #[cfg(feature = "aws")]
        Command::Rollback(cmd) => crate::app::remediate::rollback(cmd, cli.verbose, io),
        #[cfg(feature = "aws")]
        Command::Harden(cmd) => crate::app::remediate::harden(cmd, cli.verbose, io),
        #[cfg(feature = "aws")]
        Command::Teardown(cmd) => crate::app::remediate::teardown(cmd, cli.verbose, io),
        Command::Org(cmd) => org_cmd(cmd, color, cli.verbose, io),
    }
}

/// `mlguard org ...`.
fn org_cmd(
    cmd: crate::app::cli::OrgCmd,
    color: bool,
    verbose: u8,
    io: &mut Io<'_>,
) -> Result<u8, CliError> {
    use crate::app::cli::OrgCmd;
    match cmd {
        #[cfg(feature = "aws")]
        OrgCmd::Plan(cmd) => crate::org::plan::command(*cmd, io),
        #[cfg(feature = "aws")]
        OrgCmd::Scan(cmd) => crate::org::scan::command(*cmd, color, verbose, io),
        OrgCmd::Merge(args) => {
            let _ = verbose;
            crate::org::merge::command(args, color, io)
        }
    }
}

/// Writes rendered output that can hold account data to `--output` atomically (owner-only),
/// or to stdout.
pub fn emit(bytes: &[u8], output: Option<&Path>, io: &mut Io<'_>) -> Result<(), CliError> {
    emit_as(bytes, output, report::Access::AccountData, io)
}

/// [`emit`] for output of the given kind (a man page or schema is [`report::Access::Public`]).
pub fn emit_as(
    bytes: &[u8],
    output: Option<&Path>,
    access: report::Access,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    match output {
        Some(path) => {
            report::write_atomic_as(path, bytes, access).map_err(|source| CliError::Output {
                path: path.to_path_buf(),
                source,
            })
        }
        None => {
            io.stdout.write_all(bytes)?;
            io.stdout.flush()?;
            Ok(())
        }
    }
}

fn audit_cmd(cmd: AuditCmd, color: bool, io: &mut Io<'_>) -> Result<u8, CliError> {
    let plan = plan_audit(&cmd.policy, &cmd.config, &cmd.report)?;
    let snap = snapshot::load_file(&cmd.snapshot)?;
    // Hashed after a successful load, so the hash is of a file mlguard accepted.
    let snapshot_sha256 = if wants_evidence(&cmd.report)? {
        report::compliance::file_sha256(&cmd.snapshot).map_err(|e| {
            CliError::Snapshot(SnapshotError::Read {
                path: cmd.snapshot.clone(),
                source: e,
            })
        })?
    } else {
        String::new()
    };
    run_audit(&plan, snap, &snapshot_sha256, &cmd.report, color, io)
}

/// Whether the reports need framework evidence: `--framework`, or a CSV report.
pub fn wants_evidence(args: &ReportArgs) -> Result<bool, CliError> {
    Ok(!args.frameworks.is_empty() || output_plan(args)?.iter().any(|(f, _)| *f == Format::Csv))
}

/// Finds and reads the configuration: `--config FILE` (or `$MLGUARD_CONFIG`), else
/// `./mlguard.toml` when it exists; none with `--no-config`.
pub fn load_config(args: &ConfigArgs) -> Result<Option<LoadedConfig>, CliError> {
    if args.no_config {
        return Ok(None);
    }
    if let Some(path) = &args.config {
        return Ok(Some(LoadedConfig::load(path)?));
    }
    let default = Path::new(config::FILE_NAME);
    if default.is_file() {
        return Ok(Some(LoadedConfig::load(default)?));
    }
    Ok(None)
}

/// "Today" for suppression expiry: `$MLGUARD_TODAY` (YYYY-MM-DD) when set, else the UTC date.
pub fn today() -> Result<NaiveDate, CliError> {
    match std::env::var("MLGUARD_TODAY") {
        Ok(text) if !text.is_empty() => config::parse_date(&text).ok_or(CliError::BadToday(text)),
        _ => Ok(chrono::Utc::now().date_naive()),
    }
}

/// Everything an audit needs besides the snapshot, resolved from the command line,
/// mlguard.toml and the built-in defaults (in that order of precedence).
pub struct AuditPlan {
    pub engine: Engine,
    /// The rules that run.
    pub rule_ids: Vec<String>,
    /// The ids and aliases of every loaded rule, run or not.
    pub known_rules: Vec<String>,
    /// `None` under `--no-suppress`.
    pub suppressions: Option<Suppressions>,
    pub fail_on: Option<Severity>,
    pub baseline: Option<Baseline>,
    /// The configuration file read, if any (`regions` is for `scan`/`collect`).
    pub config: Option<LoadedConfig>,
    pub today: NaiveDate,
    /// sha256 of the policies and the settings that change results (framework evidence).
    pub policy_set_sha256: String,
}

/// Resolves the settings of an audit and loads the policies; fails early (exit 2) on a bad
/// configuration, baseline, policy or output list, before anything is evaluated.
pub fn plan_audit(
    policy: &PolicyArgs,
    config_args: &ConfigArgs,
    report: &ReportArgs,
) -> Result<AuditPlan, CliError> {
    output_plan(report)?;
    let config = load_config(config_args)?;
    let mut set = PolicySet::load_with_fixes(true, &policy.policy_dirs, fixes::info)?;
    let mut params = Params::default();
    let (mut select, mut ignore, mut fail_on) = (Vec::new(), Vec::new(), None);
    if let Some(cfg) = &config {
        cfg.check_rule_ids(&set.rules)?;
        for (id, severity) in &cfg.config.severity {
            if let Some(rule) = set.rules.iter_mut().find(|r| r.is(id)) {
                rule.meta.severity = *severity;
            }
        }
        params = cfg.params();
        select.clone_from(&cfg.config.select);
        ignore.clone_from(&cfg.config.ignore);
        fail_on = cfg.config.fail_on;
    }
    if !policy.trusted_cidrs.is_empty() {
        for cidr in &policy.trusted_cidrs {
            if !config::valid_cidr(cidr) {
                return Err(CliError::BadCidr(cidr.clone()));
            }
        }
        params.trusted_cidrs.clone_from(&policy.trusted_cidrs);
    }
    if !policy.select.is_empty() {
        select.clone_from(&policy.select);
    }
    if !policy.ignore.is_empty() {
        ignore.clone_from(&policy.ignore);
    }
    let fail_on = report.fail_on.or(fail_on).unwrap_or(FailOn::High);
    let engine = Engine::new(&set, &params)?;
    let rule_ids = Selection { select, ignore }.resolve(engine.rules())?;
    let suppressions = match (&config, config_args.no_suppress) {
        (_, true) => None,
        (Some(cfg), false) => Some(Suppressions::from_config(cfg)?),
        (None, false) => Some(Suppressions::default()),
    };
    let baseline = report.baseline.as_deref().map(Baseline::load).transpose()?;
    let run: Vec<(String, Severity)> = engine
        .rules()
        .iter()
        .filter(|r| rule_ids.contains(&r.meta.id))
        .map(|r| (r.meta.id.clone(), r.meta.severity))
        .collect();
    let policy_set_sha256 = report::compliance::policy_set_sha256(
        &set,
        &run,
        &params,
        match (&config, config_args.no_suppress) {
            (_, true) => None,
            (Some(cfg), false) => Some(cfg.config.suppress.as_slice()),
            (None, false) => Some(&[]),
        },
    );
    Ok(AuditPlan {
        known_rules: engine
            .rules()
            .iter()
            .flat_map(|r| std::iter::once(&r.meta.id).chain(&r.meta.aliases))
            .cloned()
            .collect(),
        engine,
        rule_ids,
        suppressions,
        fail_on: fail_on.threshold(),
        baseline,
        config,
        today: today()?,
        policy_set_sha256,
    })
}

/// A snapshot evaluated under a plan: the report (suppressions and the baseline applied),
/// the rendering context, and the warnings to show.
pub struct Evaluated {
    pub report: AuditReport,
    pub ctx: Ctx,
    pub warnings: Vec<String>,
}

/// Evaluates a snapshot under a plan, applies suppressions and the baseline, and builds the
/// framework evidence when `evidence_wanted`, and what fixing the findings costs when
/// `fix_cost_wanted` (`--fix-cost`). Takes the snapshot, and drops it once the
/// findings are known: reports are rendered from the findings alone. `scan`, `audit` and each
/// account of `org scan` evaluate here.
pub fn evaluate(
    plan: &AuditPlan,
    snap: LoadedSnapshot,
    snapshot_sha256: &str,
    frameworks_asked: &[String],
    evidence_wanted: bool,
    fix_cost_wanted: bool,
) -> Result<Evaluated, CliError> {
    let mut report = if evidence_wanted {
        audit::audit_keeping_passes(&plan.engine, &snap, &plan.rule_ids)?
    } else {
        audit::audit(&plan.engine, &snap, &plan.rule_ids)?
    };
    let mut warnings: Vec<String> = Vec::new();
    if let Some(suppressions) = &plan.suppressions {
        let mut suppressions = suppressions.clone();
        suppressions.read_tags(&plan.engine, &snap)?;
        warnings.extend(
            suppressions
                .apply(&mut report, plan.today, &plan.known_rules)
                .iter()
                .map(ToString::to_string),
        );
    }
    let fix_cost = if fix_cost_wanted {
        Some(std::sync::Arc::new(crate::app::remediate::fix_cost(
            plan, &snap,
        )?))
    } else {
        None
    };
    drop(snap);
    // Evidence covers the whole account: the findings a baseline hides stay in it.
    let before_baseline =
        (evidence_wanted && plan.baseline.is_some()).then(|| report.findings.clone());
    if let Some(baseline) = &plan.baseline {
        if !baseline.account_id.is_empty() && baseline.account_id != report.metadata.account_id {
            warnings.push(format!(
                "baseline {} is for account {}, this audit for account {}: no finding can match",
                baseline.path, baseline.account_id, report.metadata.account_id
            ));
        }
        baseline.apply(&mut report);
    }
    let evidence = evidence_wanted.then(|| {
        let mut frameworks: Vec<String> = Vec::new();
        for f in frameworks_asked {
            if !frameworks.contains(f) {
                frameworks.push(f.clone());
            }
        }
        let kept: std::collections::BTreeSet<&str> = report
            .findings
            .iter()
            .map(|f| f.fingerprint.as_str())
            .collect();
        let hidden = before_baseline
            .unwrap_or_default()
            .into_iter()
            .filter(|f| !kept.contains(f.fingerprint.as_str()))
            .collect();
        std::sync::Arc::new(report::compliance::Evidence {
            csv_frameworks: if frameworks.is_empty() {
                report::compliance::mapped_frameworks(&report)
            } else {
                frameworks.clone()
            },
            frameworks,
            snapshot_sha256: snapshot_sha256.to_string(),
            policy_set_sha256: plan.policy_set_sha256.clone(),
            audited_on: plan.today.format("%Y-%m-%d").to_string(),
            hidden,
        })
    });
    let ctx = Ctx {
        fail_on: plan.fail_on,
        evidence,
        fix_cost,
        ..Ctx::default()
    };
    Ok(Evaluated {
        report,
        ctx,
        warnings,
    })
}

/// Evaluates a snapshot under a plan ([`evaluate`]), writes every report, tells stderr what
/// matters (unless `--quiet`), and returns the exit code. `audit` and `scan` both end here.
pub fn run_audit(
    plan: &AuditPlan,
    snap: LoadedSnapshot,
    snapshot_sha256: &str,
    args: &ReportArgs,
    color: bool,
    io: &mut Io<'_>,
) -> Result<u8, CliError> {
    let evidence_wanted = wants_evidence(args)?;
    let Evaluated {
        report,
        ctx,
        mut warnings,
    } = evaluate(
        plan,
        snap,
        snapshot_sha256,
        &args.frameworks,
        evidence_wanted,
        args.fix_cost,
    )?;
    let outputs = output_plan(args)?;
    if outputs.iter().any(|(f, _)| *f == Format::Sarif) {
        warnings.extend(report::sarif::limit_warnings(&report, &ctx));
    }
    write_reports(&report, args, &ctx, color, io)?;
    if !args.quiet {
        for w in &warnings {
            writeln!(io.stderr, "warning: {w}")?;
        }
        let table_on_stdout = outputs
            .iter()
            .any(|(f, path)| *f == Format::Table && path.is_none());
        for (format, path) in &outputs {
            if let Some(path) = path {
                writeln!(
                    io.stderr,
                    "mlguard: wrote the {} report to {}",
                    format.as_str(),
                    path.display()
                )?;
            }
        }
        if !table_on_stdout {
            write_summary(&report, &ctx, io)?;
        }
    }
    Ok(if report.gating(ctx.fail_on) > 0 {
        exit::FINDINGS
    } else {
        exit::OK
    })
}

/// Where each report goes: `(format, Some(file))`, or `None` for stdout. A format without
/// `=FILE` goes to `--output` when given; at most one may.
pub fn output_plan(args: &ReportArgs) -> Result<Vec<(Format, Option<PathBuf>)>, CliError> {
    let specs = if args.formats.is_empty() {
        vec![crate::app::cli::FormatSpec {
            format: Format::Table,
            path: None,
        }]
    } else {
        args.formats.clone()
    };
    let bare: Vec<&str> = specs
        .iter()
        .filter(|s| s.path.is_none())
        .map(|s| s.format.as_str())
        .collect();
    if bare.len() > 1 {
        return Err(CliError::Usage(format!(
            "--format {} all go to {}: at most one format may go there",
            bare.join(", --format "),
            args.output
                .as_ref()
                .map_or("stdout".to_string(), |p| p.display().to_string())
        )));
    }
    if bare.is_empty()
        && let Some(output) = &args.output
    {
        return Err(CliError::Usage(format!(
            "--output {} is for the format without `=FILE`, and every --format names its own file",
            output.display()
        )));
    }
    let plan: Vec<(Format, Option<PathBuf>)> = specs
        .into_iter()
        .map(|s| (s.format, s.path.or_else(|| args.output.clone())))
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for path in plan.iter().filter_map(|(_, p)| p.as_ref()) {
        if !seen.insert(path.clone()) {
            return Err(CliError::Usage(format!(
                "two reports would be written to {}",
                path.display()
            )));
        }
    }
    Ok(plan)
}

/// Renders every requested format, then writes each one: files atomically, the one without
/// a file to stdout. Nothing is written when a format fails to render.
pub fn write_reports(
    report: &AuditReport,
    args: &ReportArgs,
    ctx: &Ctx,
    color: bool,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let outputs = output_plan(args)?;
    // Reports to files are streamed into temporary files (a large report is never held in
    // memory), renamed into place once every format has rendered.
    let mut files = Vec::new();
    let mut to_stdout = None;
    for (format, path) in outputs {
        let ctx = Ctx {
            color: color && path.is_none() && format == Format::Table,
            ..ctx.clone()
        };
        match path {
            Some(path) => {
                let failed = |source| CliError::Output {
                    path: path.clone(),
                    source,
                };
                let mut file = report::AtomicFile::create(&path).map_err(failed)?;
                let mut out = std::io::BufWriter::with_capacity(1 << 16, file.as_file_mut());
                report::emitter(format).emit(&mut out, report, &ctx)?;
                out.flush().map_err(failed)?;
                drop(out);
                files.push((file, path));
            }
            None => to_stdout = Some(report::render(format, report, &ctx)?),
        }
    }
    for (file, path) in files {
        file.persist()
            .map_err(|source| CliError::Output { path, source })?;
    }
    if let Some(bytes) = to_stdout {
        emit(&bytes, None, io)?;
    }
    Ok(())
}

/// The summary on stderr when no table (which ends with the same summary) is on stdout.
fn write_summary(report: &AuditReport, ctx: &Ctx, io: &mut Io<'_>) -> Result<(), CliError> {
    let failed = report.count(Status::Fail);
    let by_severity: Vec<String> = report
        .failed_by_severity()
        .iter()
        .map(|(sev, n)| format!("{n} {sev}"))
        .collect();
    write!(io.stderr, "mlguard: {failed} failed")?;
    if !by_severity.is_empty() {
        write!(io.stderr, " ({})", by_severity.join(", "))?;
    }
    writeln!(
        io.stderr,
        ", {} suppressed, {} not assessed across {} {}; overall score {:.1}%",
        report.count(Status::Suppressed),
        report.count(Status::NotAssessed),
        report.rules.len(),
        if report.rules.len() == 1 {
            "rule"
        } else {
            "rules"
        },
        report.scores.overall
    )?;
    writeln!(io.stderr, "mlguard: findings: {}", report.registry())?;
    if let Some(b) = &report.baseline {
        writeln!(
            io.stderr,
            "mlguard: baseline {}: {} new, {} unchanged, {} fixed",
            b.file, b.new, b.unchanged, b.fixed
        )?;
    }
    match ctx.fail_on {
        Some(t) => {
            let gating = report.gating(ctx.fail_on);
            if gating > 0 {
                writeln!(
                    io.stderr,
                    "mlguard: {gating} {} at or above {t}: failing (exit 1)",
                    if gating == 1 { "finding" } else { "findings" }
                )?;
            } else {
                writeln!(io.stderr, "mlguard: nothing at or above {t}: passing")?;
            }
        }
        None => writeln!(
            io.stderr,
            "mlguard: --fail-on none: findings do not fail the run"
        )?,
    }
    Ok(())
}

fn init_cmd(cmd: InitCmd, io: &mut Io<'_>) -> Result<u8, CliError> {
    if cmd.path.exists() && !cmd.force {
        return Err(ConfigError::Exists { path: cmd.path }.into());
    }
    report::write_atomic_as(
        &cmd.path,
        config::template::TEMPLATE.as_bytes(),
        report::Access::Public,
    )
    .map_err(|source| CliError::Output {
        path: cmd.path.clone(),
        source,
    })?;
    writeln!(
        io.stdout,
        "Wrote {}: every setting is documented in it; uncomment what you need.",
        cmd.path.display()
    )?;
    Ok(exit::OK)
}

fn completions_cmd(cmd: CompletionsCmd, io: &mut Io<'_>) -> Result<u8, CliError> {
    use clap::CommandFactory;
    let mut buf = Vec::new();
    clap_complete::generate(cmd.shell, &mut Cli::command(), "mlguard", &mut buf);
    emit(&buf, None, io)?;
    Ok(exit::OK)
}

fn man_cmd(cmd: ManCmd, io: &mut Io<'_>) -> Result<u8, CliError> {
    use clap::CommandFactory;
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
    emit_as(&buf, cmd.output.as_deref(), report::Access::Public, io)?;
    Ok(exit::OK)
}

fn rules_list(cmd: RulesListCmd, io: &mut Io<'_>) -> Result<u8, CliError> {
    let set = PolicySet::load_with_fixes(true, &cmd.policy_dirs, fixes::info)?;
    let rules: Vec<_> = set
        .rules
        .iter()
        .filter(|r| cmd.pillar.is_none_or(|p| r.meta.pillar == p))
        .filter(|r| cmd.severity.is_none_or(|s| r.meta.severity >= s))
        .cloned()
        .collect();
    if let Some(key) = &cmd.framework {
        return framework_list(key, &rules, cmd.format, io);
    }
    match cmd.format {
        ListFormat::Json => {
            let metas: Vec<_> = rules.iter().map(|r| &r.meta).collect();
            emit_pretty_json(&metas, io)?;
        }
        ListFormat::Table => {
            let mut grid = listing_grid();
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
                    .framework_ids()
                    .iter()
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

/// Pretty JSON and a final newline, to stdout.
fn emit_pretty_json<T: serde::Serialize>(value: &T, io: &mut Io<'_>) -> Result<(), CliError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(ReportError::from)?;
    bytes.push(b'\n');
    emit(&bytes, None, io)
}

/// The grid `rules list` prints.
fn listing_grid() -> comfy_table::Table {
    let mut grid = comfy_table::Table::new();
    grid.load_style(comfy_table::presets::UTF8_FULL_CONDENSED)
        .force_no_tty();
    grid
}

/// `rules list --framework NAME`: the framework's control set, each control with the rules
/// that evidence it and how fully, and the controls no rule evidences.
fn framework_list(
    key: &str,
    rules: &[engine::Rule],
    format: ListFormat,
    io: &mut Io<'_>,
) -> Result<u8, CliError> {
    use report::compliance::{self, ControlCoverage};
    let framework = engine::frameworks::get(key)
        .map_err(ReportError::Evidence)?
        .ok_or_else(|| ReportError::Evidence(format!("unknown framework `{key}`")))?;
    let controls = compliance::catalog(framework, rules);
    let count = |c| controls.iter().filter(|x| x.coverage == c).count();
    let (full, partial, none) = (
        count(ControlCoverage::Full),
        count(ControlCoverage::Partial),
        count(ControlCoverage::None),
    );
    match format {
        ListFormat::Json => {
            let doc = serde_json::json!({
                "framework": framework,
                "summary": {"controls": controls.len(), "full": full, "partial": partial, "not_evidenced": none},
                "controls": controls,
            });
            emit_pretty_json(&doc, io)?;
        }
        ListFormat::Table => {
            let mut grid = listing_grid();
            grid.set_header(vec!["Control", "Coverage", "Rules", "Title"]);
            for c in &controls {
                let rules: Vec<String> = c
                    .rules
                    .iter()
                    .map(|r| format!("{} ({})", r.id, r.coverage.as_str()))
                    .collect();
                grid.add_row(vec![
                    c.id.to_string(),
                    if c.rules.is_empty() {
                        "not evidenced".to_string()
                    } else {
                        c.coverage.as_str().to_string()
                    },
                    rules.join("\n"),
                    c.title.to_string(),
                ]);
            }
            let text = format!(
                "{name} ({version})\nSource: {source}\nControls listed: {scope}\nMappings: {mappings}\n{grid}\n{n} controls: {full} evidenced fully, {partial} partially, {none} not evidenced by mlguard\n",
                name = framework.name,
                version = framework.version,
                source = framework.source,
                scope = framework.scope,
                mappings = framework.mappings,
                n = controls.len(),
            );
            emit(text.as_bytes(), None, io)?;
        }
    }
    Ok(exit::OK)
}

fn rules_explain(id: &str, dirs: &[PathBuf], io: &mut Io<'_>) -> Result<u8, CliError> {
    let set = PolicySet::load_with_fixes(true, dirs, fixes::info)?;
    let rule = set
        .rule(&id.to_ascii_uppercase())
        .ok_or_else(|| CliError::UnknownRule(id.to_string()))?;
    let text = match (&rule.source.origin, engine::builtin_doc(&rule.meta.id)) {
        (engine::Origin::Builtin, Some(doc)) => doc.to_string(),
        _ => engine::docs::render(&rule.meta, None, fixes::info),
    };
    let mut text = text;
    if rule.meta.status == RuleStatus::Deprecated {
        text.push_str("\nThis rule is deprecated: it runs only when selected by id.\n");
    }
    emit(text.as_bytes(), None, io)?;
    Ok(exit::OK)
}

fn policy_test(
    dirs: &[PathBuf],
    filter: Option<&str>,
    builtin: bool,
    list: bool,
    io: &mut Io<'_>,
) -> Result<u8, CliError> {
    let set = PolicySet::load_with_fixes(builtin, dirs, fixes::info)?;
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
    let schema = match cmd.kind {
        SchemaKind::Snapshot => snapshot::json_schema(),
        SchemaKind::Config => config::json_schema(),
        SchemaKind::OrgManifest => crate::org::model::manifest_json_schema(),
    };
    let mut bytes = serde_json::to_vec_pretty(&schema).map_err(ReportError::from)?;
    bytes.push(b'\n');
    emit_as(&bytes, cmd.output.as_deref(), report::Access::Public, io)?;
    Ok(exit::OK)
}

fn generate_cmd(cmd: GenerateCmd, io: &mut Io<'_>) -> Result<u8, CliError> {
    use crate::generate::{self, Counts, Spec};
    let n = cmd.scale;
    let counts = Counts {
        roles: cmd.roles.unwrap_or(n),
        policies: cmd.policies.unwrap_or(n),
        buckets: cmd.buckets.unwrap_or(n),
        keys: cmd.keys.unwrap_or(n),
        vpcs: cmd.vpcs.unwrap_or(n),
        subnets: cmd.subnets.unwrap_or(n),
        security_groups: cmd.security_groups.unwrap_or(n),
        network_acls: cmd.network_acls.unwrap_or(n),
        notebooks: cmd.notebooks.unwrap_or(n),
        domains: cmd.domains.unwrap_or(n),
        training_jobs: cmd.training_jobs.unwrap_or(n),
        models: cmd.models.unwrap_or(n),
        endpoint_configs: cmd.endpoint_configs.unwrap_or(n),
    };
    let spec = Spec {
        counts,
        regions: cmd.regions,
        seed: cmd.seed,
        violation_rate: cmd.violation_rate,
    };
    let (bytes, summary) = generate::generate(&spec)?;
    emit(&bytes, cmd.output.as_deref(), io)?;
    writeln!(
        io.stderr,
        "mlguard: generated {} resources ({} violating) in {} regions, {} bytes{}",
        summary.resources(),
        summary.violating(),
        spec.regions,
        bytes.len(),
        cmd.output
            .as_ref()
            .map_or(String::new(), |p| format!(", to {}", p.display()))
    )?;
    Ok(exit::OK)
}

/// Whether stdout is a terminal (for callers building [`Io`]).
pub fn stdout_is_tty() -> bool {
    std::io::stdout().is_terminal()
}

#[cfg(feature = "aws")]
pub(crate) mod live;
