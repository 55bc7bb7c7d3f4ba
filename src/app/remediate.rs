//! The remediation subcommands: `remediate` (plan, apply), `rollback`, `harden`, `teardown`.
//! Plans print as a diff on stdout; progress, confirmations and summaries go to stderr.

use crate::app::cli::{CostArgs, FixArgs, RemediateCmd, ReportArgs};
use crate::app::{AuditPlan, CliError, Io, emit, exit, plan_audit};
use crate::audit::{self, AuditReport};
use crate::engine::Params;
use crate::findings::Status;
use crate::remediate::RemediateError;
use crate::remediate::cost::{self, EndpointShape, Pricing};
use crate::remediate::fixes::{self, RemediationInput, RuleFixes, Scope};
use crate::remediate::plan::{Plan, PlanOptions, PlanSource, ScoresBefore, render_diff};
use crate::snapshot::{self, LoadedSnapshot};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn check_fix_args(f: &FixArgs) -> Result<(), RemediateError> {
    if let Some(c) = &f.allowed_cidr {
        crate::cidr::check_allowed(c).map_err(RemediateError::AllowedCidr)?;
    }
    if let Some(d) = &f.flow_logs_destination
        && !(d.starts_with("arn:") && d.contains(":s3:::") && !d.ends_with(":::"))
    {
        return Err(RemediateError::BadArgument {
            flag: "--flow-logs-destination",
            value: d.clone(),
            why: "not an S3 bucket ARN",
        });
    }
    if let Some(k) = &f.kms_key
        && !key_reference(k)
    {
        return Err(RemediateError::BadArgument {
            flag: "--kms-key",
            value: k.clone(),
            why: "not a KMS key ARN, key id or alias",
        });
    }
    Ok(())
}

/// A KMS key ARN, alias ARN, key id (`1234abcd-...`, `mrk-...`) or `alias/NAME`.
fn key_reference(k: &str) -> bool {
    let arn = k.starts_with("arn:")
        && k.contains(":kms:")
        && (k.contains(":key/") || k.contains(":alias/"));
    let alias = k
        .strip_prefix("alias/")
        .is_some_and(|n| !n.is_empty() && !n.contains(char::is_whitespace));
    let id = !k.is_empty()
        && k.len() <= 64
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && (k.starts_with("mrk-") || k.matches('-').count() == 4);
    arn || alias || id
}

/// The price data of `--pricing` (else the shipped one), checked with `--max-monthly-cost`
/// before anything is read from AWS.
fn pricing(args: &CostArgs) -> Result<Pricing, RemediateError> {
    if let Some(limit) = args.max_monthly_cost
        && !(limit.is_finite() && limit >= 0.0)
    {
        return Err(RemediateError::BadArgument {
            flag: "--max-monthly-cost",
            value: limit.to_string(),
            why: "not an amount of US dollars",
        });
    }
    Ok(Pricing::load(args.pricing.as_deref())?)
}

/// Prices the plan (the estimate goes into the diff and the plan file).
fn price_plan(plan: &mut Plan, pricing: &Pricing, endpoints: &BTreeMap<String, EndpointShape>) {
    plan.cost = Some(cost::estimate(plan, pricing, endpoints));
}

fn plan_options(f: &FixArgs) -> PlanOptions {
    PlanOptions {
        allowed_cidr: f.allowed_cidr.clone(),
        flow_logs_destination: f.flow_logs_destination.clone(),
        kms_key: f.kms_key.clone(),
        buckets: f.buckets.clone(),
        vpc_cidr: None,
    }
}

/// The audit's findings, suppressions applied (suppressed findings are not fixed).
fn findings(ap: &AuditPlan, snap: &LoadedSnapshot) -> Result<AuditReport, CliError> {
    let mut report = audit::audit(&ap.engine, snap, &ap.rule_ids)?;
    if let Some(sup) = &ap.suppressions {
        let mut sup = sup.clone();
        sup.read_tags(&ap.engine, snap)?;
        sup.apply(&mut report, ap.today, &ap.known_rules);
    }
    Ok(report)
}

/// A library rule that yields a set of strings (the remediation scope). A failed
/// evaluation, a rule no loaded policy defines, or a value of another shape is an error: an
/// empty set in its place would silently change the plan.
fn string_set(
    ap: &AuditPlan,
    snap: &LoadedSnapshot,
    rule: &str,
) -> Result<BTreeSet<String>, RemediateError> {
    let error = |message: String| RemediateError::Scope {
        rule: rule.to_string(),
        message,
    };
    let value = ap
        .engine
        .eval_library(snap, rule)
        .map_err(|e| error(e.to_string()))?;
    if matches!(value, regorus::Value::Undefined) {
        return Err(error(
            "no loaded policy defines it (it is in the built-in policies)".into(),
        ));
    }
    let text = value.to_json_str().map_err(|e| error(e.to_string()))?;
    serde_json::from_str::<BTreeSet<String>>(&text)
        .map_err(|e| error(format!("expected a set of strings, got {text} ({e})")))
}

/// The parameters the audit ran with, as the fixes need them.
fn params_of(ap: &AuditPlan, trusted: &[String]) -> Params {
    let mut params = ap.config.as_ref().map(|c| c.params()).unwrap_or_default();
    if !trusted.is_empty() {
        params.trusted_cidrs = trusted.to_vec();
    }
    params
}

/// Makes the remediation plan of a snapshot.
fn make_plan(
    ap: &AuditPlan,
    snap: &LoadedSnapshot,
    trusted: &[String],
    options: PlanOptions,
    source: PlanSource,
) -> Result<Plan, CliError> {
    let report = findings(ap, snap)?;
    let params = params_of(ap, trusted);
    let scope = Scope {
        referenced_roles: string_set(ap, snap, "data.mlguard.lib.scope.referenced_roles")?,
        security_group_ids: string_set(ap, snap, "data.mlguard.lib.scope.security_group_ids")?,
        referenced_keys: string_set(ap, snap, "data.mlguard.lib.scope.referenced_keys")?,
        name_globs: params.scope_name_globs.clone(),
        scope_tag: params.scope_tag.clone(),
        admin_ports: params.admin_ports.clone(),
        trusted_cidrs: params.trusted_cidrs.clone(),
    };
    let fixes: RuleFixes = ap
        .engine
        .rules()
        .iter()
        .map(|r| {
            (
                r.meta.id.clone(),
                (
                    r.meta.remediation.action.clone(),
                    r.meta.remediation.text.clone(),
                ),
            )
        })
        .collect();
    let json: Value = snap
        .input
        .to_json_str()
        .map_err(|e| RemediateError::SnapshotJson(e.to_string()))
        .and_then(|t| {
            serde_json::from_str(&t).map_err(|e| RemediateError::SnapshotJson(e.to_string()))
        })?;
    let scores_before = Some(ScoresBefore {
        overall: report.scores.overall,
        by_pillar: report
            .scores
            .pillars
            .iter()
            .map(|(p, s)| (p.as_str().to_string(), s.score))
            .collect::<BTreeMap<_, _>>(),
        failed: report.count(Status::Fail),
    });
    Ok(fixes::plan_remediation(RemediationInput {
        snapshot: &json,
        findings: &report.findings,
        fixes: &fixes,
        scope: &scope,
        options,
        source,
        created_at: crate::remediate::journal::now(),
        scores_before,
    }))
}

/// What the remediation plan of an audit's findings costs (`--fix-cost`): planned with no
/// options, priced with the shipped price data.
pub(crate) fn fix_cost(ap: &AuditPlan, snap: &LoadedSnapshot) -> Result<cost::FixCost, CliError> {
    let source = PlanSource {
        kind: "snapshot".into(),
        file: Some(snap.display_name()),
        collected_at: snap.metadata.collected_at.clone().unwrap_or_default(),
    };
    let plan = make_plan(ap, snap, &[], PlanOptions::default(), source)?;
    let pricing = Pricing::load(None).map_err(RemediateError::from)?;
    Ok(cost::FixCost {
        estimate: cost::estimate(&plan, &pricing, &BTreeMap::new()),
        changes: plan.actions.iter().filter(|a| a.is_change()).count(),
        manual: plan
            .actions
            .iter()
            .filter(|a| a.applicability == crate::findings::Applicability::Manual)
            .count(),
    })
}

/// Prints the diff, writes the plan file.
fn show_plan(plan: &Plan, output: Option<&Path>, io: &mut Io<'_>) -> Result<(), CliError> {
    emit(render_diff(plan).as_bytes(), None, io)?;
    if let Some(path) = output {
        crate::report::write_atomic(path, plan.to_json().as_bytes()).map_err(|source| {
            CliError::Output {
                path: path.to_path_buf(),
                source,
            }
        })?;
        writeln!(io.stderr, "mlguard: wrote the plan to {}", path.display())?;
    }
    Ok(())
}

/// How old a snapshot is, in hours (`None` when its time stamp is unreadable).
fn age_hours(collected_at: &str) -> Option<i64> {
    let t = chrono::DateTime::parse_from_rfc3339(collected_at).ok()?;
    Some((chrono::Utc::now() - t.with_timezone(&chrono::Utc)).num_hours())
}

/// `mlguard remediate`.
pub fn remediate(cmd: RemediateCmd, verbose: u8, io: &mut Io<'_>) -> Result<u8, CliError> {
    check_fix_args(&cmd.fix)?;
    let prices = pricing(&cmd.cost)?;
    #[cfg(feature = "aws")]
    if let Some(Some(path)) = &cmd.apply {
        let mut plan = Plan::load(path).map_err(RemediateError::from)?;
        if plan.cost.is_none() || cmd.cost.pricing.is_some() {
            price_plan(&mut plan, &prices, &BTreeMap::new());
        }
        if plan.kind != crate::remediate::plan::PlanKind::Remediate {
            return Err(RemediateError::Usage(format!(
                "{} is a {} plan: apply it with `mlguard {}`",
                path.display(),
                plan.kind.as_str(),
                plan.kind.as_str()
            ))
            .into());
        }
        emit(render_diff(&plan).as_bytes(), None, io)?;
        return live::apply_remediation(plan, &cmd, verbose, io);
    }
    let mut policy = cmd.policy.clone();
    if let Some(c) = &cmd.fix.allowed_cidr
        && !policy.trusted_cidrs.contains(c)
    {
        policy.trusted_cidrs.push(c.clone());
    }
    let ap = plan_audit(&policy, &cmd.config, &ReportArgs::default())?;
    #[cfg_attr(not(feature = "aws"), allow(unused_mut))]
    let mut fix_options = plan_options(&cmd.fix);
    let (snap, source) = match &cmd.snapshot {
        Some(_)
            if cmd
                .fix
                .kms_key
                .as_ref()
                .is_some_and(|k| !(k.starts_with("arn:") && k.contains(":key/"))) =>
        {
            return Err(RemediateError::BadArgument {
                flag: "--kms-key",
                value: cmd.fix.kms_key.clone().unwrap_or_default(),
                why: "a snapshot cannot resolve a key id or alias",
            }
            .into());
        }
        Some(path) => {
            let snap = snapshot::load_file(path)?;
            let collected_at = snap.metadata.collected_at.clone().unwrap_or_default();
            if cmd.max_age > 0 && age_hours(&collected_at).is_none() {
                return Err(RemediateError::Usage(format!(
                    "{}: metadata.collected_at is missing or unreadable, so the snapshot's age is unknown; pass --max-age 0 to plan from it anyway",
                    path.display()
                ))
                .into());
            }
            if cmd.max_age > 0
                && let Some(hours) = age_hours(&collected_at)
                && hours > cmd.max_age as i64
            {
                return Err(RemediateError::Stale {
                    file: path.display().to_string(),
                    collected_at,
                    hours,
                }
                .into());
            }
            let source = PlanSource {
                kind: "snapshot".into(),
                file: Some(snap.display_name()),
                collected_at,
            };
            (snap, source)
        }
        None => {
            #[cfg(feature = "aws")]
            {
                if let Some(key) = &cmd.fix.kms_key {
                    let arn = live::resolve_key(&cmd, key, verbose)?;
                    fix_options.kms_key = Some(arn);
                }
                live::scan(&cmd, &ap, verbose, io)?
            }
            #[cfg(not(feature = "aws"))]
            {
                let _ = verbose;
                return Err(RemediateError::Usage(
                    "this mlguard was built without AWS access: plan from a snapshot with --snapshot FILE".into(),
                )
                .into());
            }
        }
    };
    let mut plan = make_plan(&ap, &snap, &policy.trusted_cidrs, fix_options, source)?;
    price_plan(&mut plan, &prices, &BTreeMap::new());
    show_plan(&plan, cmd.output.as_deref(), io)?;
    #[cfg(feature = "aws")]
    if matches!(cmd.apply, Some(None)) {
        return live::apply_remediation(plan, &cmd, verbose, io);
    }
    Ok(if plan.actions.is_empty() {
        exit::OK
    } else {
        exit::FINDINGS
    })
}

#[cfg(feature = "aws")]
mod live {
    use super::*;
    use crate::app::cli::{AwsArgs, AwsConnArgs, HardenCmd, RollbackCmd, TeardownCmd};
    use crate::app::live::{options, rule_inputs, run};
    use crate::collect::{Needs, Options, RegionChoice};
    use crate::findings::Applicability;
    use crate::remediate::apply::aws::{AwsTarget, KeyLookup};
    use crate::remediate::apply::{self, ApplyOptions, Outcome, Runner};
    use crate::remediate::harden::{self, HardenOptions};
    use crate::remediate::journal::{self, Journal, Phase};
    use crate::remediate::rollback::{self, RollbackOptions};
    use crate::remediate::target::Target;
    use std::io::{BufRead, IsTerminal};
    use std::time::Duration;

    /// `--max-monthly-cost`: refuses a plan that adds more than the limit.
    fn check_budget(
        plan: &Plan,
        args: &CostArgs,
        allow_unsafe: bool,
    ) -> Result<(), RemediateError> {
        let Some(limit) = args.max_monthly_cost else {
            return Ok(());
        };
        let total = (cost::applied_monthly_cost(plan, allow_unsafe) * 100.0).round() / 100.0;
        if total > limit {
            return Err(RemediateError::OverBudget { total, limit });
        }
        Ok(())
    }

    /// A journal path that does not exist yet: `mlguard-<what>-<UTC time>.jsonl`.
    fn default_journal(what: &str) -> std::path::PathBuf {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let mut path = std::path::PathBuf::from(format!("mlguard-{what}-{stamp}.jsonl"));
        let mut n = 1;
        while path.exists() {
            path = std::path::PathBuf::from(format!("mlguard-{what}-{stamp}-{n}.jsonl"));
            n += 1;
        }
        path
    }

    /// Counts for a confirmation question.
    fn describe_changes(plan: &Plan, allow_unsafe: bool) -> String {
        let safe = plan
            .actions
            .iter()
            .filter(|a| a.is_change() && a.applicability == Applicability::Safe)
            .count();
        let unsafe_ = plan
            .actions
            .iter()
            .filter(|a| a.is_change() && a.applicability == Applicability::Unsafe)
            .count();
        if allow_unsafe {
            format!("{} actions ({safe} safe, {unsafe_} unsafe)", safe + unsafe_)
        } else {
            format!("{safe} safe actions ({unsafe_} unsafe held back)")
        }
    }

    /// Asks on the terminal; refuses without one unless `yes`.
    fn confirm(question: &str, yes: bool, io: &mut Io<'_>) -> Result<bool, CliError> {
        if yes {
            return Ok(true);
        }
        if !std::io::stdin().is_terminal() {
            return Err(RemediateError::NoConfirmation.into());
        }
        write!(io.stderr, "{question} [y/N] ")?;
        io.stderr.flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        let ok = matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes");
        if !ok {
            writeln!(io.stderr, "mlguard: nothing was changed")?;
        }
        Ok(ok)
    }

    fn conn_options(args: &AwsConnArgs) -> Options {
        Options {
            profile: args.profile.clone(),
            region: args.region.clone(),
            regions: RegionChoice::Configured,
            role_arn: args.role_arn.clone(),
            external_id: args.external_id.clone(),
            role_session_name: args.role_session_name.clone(),
            endpoint_url: args.endpoint_url.clone(),
            concurrency: 1,
            max_attempts: args.max_attempts,
            attempt_timeout: Duration::from_secs(args.attempt_timeout),
            needs: Needs::default(),
            max_training_jobs: 0,
            progress: false,
        }
    }

    /// The ARN of `--kms-key` (an id, alias or ARN) in the region the plan targets; when it
    /// is not there, where in the account it is.
    pub(super) fn resolve_key(
        cmd: &RemediateCmd,
        key: &str,
        verbose: u8,
    ) -> Result<String, CliError> {
        let opts = options(&cmd.aws, None, Needs::default(), verbose)?;
        let named = cmd.aws.regions.iter().find(|r| *r != "all");
        let fallback = named.map(String::as_str);
        let target = AwsTarget::connect(&opts, fallback)?;
        // An ARN names its region; an id or alias is looked up where the plan goes.
        let region = match key.strip_prefix("arn:") {
            Some(rest) => rest.split(':').nth(2).unwrap_or(&target.home).to_string(),
            None => named.cloned().unwrap_or_else(|| target.home.clone()),
        };
        match target
            .find_key(key, &region)
            .map_err(RemediateError::Read)?
        {
            KeyLookup::Found(arn) => Ok(arn),
            KeyLookup::Elsewhere { region: r, arn } => Err(RemediateError::KeyNotFound {
                key: key.to_string(),
                region,
                found: Some((r, arn)),
                searched: 0,
            }
            .into()),
            KeyLookup::Nowhere { searched } => Err(RemediateError::KeyNotFound {
                key: key.to_string(),
                region,
                found: None,
                searched: searched.saturating_sub(1),
            }
            .into()),
        }
    }

    /// Collects the account for a plan (the same collection as `scan`).
    pub(super) fn scan(
        cmd: &RemediateCmd,
        ap: &AuditPlan,
        verbose: u8,
        io: &mut Io<'_>,
    ) -> Result<(LoadedSnapshot, PlanSource), CliError> {
        let needs = Needs::from_inputs(
            ap.engine
                .rules()
                .iter()
                .filter(|r| ap.rule_ids.contains(&r.meta.id))
                .flat_map(|r| r.meta.inputs.iter().map(String::as_str)),
        );
        let opts = options(&cmd.aws, ap.config.as_ref(), needs, verbose)?;
        let rules = rule_inputs(
            ap.engine
                .rules()
                .iter()
                .filter(|r| ap.rule_ids.contains(&r.meta.id))
                .map(|r| &r.meta),
        );
        let (collected, text) = run(&opts, &cmd.aws, verbose, false, &rules, io)?;
        let snap = snapshot::load_str(&text, Path::new("snapshot.json"))?;
        let collected_at = collected.snapshot["metadata"]["collected_at"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        Ok((
            snap,
            PlanSource {
                kind: "scan".into(),
                file: None,
                collected_at,
            },
        ))
    }

    fn journal_for(path: Option<&Path>, what: &str) -> Result<Journal, CliError> {
        let path = path.map_or_else(|| default_journal(what), Path::to_path_buf);
        Ok(Journal::create(&path).map_err(RemediateError::from)?)
    }

    /// With -v: the requests made, per operation.
    fn print_calls(target: &AwsTarget, verbose: u8, io: &mut Io<'_>) -> Result<(), CliError> {
        if verbose == 0 {
            return Ok(());
        }
        let calls = target.calls();
        writeln!(
            io.stderr,
            "mlguard: {} API requests:",
            calls.values().sum::<u64>()
        )?;
        for (op, n) in calls {
            writeln!(io.stderr, "    {op} {n}")?;
        }
        Ok(())
    }

    fn print_outcome(report: &apply::ApplyReport, io: &mut Io<'_>) -> Result<(), CliError> {
        let problems = apply::render_report(report);
        if !problems.is_empty() {
            io.stderr.write_all(problems.as_bytes())?;
        }
        writeln!(io.stderr, "mlguard: {}", report.summary())?;
        Ok(())
    }

    /// Applies a remediation plan, then re-collects and compares scores.
    pub(super) fn apply_remediation(
        plan: Plan,
        cmd: &RemediateCmd,
        verbose: u8,
        io: &mut Io<'_>,
    ) -> Result<u8, CliError> {
        if !plan.has_changes() {
            writeln!(io.stderr, "mlguard: the plan changes nothing")?;
            return Ok(exit::OK);
        }
        let allow_unsafe = cmd.run.allow_unsafe;
        check_budget(&plan, &cmd.cost, allow_unsafe)?;
        let mut opts = options(&cmd.aws, None, Needs::default(), verbose)?;
        opts.regions = RegionChoice::List(plan.regions.clone());
        let mut target = AwsTarget::connect(&opts, plan.regions.first().map(String::as_str))?;
        let account = target.account_id().map_err(RemediateError::Read)?;
        if account != plan.account_id {
            return Err(RemediateError::Apply(apply::ApplyError::AccountMismatch {
                plan: plan.account_id.clone(),
                actual: account,
            })
            .into());
        }
        let question = format!(
            "Apply {} to account {}?",
            describe_changes(&plan, allow_unsafe),
            plan.account_id
        );
        if !confirm(&question, cmd.run.yes, io)? {
            return Ok(exit::OK);
        }
        let journal = journal_for(cmd.run.journal.as_deref(), "journal")?;
        let journal_path = journal.path().to_path_buf();
        writeln!(
            io.stderr,
            "mlguard: applying to account {} (journal {})",
            plan.account_id,
            journal_path.display()
        )?;
        let mut runner = Runner::new(&mut target, journal, Phase::Apply);
        let report = apply::apply(
            &plan,
            &mut runner,
            &ApplyOptions { allow_unsafe },
            io.stderr,
        )
        .map_err(RemediateError::from)?;
        runner
            .finish(report.to_json())
            .map_err(RemediateError::from)?;
        print_outcome(&report, io)?;
        print_calls(&target, verbose, io)?;
        writeln!(
            io.stderr,
            "mlguard: undo with `mlguard rollback {}`",
            journal_path.display()
        )?;
        converge(&plan, &report, cmd, verbose, io)?;
        Ok(if report.complete() {
            exit::OK
        } else {
            exit::CHANGE_INCOMPLETE
        })
    }

    /// Re-collects the plan's regions, prints the scores before and after, and warns about
    /// applied actions a new plan would make again.
    fn converge(
        plan: &Plan,
        report: &apply::ApplyReport,
        cmd: &RemediateCmd,
        verbose: u8,
        io: &mut Io<'_>,
    ) -> Result<(), CliError> {
        let mut policy = cmd.policy.clone();
        if let Some(c) = &plan.options.allowed_cidr
            && !policy.trusted_cidrs.contains(c)
        {
            policy.trusted_cidrs.push(c.clone());
        }
        let ap = plan_audit(&policy, &cmd.config, &ReportArgs::default())?;
        let needs = Needs::from_inputs(
            ap.engine
                .rules()
                .iter()
                .filter(|r| ap.rule_ids.contains(&r.meta.id))
                .flat_map(|r| r.meta.inputs.iter().map(String::as_str)),
        );
        let aws: AwsArgs = AwsArgs {
            regions: plan.regions.clone(),
            ..cmd.aws.clone()
        };
        let opts = options(&aws, None, needs, verbose)?;
        writeln!(io.stderr, "mlguard: collecting again to check the result")?;
        let (_, text) = run(&opts, &aws, verbose, true, &Vec::new(), io)?;
        let snap = snapshot::load_str(&text, Path::new("snapshot.json"))?;
        let after = findings(&ap, &snap)?;
        if let Some(before) = &plan.scores_before {
            writeln!(
                io.stderr,
                "mlguard: score {:.1}% -> {:.1}% ({} failing findings -> {})",
                before.overall,
                after.scores.overall,
                before.failed,
                after.count(Status::Fail)
            )?;
        }
        let again = make_plan(
            &ap,
            &snap,
            &policy.trusted_cidrs,
            plan.options.clone(),
            PlanSource {
                kind: "scan".into(),
                file: None,
                collected_at: journal::now(),
            },
        )?;
        let applied: BTreeSet<&str> = report
            .outcomes
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Applied | Outcome::AlreadyDone))
            .map(|(a, _)| a.id.as_str())
            .collect();
        let repeated: Vec<&str> = again
            .actions
            .iter()
            .filter(|a| a.is_change() && applied.contains(a.id.as_str()))
            .map(|a| a.summary.as_str())
            .collect();
        if repeated.is_empty() {
            writeln!(
                io.stderr,
                "mlguard: converged: a new plan repeats none of the applied actions"
            )?;
        } else {
            writeln!(
                io.stderr,
                "warning: {} applied actions did not take effect (a new plan repeats them): {}",
                repeated.len(),
                repeated.join("; ")
            )?;
        }
        Ok(())
    }

    /// `mlguard rollback JOURNAL`.
    pub fn rollback(cmd: RollbackCmd, verbose: u8, io: &mut Io<'_>) -> Result<u8, CliError> {
        let records = journal::read(&cmd.journal).map_err(RemediateError::from)?;
        let applied = journal::applied(&records);
        let (account, kind) = rollback::journal_account(&records).unwrap_or_default();
        let fallback = applied
            .iter()
            .map(|a| a.aspect.region())
            .find(|r| *r != "global")
            .unwrap_or("us-east-1")
            .to_string();
        writeln!(
            io.stderr,
            "mlguard: journal {} ({kind} of account {account}): {} actions to roll back",
            cmd.journal.display(),
            applied.len()
        )?;
        if applied.is_empty() {
            return Ok(exit::OK);
        }
        let mut target = AwsTarget::connect(&conn_options(&cmd.aws), Some(&fallback))?;
        let question = format!(
            "Restore what the {} actions of {} changed in account {account}?",
            applied.len(),
            cmd.journal.display()
        );
        if !confirm(&question, cmd.yes, io)? {
            return Ok(exit::OK);
        }
        let journal = Journal::append_to(&cmd.journal).map_err(RemediateError::from)?;
        let mut runner = Runner::new(&mut target, journal, Phase::Rollback);
        let report = rollback::rollback(
            &records,
            &mut runner,
            &RollbackOptions { force: cmd.force },
            io.stderr,
        )
        .map_err(RemediateError::from)?;
        runner
            .finish(rollback::summary_json(&report))
            .map_err(RemediateError::from)?;
        writeln!(io.stderr, "mlguard: {}", report.summary())?;
        print_calls(&target, verbose, io)?;
        Ok(if report.complete() {
            exit::OK
        } else {
            exit::CHANGE_INCOMPLETE
        })
    }

    fn run_plan(
        plan: &Plan,
        target: &mut AwsTarget,
        yes: bool,
        journal: Option<&Path>,
        what: &str,
        verbose: u8,
        io: &mut Io<'_>,
    ) -> Result<u8, CliError> {
        let question = format!(
            "{} {} in account {}?",
            if plan.kind == crate::remediate::plan::PlanKind::Teardown {
                "Delete with"
            } else {
                "Apply"
            },
            describe_changes(plan, true),
            plan.account_id
        );
        if !confirm(&question, yes, io)? {
            return Ok(exit::OK);
        }
        let journal = journal_for(journal, what)?;
        let journal_path = journal.path().to_path_buf();
        writeln!(io.stderr, "mlguard: journal {}", journal_path.display())?;
        let mut runner = Runner::new(target, journal, Phase::Apply);
        let report = apply::apply(
            plan,
            &mut runner,
            &ApplyOptions { allow_unsafe: true },
            io.stderr,
        )
        .map_err(RemediateError::from)?;
        runner
            .finish(report.to_json())
            .map_err(RemediateError::from)?;
        print_outcome(&report, io)?;
        print_calls(target, verbose, io)?;
        Ok(if report.complete() {
            exit::OK
        } else {
            exit::CHANGE_INCOMPLETE
        })
    }

    /// `mlguard harden`.
    pub fn harden(cmd: HardenCmd, verbose: u8, io: &mut Io<'_>) -> Result<u8, CliError> {
        harden::check_name(&cmd.name).map_err(RemediateError::from)?;
        crate::cidr::check_allowed(&cmd.allowed_cidr).map_err(RemediateError::AllowedCidr)?;
        let prices = pricing(&cmd.cost)?;
        if let Some(d) = &cmd.flow_logs_destination {
            check_fix_args(&FixArgs {
                flow_logs_destination: Some(d.clone()),
                ..FixArgs::default()
            })?;
        }
        let config = crate::app::load_config(&cmd.config)?;
        let admin_ports = config
            .as_ref()
            .map(|c| c.params().admin_ports)
            .unwrap_or_else(|| Params::default().admin_ports);
        let mut target = AwsTarget::connect(&conn_options(&cmd.aws), None)?;
        let region = target.home.clone();
        let account = target.account_id().map_err(RemediateError::Read)?;
        let zones = target
            .availability_zones(&region)
            .map_err(RemediateError::Read)?;
        let opts = HardenOptions {
            stack: cmd.name.clone(),
            region: region.clone(),
            account,
            partition: target.partition().to_string(),
            allowed_cidr: cmd.allowed_cidr.clone(),
            vpc_cidr: cmd.vpc_cidr.clone(),
            buckets: cmd.buckets.clone(),
            flow_logs_destination: cmd.flow_logs_destination.clone(),
            admin_ports,
            zones,
        };
        let desired = harden::desired(&opts).map_err(RemediateError::from)?;
        let actions =
            harden::observe(desired, &cmd.name, &mut target).map_err(RemediateError::from)?;
        let mut plan = harden::harden_plan(&opts, actions, journal::now());
        price_plan(&mut plan, &prices, &BTreeMap::new());
        show_plan(&plan, cmd.output.as_deref(), io)?;
        // The stack's VPC must fit in the region's quota: refuse before creating anything.
        if plan
            .actions
            .iter()
            .any(|a| matches!(a.op, Some(crate::remediate::model::Op::CreateVpc { .. })))
        {
            match target.vpc_capacity(&region) {
                Ok(capacity) => {
                    if let Err(e) = capacity.check() {
                        if !cmd.plan {
                            return Err(RemediateError::from(e).into());
                        }
                        writeln!(io.stderr, "warning: {e}\n  help: {}", e.hint())?;
                    }
                }
                // The apply still names the limit if AWS refuses the VPC.
                Err(e) => writeln!(
                    io.stderr,
                    "warning: cannot compare the VPCs of {region} with their quota ({e}); grant ec2:DescribeVpcs and ec2:DescribeNetworkInterfaces (policies/iam/mlguard-remediate-policy.json)"
                )?,
            }
        }
        if cmd.plan {
            return Ok(if plan.actions.is_empty() {
                exit::OK
            } else {
                exit::FINDINGS
            });
        }
        if plan.actions.is_empty() {
            writeln!(io.stderr, "mlguard: stack {} is in place", cmd.name)?;
            return Ok(exit::OK);
        }
        check_budget(&plan, &cmd.cost, true)?;
        let code = run_plan(
            &plan,
            &mut target,
            cmd.yes,
            cmd.journal.as_deref(),
            &format!("harden-{}", cmd.name),
            verbose,
            io,
        )?;
        if code == exit::OK {
            writeln!(
                io.stderr,
                "mlguard: stack {} is in place; check it with `mlguard scan --region {region} --trusted-cidr {}`",
                cmd.name, cmd.allowed_cidr
            )?;
        }
        Ok(code)
    }

    /// `mlguard teardown`.
    pub fn teardown(cmd: TeardownCmd, verbose: u8, io: &mut Io<'_>) -> Result<u8, CliError> {
        harden::check_name(&cmd.name).map_err(RemediateError::from)?;
        let prices = pricing(&cmd.cost)?;
        let mut target = AwsTarget::connect(&conn_options(&cmd.aws), None)?;
        let region = target.home.clone();
        let account = target.account_id().map_err(RemediateError::Read)?;
        let inventory = target
            .inventory(&cmd.name, &region)
            .map_err(RemediateError::Read)?;
        let mut plan = harden::teardown_plan(
            &cmd.name,
            &region,
            &account,
            target.partition(),
            &inventory,
            journal::now(),
        );
        price_plan(&mut plan, &prices, &inventory.endpoint_shapes);
        show_plan(&plan, cmd.output.as_deref(), io)?;
        if cmd.plan || plan.actions.is_empty() {
            return Ok(if plan.actions.is_empty() {
                exit::OK
            } else {
                exit::FINDINGS
            });
        }
        check_budget(&plan, &cmd.cost, true)?;
        run_plan(
            &plan,
            &mut target,
            cmd.yes,
            cmd.journal.as_deref(),
            &format!("teardown-{}", cmd.name),
            verbose,
            io,
        )
    }
}

#[cfg(feature = "aws")]
pub use live::{harden, rollback, teardown};
