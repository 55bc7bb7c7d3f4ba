//! `mlguard org scan`: every account of this part's share, `--max-accounts` at a time.
//!
//! Per account: assume the member role (rate-limited across the run, credentials cached and
//! refreshed before they expire), collect exactly as `scan` does, audit under the same plan,
//! then write `snapshot.json`, `report.json` (and any extra `--format`), and last
//! `status.json`, the commit marker. Whatever goes wrong in one account ends in that
//! account's `status.json` (`failed`, with the error class and a hint) and never stops the
//! others. Only the small per-account statuses are kept for the summary: snapshots and
//! reports are dropped as soon as they are written.

use super::model::{
    AccountStatus, ErrorClass, Manifest, ManifestAccount, STATUS_SCHEMA, SeverityCounts,
    StatusError, StatusKind, layout,
};
use super::shard::Shard;
use super::store::{self, Location, Store};
use super::{OrgError, securityhub};
use crate::app::cli::{OrgScanCmd, ReportArgs};
use crate::app::{self, AuditPlan, CliError, Evaluated, Io, exit};
use crate::collect::client;
use crate::collect::ctx::error_parts;
use crate::collect::live::{collect_configured, valid_region, validate};
use crate::collect::{CollectError, Needs, Options, RegionChoice};
use crate::findings::{Severity, Status};
use crate::report::{self, Format};
use crate::snapshot;
use aws_credential_types::Credentials;
use aws_credential_types::provider::{self, ProvideCredentials, error::CredentialsError};
use aws_types::SdkConfig;
use aws_types::region::Region;
use aws_types::sdk_config::SharedCredentialsProvider;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// Member credentials are refreshed this long before they expire.
const REFRESH_BEFORE: Duration = Duration::from_secs(5 * 60);
/// The session length asked of AssumeRole (the minimum every role allows is 1 hour).
const SESSION_SECONDS: i32 = 3600;

/// The file name of an extra per-account report.
pub fn report_file(format: Format) -> &'static str {
    match format {
        Format::Table => "report.txt",
        Format::Json => layout::REPORT,
        Format::Sarif => "report.sarif",
        Format::Ocsf => "report.ocsf.json",
        Format::Asff => "report.asff.json",
        Format::Html => "report.html",
        Format::Csv => "evidence.csv",
    }
}

/// `--member-role`: a role name, optionally with a path (`path/name`), never an ARN.
fn valid_role_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 512
        && !name.starts_with("arn:")
        && !name.starts_with('/')
        && !name.ends_with('/')
        && name.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'+' | b'=' | b',' | b'.' | b'@' | b'_' | b'-' | b'/')
        })
}

/// Everything the account tasks share.
struct Run {
    plan: AuditPlan,
    opts: Options,
    hub: SdkConfig,
    home: String,
    partition: String,
    member_role: String,
    external_id: Option<String>,
    session_name: String,
    store: Store,
    manifest_sha256: String,
    formats: Vec<Format>,
    frameworks: Vec<String>,
    evidence: bool,
    resume: bool,
    security_hub: bool,
    limiter: Arc<Limiter>,
    progress: Progress,
}

/// What one account ended as, for the summary.
#[derive(Debug, Clone, serde::Serialize)]
struct Outcome {
    account_id: String,
    name: Option<String>,
    /// Skipped under `--resume`: committed earlier for this manifest and policy set.
    resumed: bool,
    status: AccountStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    security_hub: Option<securityhub::Imported>,
}

pub fn command(
    cmd: OrgScanCmd,
    _color: bool,
    verbose: u8,
    io: &mut Io<'_>,
) -> Result<u8, CliError> {
    // Every argument is checked before anything is read from AWS.
    if !valid_role_name(&cmd.member_role) {
        return Err(OrgError::BadRoleName(cmd.member_role.clone()).into());
    }
    let manifest_location = Location::parse(&cmd.manifest).map_err(OrgError::from)?;
    let out_location = Location::parse(&cmd.out).map_err(OrgError::from)?;
    let shard = match (&cmd.shard, cmd.shard_count, &cmd.account) {
        (Some(part), _, _) => Shard::parse_part(part),
        (None, Some(n), _) => Shard::from_index_env(n, |k| std::env::var(k).ok()),
        (None, None, Some(id)) => Shard::account(id),
        (None, None, None) => Ok(Shard::All),
    }
    .map_err(OrgError::from)?;
    let mut formats: Vec<Format> = Vec::new();
    for f in &cmd.report.formats {
        if *f != Format::Json && !formats.contains(f) {
            formats.push(*f);
        }
    }
    let report_args = ReportArgs {
        fail_on: cmd.report.fail_on,
        quiet: cmd.report.quiet,
        frameworks: cmd.report.frameworks.clone(),
        ..ReportArgs::default()
    };
    let plan = app::plan_audit(&cmd.policy, &cmd.config, &report_args)?;
    let evidence = !cmd.report.frameworks.is_empty() || formats.contains(&Format::Csv);
    let needs = Needs::from_inputs(
        plan.engine
            .rules()
            .iter()
            .filter(|r| plan.rule_ids.contains(&r.meta.id))
            .flat_map(|r| r.meta.inputs.iter().map(String::as_str)),
    );
    let aws = &cmd.aws;
    let mut needs = needs;
    needs.role_last_used |= aws.role_last_used;
    let regions = match (aws.regions.is_empty(), plan.config.as_ref()) {
        (true, Some(cfg)) => cfg.config.regions.clone(),
        _ => aws.regions.clone(),
    };
    let opts = Options {
        profile: aws.profile.clone(),
        region: aws.region.clone(),
        regions: RegionChoice::from_args(&regions)?,
        role_arn: aws.role_arn.clone(),
        external_id: None,
        role_session_name: aws.role_session_name.clone(),
        endpoint_url: aws.endpoint_url.clone(),
        concurrency: aws.concurrency as usize,
        max_attempts: aws.max_attempts,
        attempt_timeout: Duration::from_secs(aws.attempt_timeout),
        needs,
        max_training_jobs: aws.max_training_jobs,
        progress: false,
    };
    validate(&opts)?;
    let show_progress = !cmd.report.quiet && verbose == 0 && std::io::stderr().is_terminal();
    // Blocking work (audits, file writes, S3 calls from the store) runs on at most a few
    // threads per account in flight: threads (and their allocator arenas) do not pile up
    // with the number of accounts.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(2 * cmd.max_accounts as usize + 2)
        .enable_all()
        .build()
        .map_err(CollectError::Runtime)?;
    let started = Instant::now();

    // A local manifest (and this part's share of it) is checked before AWS is contacted.
    let local_manifest = match &manifest_location {
        Location::Local(_) => Some(read_manifest(&manifest_location, None, &shard)?),
        Location::S3 { .. } => None,
    };
    // The hub identity: the configured credentials, then --role-arn.
    let (hub, home, partition) = runtime.block_on(hub_config(&opts))?;
    let _entered = runtime.enter();
    let (manifest, manifest_bytes, selected) = match local_manifest {
        Some(read) => read,
        None => read_manifest(&manifest_location, Some(&hub), &shard)?,
    };
    let store = Store::open_with(&out_location, &hub).map_err(OrgError::from)?;
    claim_output(&store, &manifest, &manifest_bytes)?;
    drop(manifest_bytes);

    let progress = Progress::new(show_progress, selected.len());
    let run = Arc::new(Run {
        plan,
        opts,
        hub,
        home,
        partition,
        member_role: cmd.member_role.clone(),
        external_id: cmd.external_id.clone(),
        session_name: aws.role_session_name.clone(),
        store,
        manifest_sha256: manifest.sha256.clone(),
        formats,
        frameworks: cmd.report.frameworks.clone(),
        evidence,
        resume: cmd.resume,
        security_hub: cmd.security_hub,
        limiter: Arc::new(Limiter::per_second(aws.assume_role_rate)),
        progress,
    });
    drop(manifest);
    let outcomes = runtime.block_on(scan_all(
        Arc::clone(&run),
        selected,
        cmd.max_accounts as usize,
    ));
    run.progress.finish();
    let wall = started.elapsed();

    let fail_on = run.plan.fail_on;
    let code = exit_code(&outcomes, fail_on, aws.strict);
    if let Some(path) = &cmd.report.output {
        write_summary_json(path, &outcomes, &shard, &run, wall, code)?;
    }
    if !cmd.report.quiet {
        write_summary(&outcomes, &shard, &run, fail_on, aws.strict, wall, code, io)?;
    }
    Ok(code)
}

/// Reads and checks the manifest; returns it, its bytes, and this part's accounts.
fn read_manifest(
    location: &Location,
    hub: Option<&SdkConfig>,
    shard: &Shard,
) -> Result<(Manifest, Vec<u8>, Vec<ManifestAccount>), CliError> {
    let bytes = match hub {
        Some(hub) => store::read_object_with(location, hub),
        None => store::read_object(location),
    }
    .map_err(OrgError::from)?;
    let manifest = super::parse_manifest(&bytes, location)?;
    let selected = shard
        .select(&manifest, &location.to_string())
        .map_err(OrgError::from)?
        .into_iter()
        .cloned()
        .collect();
    Ok((manifest, bytes, selected))
}

/// The hub's SDK configuration, its home region and partition.
async fn hub_config(opts: &Options) -> Result<(SdkConfig, String, String), CliError> {
    let mut config = client::load(opts).await;
    let home = match (config.region(), &opts.regions) {
        (Some(r), _) => r.to_string(),
        (None, RegionChoice::List(list)) if !list.is_empty() => list[0].clone(),
        (None, RegionChoice::All) => "us-east-1".to_string(),
        (None, _) => {
            return Err(CollectError::NoRegion {
                profile: opts.profile.clone(),
            }
            .into());
        }
    };
    if !valid_region(&home) {
        return Err(CollectError::BadRegion(home).into());
    }
    if config.region().is_none() {
        config = config
            .into_builder()
            .region(Region::new(home.clone()))
            .build();
    }
    if let Some(role_arn) = &opts.role_arn {
        config = client::assume_role(config, opts, role_arn).await;
    }
    client::check_credentials(&config, opts).await?;
    let sts = aws_sdk_sts::Client::new(&config);
    let partition = match sts.get_caller_identity().send().await {
        Ok(out) => out
            .arn()
            .and_then(|a| a.split(':').nth(1))
            .unwrap_or("aws")
            .to_string(),
        Err(e) => {
            let (code, message) = error_parts(&e);
            return Err(CollectError::Identity { code, message }.into());
        }
    };
    Ok((config, home, partition))
}

/// Makes OUT this manifest's: writes OUT/manifest.json when absent, refuses an OUT that
/// holds another manifest's output.
fn claim_output(store: &Store, manifest: &Manifest, bytes: &[u8]) -> Result<(), CliError> {
    match store.get(layout::MANIFEST).map_err(OrgError::from)? {
        Some(existing) => {
            let name = store.describe(layout::MANIFEST);
            let found = Manifest::from_slice(&existing, &name).map_err(OrgError::from)?;
            if found.sha256 != manifest.sha256 {
                return Err(OrgError::OtherManifest {
                    location: store.location().to_string(),
                    found: found.sha256,
                    expected: manifest.sha256.clone(),
                }
                .into());
            }
        }
        None => store.put(layout::MANIFEST, bytes).map_err(OrgError::from)?,
    }
    Ok(())
}

/// Runs every account, at most `max` at once; returns the outcomes in manifest order.
async fn scan_all(run: Arc<Run>, accounts: Vec<ManifestAccount>, max: usize) -> Vec<Outcome> {
    let semaphore = Arc::new(tokio::sync::Semaphore::new(max.max(1)));
    let mut handles = Vec::with_capacity(accounts.len());
    for account in accounts {
        let (run, semaphore) = (Arc::clone(&run), Arc::clone(&semaphore));
        handles.push(tokio::spawn(async move {
            let Ok(_permit) = semaphore.acquire_owned().await else {
                unreachable!("the semaphore is never closed")
            };
            let outcome = scan_account(&run, &account).await;
            run.progress.account_done();
            outcome
        }));
    }
    let mut outcomes = Vec::with_capacity(handles.len());
    for handle in handles {
        match handle.await {
            Ok(outcome) => outcomes.push(outcome),
            Err(e) => tracing::error!("an account task failed: {e} (please report)"),
        }
    }
    outcomes
}

/// An account's failure: its class, message and hint.
struct Failure {
    class: ErrorClass,
    message: String,
    help: String,
}

impl Failure {
    fn new(class: ErrorClass, message: impl Into<String>, help: impl Into<String>) -> Failure {
        Failure {
            class,
            message: message.into(),
            help: help.into(),
        }
    }
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// One account, start to commit marker. Never fails: a failure is the account's status.
async fn scan_account(run: &Arc<Run>, account: &ManifestAccount) -> Outcome {
    let id = account.id.clone();
    let outcome =
        |status: AccountStatus, resumed: bool, hub: Option<securityhub::Imported>| Outcome {
            account_id: id.clone(),
            name: account.name.clone(),
            resumed,
            status,
            security_hub: hub,
        };
    if run.resume {
        match run.store.get(&layout::status(&id)) {
            Ok(Some(bytes)) => {
                match AccountStatus::from_slice(&bytes, &run.store.describe(&layout::status(&id))) {
                    Ok(status)
                        if status.account_id == id
                            && status
                                .is_done_for(&run.manifest_sha256, &run.plan.policy_set_sha256) =>
                    {
                        return outcome(status, true, None);
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!("{e}: scanning the account again"),
                }
            }
            Ok(None) => {}
            Err(e) => tracing::warn!("{e}: scanning the account again"),
        }
    }
    let line = run.progress.account(&id);
    let started_at = now_rfc3339();
    let mut status = AccountStatus {
        schema: STATUS_SCHEMA.to_string(),
        account_id: id.clone(),
        manifest_sha256: run.manifest_sha256.clone(),
        policy_sha256: run.plan.policy_set_sha256.clone(),
        status: StatusKind::Failed,
        started_at,
        finished_at: String::new(),
        gaps: 0,
        findings: SeverityCounts::default(),
        score: None,
        error: None,
    };
    let mut imported = None;
    match scan_account_inner(run, &id, &line, &mut status).await {
        Ok(hub) => imported = hub,
        Err(f) => {
            status.status = StatusKind::Failed;
            status.gaps = 0;
            status.findings = SeverityCounts::default();
            status.score = None;
            status.error = Some(StatusError {
                class: f.class,
                message: f.message,
                help: f.help,
            });
        }
    }
    status.finished_at = now_rfc3339();
    line.step("writing status.json");
    if let Err(e) = put(run, &layout::status(&id), status.to_json()).await {
        // Not committed: the account is failed for this run, and missing for merge.
        status.status = StatusKind::Failed;
        status.error = Some(StatusError {
            class: ErrorClass::WriteFailed,
            message: e.to_string(),
            help: e.hint(),
        });
    }
    line.finish();
    outcome(status, false, imported)
}

async fn put(run: &Arc<Run>, key: &str, bytes: Vec<u8>) -> Result<(), super::StoreError> {
    let (run, key) = (Arc::clone(run), key.to_string());
    tokio::task::spawn_blocking(move || run.store.put(&key, &bytes))
        .await
        .unwrap_or_else(|e| {
            Err(super::StoreError::Runtime {
                location: e.to_string(),
                message: "a write task failed (please report)".into(),
            })
        })
}

async fn scan_account_inner(
    run: &Arc<Run>,
    id: &str,
    line: &Line,
    status: &mut AccountStatus,
) -> Result<Option<securityhub::Imported>, Failure> {
    line.step("assuming the member role");
    let role_arn = format!("arn:{}:iam::{id}:role/{}", run.partition, run.member_role);
    let credentials = MemberCredentials::new(run, role_arn.clone());
    credentials
        .get()
        .await
        .map_err(|e| e.failure(&role_arn, run))?;
    let config = run
        .hub
        .clone()
        .into_builder()
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build();

    line.step("collecting");
    let collected = collect_configured(config.clone(), run.home.clone(), &run.opts, Instant::now())
        .await
        .map_err(collect_failure)?;
    if collected.summary.account_id != id {
        return Err(Failure::new(
            ErrorClass::CollectFailed,
            format!(
                "the member role's credentials are for account {}, not {id}",
                collected.summary.account_id
            ),
            format!("check that {role_arn} is the role in account {id}"),
        ));
    }
    let gaps = collected.summary.gaps.len() as u64;
    let text = crate::collect::render(&collected.snapshot);
    drop(collected);

    line.step("writing snapshot.json");
    let snapshot_key = layout::snapshot(id);
    put(run, &snapshot_key, text.as_bytes().to_vec())
        .await
        .map_err(write_failure)?;

    line.step("auditing");
    let audit_run = Arc::clone(run);
    let audited = tokio::task::spawn_blocking(move || audit(&audit_run, &snapshot_key, text))
        .await
        .map_err(|e| {
            Failure::new(
                ErrorClass::AuditFailed,
                format!("the audit task failed: {e}"),
                "please report this at https://github.com/mlguard/mlguard/issues",
            )
        })??;

    line.step("writing reports");
    for (name, bytes) in audited.files {
        put(run, &layout::account_file(id, name), bytes)
            .await
            .map_err(write_failure)?;
    }
    status.gaps = gaps;
    status.findings = audited.findings;
    status.score = Some(audited.score);
    status.status = if gaps > 0 {
        StatusKind::Partial
    } else {
        StatusKind::Ok
    };
    if run.security_hub {
        line.step("importing into Security Hub");
        let outcome = securityhub::import(&config, &audited.asff, &run.home).await;
        return Ok(Some(outcome));
    }
    Ok(None)
}

/// What the audit of one account produced.
struct Audited {
    /// (file name, bytes), report.json first.
    files: Vec<(&'static str, Vec<u8>)>,
    findings: SeverityCounts,
    score: f64,
    /// The ASFF findings, for `--security-hub`.
    asff: Vec<serde_json::Value>,
}

/// Loads the snapshot through `audit`'s loader, evaluates it under the run's plan, renders
/// report.json and the extra formats.
fn audit(run: &Run, snapshot_key: &str, text: String) -> Result<Audited, Failure> {
    let failed = |e: CliError| {
        let mut hints = e.hints();
        if hints.is_empty() {
            hints.push("please report this at https://github.com/mlguard/mlguard/issues".into());
        }
        Failure::new(ErrorClass::AuditFailed, e.to_string(), hints.join("; "))
    };
    let snap = snapshot::load_str(&text, Path::new(snapshot_key)).map_err(|e| failed(e.into()))?;
    let snapshot_sha256 = if run.evidence {
        report::compliance::bytes_sha256(text.as_bytes())
    } else {
        String::new()
    };
    drop(text);
    let Evaluated { report, ctx, .. } = app::evaluate(
        &run.plan,
        snap,
        &snapshot_sha256,
        &run.frameworks,
        run.evidence,
        false,
    )
    .map_err(failed)?;
    let mut files = Vec::with_capacity(1 + run.formats.len());
    files.push((
        layout::REPORT,
        report::render(Format::Json, &report, &ctx).map_err(|e| failed(e.into()))?,
    ));
    for format in &run.formats {
        files.push((
            report_file(*format),
            report::render(*format, &report, &ctx).map_err(|e| failed(e.into()))?,
        ));
    }
    let asff = if run.security_hub {
        let bytes = report::render(Format::Asff, &report, &ctx).map_err(|e| failed(e.into()))?;
        serde_json::from_slice(&bytes).map_err(|e| {
            Failure::new(
                ErrorClass::AuditFailed,
                format!("the ASFF report is not a JSON array: {e}"),
                "please report this at https://github.com/mlguard/mlguard/issues",
            )
        })?
    } else {
        Vec::new()
    };
    let mut findings = SeverityCounts::default();
    for f in report.findings.iter().filter(|f| f.status == Status::Fail) {
        findings.add(f.severity);
    }
    Ok(Audited {
        files,
        findings,
        score: report.scores.overall,
        asff,
    })
}

fn is_throttling(code: &str) -> bool {
    matches!(
        code,
        "Throttling"
            | "ThrottlingException"
            | "ThrottledException"
            | "RequestLimitExceeded"
            | "TooManyRequestsException"
            | "RequestThrottled"
            | "RequestThrottledException"
            | "SlowDown"
            | "PriorRequestNotComplete"
    )
}

const THROTTLED_HELP: &str = "throttled past every retry: lower --max-accounts, --concurrency or --assume-role-rate, or raise --max-attempts; `--resume` scans only the accounts not yet committed";

fn collect_failure(e: CollectError) -> Failure {
    let class = match &e {
        CollectError::RegionNotEnabled { .. } | CollectError::UnknownRegion { .. } => {
            ErrorClass::RegionDisabled
        }
        CollectError::Identity { code, .. }
        | CollectError::Regions { code, .. }
        | CollectError::BadCredentials { code, .. }
            if is_throttling(code) =>
        {
            ErrorClass::Throttled
        }
        _ => ErrorClass::CollectFailed,
    };
    let help = if class == ErrorClass::Throttled {
        THROTTLED_HELP.to_string()
    } else {
        e.hints().join("; ")
    };
    Failure::new(class, e.to_string(), help)
}

fn write_failure(e: super::StoreError) -> Failure {
    Failure::new(ErrorClass::WriteFailed, e.to_string(), e.hint())
}

/// The exit code: 5 when an account failed (or its Security Hub import did), else 3 under
/// `--strict` when one is partial, else 1 when one has findings at or above `--fail-on`.
fn exit_code(outcomes: &[Outcome], fail_on: Option<Severity>, strict: bool) -> u8 {
    let failed = outcomes.iter().any(|o| {
        o.status.status == StatusKind::Failed
            || o.security_hub.as_ref().is_some_and(|h| h.error.is_some())
    });
    if failed {
        return exit::ACCOUNTS_INCOMPLETE;
    }
    if strict
        && outcomes
            .iter()
            .any(|o| o.status.status == StatusKind::Partial)
    {
        return exit::INCOMPLETE;
    }
    if outcomes
        .iter()
        .any(|o| o.status.findings.at_or_above(fail_on) > 0)
    {
        return exit::FINDINGS;
    }
    exit::OK
}

fn write_summary_json(
    path: &Path,
    outcomes: &[Outcome],
    shard: &Shard,
    run: &Run,
    wall: Duration,
    code: u8,
) -> Result<(), CliError> {
    let doc = serde_json::json!({
        "schema": "mlguard-org-scan-summary/v1",
        "out": run.store.location().to_string(),
        "manifest_sha256": run.manifest_sha256,
        "policy_sha256": run.plan.policy_set_sha256,
        "part": shard.to_string(),
        "exit_code": code,
        "seconds": (wall.as_secs_f64() * 10.0).round() / 10.0,
        "accounts": outcomes,
    });
    let mut bytes = serde_json::to_vec_pretty(&doc).map_err(report::ReportError::from)?;
    bytes.push(b'\n');
    report::write_atomic(path, &bytes).map_err(|source| CliError::Output {
        path: path.to_path_buf(),
        source,
    })
}

#[allow(clippy::too_many_arguments)]
fn write_summary(
    outcomes: &[Outcome],
    shard: &Shard,
    run: &Run,
    fail_on: Option<Severity>,
    strict: bool,
    wall: Duration,
    code: u8,
    io: &mut Io<'_>,
) -> Result<(), CliError> {
    let count = |kind: StatusKind| {
        outcomes
            .iter()
            .filter(|o| !o.resumed && o.status.status == kind)
            .count()
    };
    let resumed = outcomes.iter().filter(|o| o.resumed).count();
    writeln!(
        io.stderr,
        "mlguard: org scan of {} {} ({shard}) into {} in {:.1}s: {} ok, {} partial, {} failed{}",
        outcomes.len(),
        if outcomes.len() == 1 {
            "account"
        } else {
            "accounts"
        },
        run.store.location(),
        wall.as_secs_f64(),
        count(StatusKind::Ok),
        count(StatusKind::Partial),
        count(StatusKind::Failed),
        if resumed > 0 {
            format!(", {resumed} already committed (--resume)")
        } else {
            String::new()
        }
    )?;
    let failed: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.status.status == StatusKind::Failed)
        .collect();
    // Every failed account, whatever their number: this is the list to act on.
    for o in &failed {
        let name = o
            .name
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        if let Some(e) = &o.status.error {
            writeln!(
                io.stderr,
                "  failed: {}{name}: {}: {}\n    help: {}",
                o.account_id, e.class, e.message, e.help
            )?;
        }
    }
    for o in outcomes {
        if let Some(h) = &o.security_hub {
            match &h.error {
                Some(e) => writeln!(
                    io.stderr,
                    "  security hub: {}: {} of {} findings imported: {}\n    help: {}",
                    o.account_id, h.imported, h.findings, e.message, e.help
                )?,
                None if h.failed > 0 => writeln!(
                    io.stderr,
                    "  security hub: {}: {} of {} findings rejected",
                    o.account_id, h.failed, h.findings
                )?,
                None => {}
            }
        }
    }
    let partial = count(StatusKind::Partial);
    if partial > 0 {
        writeln!(
            io.stderr,
            "  {partial} partial: some calls failed; rules that needed them report not_assessed (gaps in each snapshot.json){}",
            if strict { " (--strict: exit 3)" } else { "" }
        )?;
    }
    let gating = outcomes
        .iter()
        .filter(|o| o.status.findings.at_or_above(fail_on) > 0)
        .count();
    match fail_on {
        Some(t) if gating > 0 => writeln!(
            io.stderr,
            "mlguard: {gating} {} with findings at or above {t}",
            if gating == 1 { "account" } else { "accounts" }
        )?,
        Some(t) => writeln!(
            io.stderr,
            "mlguard: no account has findings at or above {t}"
        )?,
        None => writeln!(
            io.stderr,
            "mlguard: --fail-on none: findings do not fail the run"
        )?,
    }
    let reason = match code {
        exit::ACCOUNTS_INCOMPLETE => "some accounts failed (exit 5); `--resume` retries only them",
        exit::INCOMPLETE => "some accounts are partial under --strict (exit 3)",
        exit::FINDINGS => "findings at or above --fail-on (exit 1)",
        _ => "passing (exit 0)",
    };
    writeln!(io.stderr, "mlguard: {reason}")?;
    Ok(())
}

/// Spaces AssumeRole calls so the hub account's STS quota holds, whatever the number of
/// accounts in flight.
struct Limiter {
    interval: Duration,
    next: tokio::sync::Mutex<tokio::time::Instant>,
}

impl Limiter {
    fn per_second(rate: u32) -> Limiter {
        Limiter {
            interval: Duration::from_secs(1) / rate.max(1),
            next: tokio::sync::Mutex::new(tokio::time::Instant::now()),
        }
    }

    async fn acquire(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let now = tokio::time::Instant::now();
            let at = (*next).max(now);
            *next = at + self.interval;
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

/// A failed AssumeRole.
#[derive(Debug)]
struct AssumeError {
    code: String,
    message: String,
}

impl std::fmt::Display for AssumeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sts:AssumeRole failed ({}): {}", self.code, self.message)
    }
}

impl std::error::Error for AssumeError {}

impl AssumeError {
    fn failure(&self, role_arn: &str, run: &Run) -> Failure {
        let message = format!("cannot assume {role_arn} ({}): {}", self.code, self.message);
        if self.code == "AccessDenied" || self.code.contains("AccessDenied") {
            return Failure::new(
                ErrorClass::AssumeRoleDenied,
                message,
                format!(
                    "deploy deploy/member-role.yaml to this account (it trusts only the hub role, with the external id), and check --member-role {}{}; the hub identity needs sts:AssumeRole on it",
                    run.member_role,
                    if run.external_id.is_some() {
                        " and --external-id"
                    } else {
                        " (the template requires --external-id)"
                    }
                ),
            );
        }
        if is_throttling(&self.code) {
            return Failure::new(ErrorClass::Throttled, message, THROTTLED_HELP);
        }
        if self.code == "RegionDisabledException" {
            return Failure::new(
                ErrorClass::RegionDisabled,
                message,
                "STS is not active in the hub's region: pass --region with an enabled region",
            );
        }
        Failure::new(
            ErrorClass::AssumeRoleFailed,
            message,
            "check the hub credentials and the network; `aws sts assume-role --role-arn ARN --role-session-name test` shows what AWS answers",
        )
    }
}

/// When credentials that end at `expires` are reported to expire: `REFRESH_BEFORE` early, so
/// the SDK's cache (and [`still_fresh`]) ask for new ones before the session really ends;
/// a session too short for that is used to its end.
fn refresh_at(expires: SystemTime, now: SystemTime) -> SystemTime {
    expires
        .checked_sub(REFRESH_BEFORE)
        .filter(|t| *t > now + Duration::from_secs(120))
        .unwrap_or(expires)
}

/// Whether cached credentials reported to expire at `expiry` may still be handed out.
fn still_fresh(expiry: Option<SystemTime>, now: SystemTime) -> bool {
    expiry.is_none_or(|t| t > now + Duration::from_secs(60))
}

/// The member role's credentials for one account: assumed once through the run's limiter,
/// cached, and assumed again shortly before they expire (a long collection never runs on
/// expired credentials).
#[derive(Clone)]
struct MemberCredentials {
    inner: Arc<MemberInner>,
}

struct MemberInner {
    sts: aws_sdk_sts::Client,
    role_arn: String,
    external_id: Option<String>,
    session_name: String,
    limiter: Arc<Limiter>,
    cached: tokio::sync::Mutex<Option<Credentials>>,
}

impl std::fmt::Debug for MemberCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberCredentials")
            .field("role_arn", &self.inner.role_arn)
            .finish()
    }
}

impl MemberCredentials {
    fn new(run: &Run, role_arn: String) -> MemberCredentials {
        MemberCredentials {
            inner: Arc::new(MemberInner {
                sts: aws_sdk_sts::Client::new(&run.hub),
                role_arn,
                external_id: run.external_id.clone(),
                session_name: run.session_name.clone(),
                limiter: Arc::clone(&run.limiter),
                cached: tokio::sync::Mutex::new(None),
            }),
        }
    }

    async fn get(&self) -> Result<Credentials, AssumeError> {
        let mut cached = self.inner.cached.lock().await;
        if let Some(c) = cached.as_ref()
            && still_fresh(c.expiry(), SystemTime::now())
        {
            return Ok(c.clone());
        }
        self.inner.limiter.acquire().await;
        let mut request = self
            .inner
            .sts
            .assume_role()
            .role_arn(&self.inner.role_arn)
            .role_session_name(&self.inner.session_name)
            .duration_seconds(SESSION_SECONDS);
        if let Some(id) = &self.inner.external_id {
            request = request.external_id(id);
        }
        let out = request.send().await.map_err(|e| {
            let (code, message) = error_parts(&e);
            AssumeError { code, message }
        })?;
        let Some(c) = out.credentials() else {
            return Err(AssumeError {
                code: "NoCredentials".into(),
                message: "AssumeRole answered without credentials".into(),
            });
        };
        let expires = SystemTime::try_from(*c.expiration())
            .unwrap_or_else(|_| SystemTime::now() + Duration::from_secs(900));
        let refresh_at = refresh_at(expires, SystemTime::now());
        let credentials = Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            Some(refresh_at),
            "mlguard-org-member",
        );
        *cached = Some(credentials.clone());
        Ok(credentials)
    }
}

impl ProvideCredentials for MemberCredentials {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(async move {
            self.get().await.map_err(CredentialsError::provider_error)
        })
    }
}

/// The progress display: one overall bar and a line per account in flight (stderr, a
/// terminal, not --quiet). Hidden otherwise: every call is then a no-op.
struct Progress {
    multi: Option<MultiProgress>,
    overall: ProgressBar,
}

struct Line(ProgressBar);

impl Line {
    fn step(&self, message: &'static str) {
        self.0.set_message(message);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Progress {
    fn new(enabled: bool, total: usize) -> Progress {
        if !enabled {
            return Progress {
                multi: None,
                overall: ProgressBar::hidden(),
            };
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{prefix:>14} [{bar:30}] {pos}/{len} accounts, {elapsed_precise} (eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        let overall = multi.add(ProgressBar::new(total as u64).with_style(style));
        overall.set_prefix("org scan");
        overall.enable_steady_tick(Duration::from_millis(250));
        Progress {
            multi: Some(multi),
            overall,
        }
    }

    fn account(&self, id: &str) -> Line {
        let Some(multi) = &self.multi else {
            return Line(ProgressBar::hidden());
        };
        let style = ProgressStyle::with_template("{spinner} {prefix:>14} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let bar = multi.add(ProgressBar::new_spinner().with_style(style));
        bar.set_prefix(id.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        Line(bar)
    }

    fn account_done(&self) {
        self.overall.inc(1);
    }

    fn finish(&self) {
        self.overall.finish_and_clear();
        if let Some(multi) = &self.multi {
            let _ = multi.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_role_names() {
        assert!(valid_role_name("mlguard-scan"));
        assert!(valid_role_name("security/mlguard-scan"));
        assert!(!valid_role_name(
            "arn:aws:iam::111111111111:role/mlguard-scan"
        ));
        assert!(!valid_role_name("/mlguard"));
        assert!(!valid_role_name("has space"));
        assert!(!valid_role_name(""));
    }

    fn outcome(kind: StatusKind, high: u64) -> Outcome {
        Outcome {
            account_id: "111111111111".into(),
            name: None,
            resumed: false,
            status: AccountStatus {
                schema: STATUS_SCHEMA.into(),
                account_id: "111111111111".into(),
                manifest_sha256: String::new(),
                policy_sha256: String::new(),
                status: kind,
                started_at: String::new(),
                finished_at: String::new(),
                gaps: 0,
                findings: SeverityCounts {
                    high,
                    ..SeverityCounts::default()
                },
                score: None,
                error: None,
            },
            security_hub: None,
        }
    }

    #[test]
    fn exit_code_precedence() {
        let high = Some(Severity::High);
        assert_eq!(
            exit_code(&[outcome(StatusKind::Ok, 0)], high, false),
            exit::OK
        );
        assert_eq!(
            exit_code(&[outcome(StatusKind::Ok, 1)], high, false),
            exit::FINDINGS
        );
        assert_eq!(
            exit_code(&[outcome(StatusKind::Ok, 1)], None, false),
            exit::OK
        );
        let mixed = [outcome(StatusKind::Ok, 1), outcome(StatusKind::Partial, 0)];
        assert_eq!(exit_code(&mixed, high, false), exit::FINDINGS);
        assert_eq!(exit_code(&mixed, high, true), exit::INCOMPLETE);
        let failed = [
            outcome(StatusKind::Ok, 1),
            outcome(StatusKind::Partial, 0),
            outcome(StatusKind::Failed, 0),
        ];
        assert_eq!(exit_code(&failed, high, true), exit::ACCOUNTS_INCOMPLETE);
    }

    #[test]
    fn every_format_has_its_own_file() {
        use clap::ValueEnum;
        let mut names: Vec<&str> = Format::value_variants()
            .iter()
            .map(|f| report_file(*f))
            .collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Format::value_variants().len());
    }

    #[test]
    fn the_limiter_spaces_calls() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let limiter = Limiter::per_second(50);
            let start = tokio::time::Instant::now();
            for _ in 0..6 {
                limiter.acquire().await;
            }
            // The first is immediate, then one every 20 ms.
            assert!(
                start.elapsed() >= Duration::from_millis(100),
                "{:?}",
                start.elapsed()
            );
        });
    }

    #[test]
    fn credentials_are_renewed_before_the_session_ends() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let hour = now + Duration::from_secs(3600);
        let reported = refresh_at(hour, now);
        assert_eq!(reported, hour - REFRESH_BEFORE);
        assert!(still_fresh(Some(reported), now));
        // 55 minutes in, still within the session but past the reported expiry: renewed.
        assert!(!still_fresh(
            Some(reported),
            now + Duration::from_secs(55 * 60)
        ));
        assert!(still_fresh(
            Some(reported),
            now + Duration::from_secs(50 * 60)
        ));
        // A 5-minute session is used to its end, less a minute.
        let short = now + Duration::from_secs(300);
        assert_eq!(refresh_at(short, now), short);
        assert!(!still_fresh(Some(short), now + Duration::from_secs(250)));
    }

    #[test]
    fn failures_are_classified() {
        let f = collect_failure(CollectError::RegionNotEnabled {
            region: "ap-east-1".into(),
            account_id: "111111111111".into(),
        });
        assert_eq!(f.class, ErrorClass::RegionDisabled);
        let f = collect_failure(CollectError::Identity {
            code: "Throttling".into(),
            message: "Rate exceeded".into(),
        });
        assert_eq!(f.class, ErrorClass::Throttled);
        assert!(f.help.contains("--resume"));
        let f = collect_failure(CollectError::BadCredentials {
            code: "InvalidClientTokenId".into(),
            message: "no".into(),
        });
        assert_eq!(f.class, ErrorClass::CollectFailed);
        assert!(!f.help.is_empty());
    }
}
