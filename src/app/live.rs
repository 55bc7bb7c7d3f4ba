//! `collect` and `scan`: the commands that read a live AWS account.

use super::{CliError, Io, emit, exit, load_config, plan_audit, run_audit};
use crate::app::cli::{AwsArgs, CollectCmd, ScanCmd};
use crate::collect::{self, Collected, Needs, Options, RegionChoice};
use crate::config::LoadedConfig;
use crate::engine::{PolicySet, RuleStatus};
use crate::report;
use crate::snapshot;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

/// Gaps listed one per line before the rest are counted.
const GAPS_SHOWN: usize = 10;

/// `--regions`, else the `regions` of mlguard.toml, else the configured region.
pub(crate) fn options(
    args: &AwsArgs,
    config: Option<&LoadedConfig>,
    needs: Needs,
    verbose: u8,
) -> Result<Options, CliError> {
    let mut needs = needs;
    needs.role_last_used |= args.role_last_used;
    let regions = match (args.regions.is_empty(), config) {
        (true, Some(cfg)) => cfg.config.regions.clone(),
        _ => args.regions.clone(),
    };
    Ok(Options {
        profile: args.profile.clone(),
        region: args.region.clone(),
        regions: RegionChoice::from_args(&regions)?,
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

/// Collects, then tells on stderr what it cost (`-v`, `--stats`) and what it missed
/// (unless `quiet`).
/// `(rule id, inputs)` of the rules a run evaluates: what a denied call leaves
/// not_assessed.
pub(crate) type RuleInputs = Vec<(String, Vec<String>)>;

pub(crate) fn rule_inputs<'a>(
    rules: impl Iterator<Item = &'a crate::engine::metadata::RuleMeta>,
) -> RuleInputs {
    rules.map(|m| (m.id.clone(), m.inputs.clone())).collect()
}

/// One `help:` line per operation the credentials were refused: who was refused, which
/// action, the least-privilege policy that grants it, and the rules left not_assessed.
pub(crate) fn denial_hints(
    gaps: &[crate::snapshot::Gap],
    caller: &str,
    rules: &RuleInputs,
) -> Vec<String> {
    let mut ops: Vec<String> = gaps
        .iter()
        .filter(|g| crate::remediate::apply::denied(&g.error_code))
        .map(|g| format!("{}:{}", g.service, g.operation))
        .collect();
    ops.sort();
    ops.dedup();
    let who = if caller.is_empty() {
        "the credentials".to_string()
    } else {
        caller.to_string()
    };
    ops.into_iter()
        .map(|op| {
            let mut affected: Vec<&str> = rules
                .iter()
                .filter(|(_, inputs)| inputs.contains(&op))
                .map(|(id, _)| id.as_str())
                .collect();
            affected.sort_unstable();
            let not_assessed = if affected.is_empty() {
                "no rule depends on it alone".to_string()
            } else {
                format!("not assessed without it: {}", affected.join(", "))
            };
            format!(
                "{who} may not call {op}: grant it with the least-privilege policy policies/iam/mlguard-scan-policy.json (every read mlguard makes, nothing else); {not_assessed}"
            )
        })
        .collect()
}

pub(crate) fn run(
    opts: &Options,
    args: &AwsArgs,
    verbose: u8,
    quiet: bool,
    rules: &RuleInputs,
    io: &mut Io<'_>,
) -> Result<(Collected, String), CliError> {
    let collected = collect::collect(opts)?;
    let summary = &collected.summary;
    if args.stats || verbose > 0 {
        io.stderr
            .write_all(summary.render(verbose > 1).as_bytes())?;
    }
    if !summary.gaps.is_empty() && !quiet {
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
        for hint in denial_hints(&summary.gaps, &summary.caller_arn, rules) {
            writeln!(io.stderr, "  help: {hint}")?;
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

pub(super) fn collect_cmd(cmd: CollectCmd, verbose: u8, io: &mut Io<'_>) -> Result<u8, CliError> {
    let config = load_config(&cmd.config)?;
    // The optional calls follow what the rules `audit` runs by default need.
    let set = PolicySet::load_with_fixes(true, &cmd.policy_dirs, crate::remediate::fixes::info)?;
    let needs = Needs::from_inputs(
        set.rules
            .iter()
            .filter(|r| r.meta.status != RuleStatus::Deprecated)
            .flat_map(|r| r.meta.inputs.iter().map(String::as_str)),
    );
    let opts = options(&cmd.aws, config.as_ref(), needs, verbose)?;
    let rules = rule_inputs(
        set.rules
            .iter()
            .filter(|r| r.meta.status != RuleStatus::Deprecated)
            .map(|r| &r.meta),
    );
    let (collected, text) = run(&opts, &cmd.aws, verbose, false, &rules, io)?;
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
    // Settings, policies and outputs are checked before anything is collected.
    let plan = plan_audit(&cmd.policy, &cmd.config, &cmd.report)?;
    let needs = Needs::from_inputs(
        plan.engine
            .rules()
            .iter()
            .filter(|r| plan.rule_ids.contains(&r.meta.id))
            .flat_map(|r| r.meta.inputs.iter().map(String::as_str)),
    );
    let opts = options(&cmd.aws, plan.config.as_ref(), needs, verbose)?;
    let rules = rule_inputs(
        plan.engine
            .rules()
            .iter()
            .filter(|r| plan.rule_ids.contains(&r.meta.id))
            .map(|r| &r.meta),
    );
    let (collected, text) = run(&opts, &cmd.aws, verbose, cmd.report.quiet, &rules, io)?;
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
    // The hash of the bytes `--save-snapshot` wrote (and `collect` would write).
    let snapshot_sha256 = if super::wants_evidence(&cmd.report)? {
        report::compliance::bytes_sha256(text.as_bytes())
    } else {
        String::new()
    };
    let code = run_audit(&plan, snap, &snapshot_sha256, &cmd.report, color, io)?;
    strict(&cmd.aws, &collected, code, io)
}
