//! Command-line interface (clap derive).

use crate::findings::{Pillar, Severity};
use crate::report::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::str::FromStr;

#[derive(Debug, Parser)]
#[command(
    name = "mlguard",
    version,
    about = "Audit and harden the AWS infrastructure ML workloads run on",
    long_about = "mlguard audits an AWS account's ML environment (least-privilege IAM roles, network isolation, \
encryption at rest with customer-managed KMS keys) against Rego policies, reports in table, JSON, SARIF, \
OCSF, ASFF or HTML, and can fix what it finds through a reviewable plan. Settings come from the command line, \
then mlguard.toml, then built-in defaults.\n\nExit codes: 0 nothing at or above --fail-on; \
1 findings at or above it (remediate, harden, teardown --plan: a non-empty plan); 2 usage or input error; \
3 collection incomplete under --strict; 4 remediate --apply, rollback, harden or teardown left work undone \
(a failed call, drift, a refused rollback); 5 org scan: some accounts failed (org merge: failed or missing)."
)]
pub struct Cli {
    /// More logging on stderr (-v info, -vv debug). Credentials are never logged.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Colour in terminal output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When stdout is a terminal and NO_COLOR is unset.
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit a snapshot file offline.
    Audit(AuditCmd),
    /// List and explain the rules.
    #[command(subcommand)]
    Rules(RulesCmd),
    /// Work with Rego policies.
    #[command(subcommand)]
    Policy(PolicyCmd),
    /// Print the JSON Schema of the snapshot format (or of mlguard.toml).
    Schema(SchemaCmd),
    /// Write a commented mlguard.toml with every setting.
    Init(InitCmd),
    /// Print a shell completion script.
    Completions(CompletionsCmd),
    /// Print the man page (roff).
    Man(ManCmd),
    /// Write a synthetic snapshot (deterministic, with a known share of violations of every
    /// rule) for benchmarks and tests.
    Generate(GenerateCmd),
    /// Read an AWS account (read-only) and write a snapshot for `audit`.
    #[cfg(feature = "aws")]
    Collect(CollectCmd),
    /// Collect and audit in one step: `collect` then `audit`, same findings, same exit codes.
    #[cfg(feature = "aws")]
    Scan(ScanCmd),
    /// Plan fixes for the audit's findings (a reviewable diff; exit 1 when there is
    /// anything to fix), and apply them (`--apply`).
    Remediate(RemediateCmd),
    /// Undo an apply: put back every aspect its journal recorded, newest first.
    #[cfg(feature = "aws")]
    Rollback(RollbackCmd),
    /// Build the lab's hardened ML baseline (role, key, private VPC, endpoints, flow logs)
    /// as one plan; a second run converges.
    #[cfg(feature = "aws")]
    Harden(HardenCmd),
    /// Delete a `harden` stack: only resources carrying mlguard:managed=true and
    /// mlguard:stack=NAME, in dependency order.
    #[cfg(feature = "aws")]
    Teardown(TeardownCmd),
    /// Every account of an AWS Organization: plan the accounts (a manifest), scan them with
    /// a member role (concurrently, or as shards on an engine), merge the parts.
    #[command(subcommand)]
    Org(OrgCmd),
}

#[derive(Debug, Args)]
pub struct AuditCmd {
    /// The snapshot to audit (from `mlguard collect`, or written by hand).
    pub snapshot: PathBuf,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    ValueEnum,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    Info,
    /// Never fail on findings.
    None,
}

impl FailOn {
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Critical => Some(Severity::Critical),
            FailOn::High => Some(Severity::High),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::Low => Some(Severity::Low),
            FailOn::Info => Some(Severity::Info),
            FailOn::None => None,
        }
    }
}

/// One `--format` value: a format, and optionally the file that report goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatSpec {
    pub format: Format,
    /// `None`: stdout, or `--output`.
    pub path: Option<PathBuf>,
}

impl FromStr for FormatSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, path) = match s.split_once('=') {
            Some((name, "")) => {
                return Err(format!("`{name}=` names no file"));
            }
            Some((name, path)) => (name, Some(PathBuf::from(path))),
            None => (s, None),
        };
        let format = Format::from_str(name, true).map_err(|_| {
            let names: Vec<String> = Format::value_variants()
                .iter()
                .filter_map(|f| f.to_possible_value())
                .map(|v| v.get_name().to_string())
                .collect();
            format!("unknown format `{name}` (expected {})", names.join(", "))
        })?;
        Ok(FormatSpec { format, path })
    }
}

#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Report")]
pub struct ReportArgs {
    /// Report format, optionally with its own file: `--format sarif=mlguard.sarif`. Repeatable;
    /// at most one format without `=FILE` (it goes to --output, or stdout).
    /// Formats: table (default), json, sarif, ocsf, asff, html, csv (framework evidence).
    #[arg(short, long = "format", value_name = "FORMAT[=FILE]")]
    pub formats: Vec<FormatSpec>,
    /// Write the report without `=FILE` to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding at or above this severity fails [default: high, or `fail_on`
    /// in mlguard.toml].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Report only findings that are not in this earlier mlguard JSON report (matched by
    /// fingerprint), and count those fixed since; the exit code counts only new findings.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,
    /// Only the report: no summary or warnings on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// Add to the table and HTML reports what fixing the findings would add to the monthly
    /// bill (the estimate of the plan `mlguard remediate` makes from them, shipped prices).
    #[arg(long)]
    pub fix_cost: bool,
    /// Also report evidence per control of this framework (repeatable): status, coverage,
    /// rules and every resource behind it, with the snapshot and policy-set hashes, in the
    /// table, JSON, HTML and CSV reports. Frameworks: `mlguard rules list --framework NAME`.
    #[arg(long = "framework", value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(crate::engine::frameworks::KEYS))]
    pub frameworks: Vec<String>,
}

#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Configuration")]
pub struct ConfigArgs {
    /// Read settings from FILE instead of ./mlguard.toml.
    #[arg(
        long,
        value_name = "FILE",
        env = "MLGUARD_CONFIG",
        conflicts_with = "no_config"
    )]
    pub config: Option<PathBuf>,
    /// Ignore mlguard.toml: built-in defaults and flags only.
    #[arg(long)]
    pub no_config: bool,
    /// Ignore every suppression (mlguard.toml entries and mlguard:suppress tags): suppressed
    /// findings fail again.
    #[arg(long)]
    pub no_suppress: bool,
}

#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Policies")]
pub struct PolicyArgs {
    /// Add the policies in DIR (repeatable); a rule with a built-in's id replaces it.
    #[arg(long = "policy-dir", value_name = "DIR")]
    pub policy_dirs: Vec<PathBuf>,
    /// Run only these rules: ids or prefixes, comma-separated (LP, NI-00, DE-003).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub select: Vec<String>,
    /// Skip these rules: ids or prefixes, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub ignore: Vec<String>,
    /// A source range the ML workload may be reached from, e.g. your VPN (repeatable).
    #[arg(long = "trusted-cidr", value_name = "CIDR")]
    pub trusted_cidrs: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum RulesCmd {
    /// List the rules.
    List(RulesListCmd),
    /// Print a rule's documentation: what, why, example, remediation.
    Explain {
        /// Rule id (e.g. NI-004).
        id: String,
        #[arg(long = "policy-dir", value_name = "DIR")]
        policy_dirs: Vec<PathBuf>,
    },
    /// Regenerate docs/rules/ from the rules' metadata and fixtures, and the fix table of
    /// docs/remediation.md from the fix registry.
    #[command(hide = true)]
    Docs {
        /// Repository root (holds fixtures/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the pages.
        #[arg(long, default_value = "docs/rules")]
        out: PathBuf,
        /// Only check that the pages are up to date (exit 1 when not).
        #[arg(long)]
        check: bool,
    },
}

#[derive(Debug, Args)]
pub struct RulesListCmd {
    #[arg(long, value_parser = parse_pillar)]
    pub pillar: Option<Pillar>,
    /// Only rules of this severity or worse.
    #[arg(long, value_parser = parse_severity)]
    pub severity: Option<Severity>,
    /// List this framework's controls with the rules that evidence them and how fully.
    #[arg(long, value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(crate::engine::frameworks::KEYS))]
    pub framework: Option<String>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    #[arg(long = "policy-dir", value_name = "DIR")]
    pub policy_dirs: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
}

fn parse_pillar(s: &str) -> Result<Pillar, String> {
    s.parse()
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

#[derive(Debug, Subcommand)]
pub enum PolicyCmd {
    /// Run the Rego unit tests (`test_*` rules) of the built-in policies and of DIRs.
    Test {
        /// Directories of custom policies and their tests.
        dirs: Vec<PathBuf>,
        /// Only tests whose `package.name` contains this text.
        #[arg(long)]
        run: Option<String>,
        /// Leave out the built-in policies.
        #[arg(long)]
        no_builtin: bool,
        /// Print every test, not only failures.
        #[arg(long)]
        list: bool,
    },
}

#[derive(Debug, Args)]
pub struct SchemaCmd {
    /// Which schema: the snapshot format, mlguard.toml, or the org manifest.
    #[arg(value_enum, default_value_t = SchemaKind::Snapshot)]
    pub kind: SchemaKind,
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// The snapshot JSON (docs/snapshot.schema.json).
    Snapshot,
    /// mlguard.toml (docs/config.schema.json).
    Config,
    /// The manifest `mlguard org plan` writes (docs/org-manifest.schema.json).
    OrgManifest,
}

#[derive(Debug, Args)]
pub struct InitCmd {
    /// Where to write it.
    #[arg(default_value = crate::config::FILE_NAME)]
    pub path: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsCmd {
    /// bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManCmd {
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GenerateCmd {
    /// Resources of every kind (roles, customer-managed policies, buckets, keys, VPCs,
    /// subnets, security groups, network ACLs, notebooks, domains, training jobs, models,
    /// endpoint configs); the per-kind options override it.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub scale: usize,
    #[arg(long, value_name = "N")]
    pub roles: Option<usize>,
    /// Customer-managed policies, attached to the roles in turn.
    #[arg(long, value_name = "N")]
    pub policies: Option<usize>,
    #[arg(long, value_name = "N")]
    pub buckets: Option<usize>,
    #[arg(long, value_name = "N")]
    pub keys: Option<usize>,
    #[arg(long, value_name = "N")]
    pub vpcs: Option<usize>,
    #[arg(long, value_name = "N")]
    pub subnets: Option<usize>,
    #[arg(long, value_name = "N")]
    pub security_groups: Option<usize>,
    #[arg(long, value_name = "N")]
    pub network_acls: Option<usize>,
    #[arg(long, value_name = "N")]
    pub notebooks: Option<usize>,
    #[arg(long, value_name = "N")]
    pub domains: Option<usize>,
    #[arg(long, value_name = "N")]
    pub training_jobs: Option<usize>,
    #[arg(long, value_name = "N")]
    pub models: Option<usize>,
    #[arg(long, value_name = "N")]
    pub endpoint_configs: Option<usize>,
    /// Regions to spread the regional resources over (with 2 or more, the last ones hold no
    /// KMS key).
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub regions: usize,
    /// Share of each kind that violates a rule (0 to 1); the rest is hardened.
    #[arg(long, default_value_t = 0.2, value_name = "RATE")]
    pub violation_rate: f64,
    /// Same seed, same snapshot, byte for byte.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Where and how to read AWS: the AWS CLI's options and environment.
#[cfg(feature = "aws")]
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "AWS")]
pub struct AwsArgs {
    /// Named profile from ~/.aws/config (default: AWS_PROFILE, then `default`).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Region for global calls (STS, IAM, the S3 listing) and the region collected when
    /// --regions is not given (default: AWS_REGION, then the profile's region).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Regions to collect, comma-separated, or `all` for every region enabled in the account.
    #[arg(long, value_delimiter = ',', value_name = "REGIONS")]
    pub regions: Vec<String>,
    /// Assume this role (with the configured credentials) and collect as it.
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// External id the role's trust policy requires.
    #[arg(long, value_name = "ID", requires = "role_arn")]
    pub external_id: Option<String>,
    /// Session name of the assumed role (shows in CloudTrail).
    #[arg(long, value_name = "NAME", default_value = "mlguard")]
    pub role_session_name: String,
    /// Send every request to this URL (an emulator, a proxy); AWS_ENDPOINT_URL works too.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Requests in flight at once, across services and regions.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub concurrency: u32,
    /// Attempts per request (adaptive backoff between them on throttling and server errors).
    #[arg(long, value_name = "N", env = "AWS_MAX_ATTEMPTS", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// Seconds one attempt may take before it is retried.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=900))]
    pub attempt_timeout: u64,
    /// Read when each role was last used: from GetAccountAuthorizationDetails, and with one
    /// iam:GetRole call per role whose entry there lacks it. Done anyway when a selected rule
    /// needs it.
    #[arg(long)]
    pub role_last_used: bool,
    /// Describe at most this many of the most recent SageMaker training jobs per region.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_training_jobs: usize,
    /// Print the collection summary (API calls per service, retries, gaps, time) on stderr.
    #[arg(long)]
    pub stats: bool,
    /// Fail (exit 3) when any call failed and the snapshot is incomplete.
    #[arg(long)]
    pub strict: bool,
}

#[cfg(feature = "aws")]
#[derive(Debug, Args)]
pub struct CollectCmd {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Write the snapshot to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Policies in DIR also decide which optional calls are made (repeatable).
    #[arg(long = "policy-dir", value_name = "DIR")]
    pub policy_dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub config: ConfigArgs,
}

#[cfg(feature = "aws")]
#[derive(Debug, Args)]
pub struct ScanCmd {
    #[command(flatten)]
    pub aws: AwsArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Also write the collected snapshot to FILE (atomically), for `mlguard audit FILE` later.
    #[arg(long, value_name = "FILE")]
    pub save_snapshot: Option<PathBuf>,
}

/// What the fixes may use beyond the snapshot.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Fixes")]
pub struct FixArgs {
    /// The range the ML workload may be reached from (tcp/443), e.g. your VPN: NI-003's fix
    /// admits HTTPS from it and removes every other inbound rule of the ML security groups.
    /// It is also a trusted CIDR for the audit.
    #[arg(long, value_name = "CIDR")]
    pub allowed_cidr: Option<String>,
    /// S3 bucket ARN for the VPC flow logs NI-005's fix creates (default: a bucket mlguard
    /// creates per region, encrypted, TLS-only, public access blocked).
    #[arg(long, value_name = "ARN")]
    pub flow_logs_destination: Option<String>,
    /// Customer-managed KMS key (ARN) for the buckets the fixes encrypt, and for the scoped
    /// policy of ML execution roles.
    #[arg(long, value_name = "ARN")]
    pub kms_key: Option<String>,
    /// S3 bucket the scoped policy of ML execution roles grants (repeatable; default: the
    /// buckets their policies name, else the SageMaker default bucket).
    #[arg(long = "bucket", value_name = "NAME")]
    pub buckets: Vec<String>,
}

/// What a plan costs, and the most an apply may add to the bill.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Cost")]
pub struct CostArgs {
    /// Price data for the plan's monthly cost estimate [default: the shipped
    /// policies/pricing/aws-prices.json; docs/remediation.md describes the format].
    #[arg(long, value_name = "FILE")]
    pub pricing: Option<PathBuf>,
    /// Refuse to apply a plan that adds more than USD a month to the bill (exit 2).
    #[arg(long, value_name = "USD")]
    pub max_monthly_cost: Option<f64>,
}

/// How an apply runs.
#[cfg(feature = "aws")]
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Apply")]
pub struct ApplyArgs {
    /// Apply unsafe actions too (they may break workloads); otherwise they are held back.
    #[arg(long = "unsafe")]
    pub allow_unsafe: bool,
    /// Do not ask for confirmation (required when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Write-ahead journal (JSON lines) of every call, for `mlguard rollback` [default: a
    /// new timestamped file in the working directory].
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RemediateCmd {
    /// Plan from this snapshot instead of scanning the account.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Only plan (the default): print the diff, write it with -o, change nothing; exit 1
    /// when the plan is not empty.
    #[arg(long)]
    pub plan: bool,
    /// Apply the plan in PLAN (from `--plan -o PLAN`), or without PLAN one made now from a
    /// live scan. Only safe actions unless --unsafe; asks first unless --yes.
    #[cfg(feature = "aws")]
    #[arg(long, value_name = "PLAN", num_args = 0..=1, conflicts_with_all = ["snapshot", "plan"])]
    pub apply: Option<Option<PathBuf>>,
    /// Write the plan (JSON, for --apply) to FILE.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Refuse a snapshot collected more than HOURS ago (0: any age).
    #[arg(long, value_name = "HOURS", default_value_t = 24)]
    pub max_age: u64,
    #[command(flatten)]
    pub fix: FixArgs,
    #[command(flatten)]
    pub cost: CostArgs,
    #[cfg(feature = "aws")]
    #[command(flatten)]
    pub run: ApplyArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[cfg(feature = "aws")]
    #[command(flatten)]
    pub aws: AwsArgs,
}

/// Where to reach AWS (rollback, harden, teardown): the AWS CLI's options and environment.
#[cfg(feature = "aws")]
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "AWS")]
pub struct AwsConnArgs {
    /// Named profile from ~/.aws/config (default: AWS_PROFILE, then `default`).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Region (default: AWS_REGION, then the profile's region).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Assume this role (with the configured credentials).
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// External id the role's trust policy requires.
    #[arg(long, value_name = "ID", requires = "role_arn")]
    pub external_id: Option<String>,
    /// Session name of the assumed role (shows in CloudTrail).
    #[arg(long, value_name = "NAME", default_value = "mlguard")]
    pub role_session_name: String,
    /// Send every request to this URL (an emulator, a proxy); AWS_ENDPOINT_URL works too.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Attempts per request (adaptive backoff between them on throttling and server errors).
    #[arg(long, value_name = "N", env = "AWS_MAX_ATTEMPTS", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// Seconds one attempt may take before it is retried.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=900))]
    pub attempt_timeout: u64,
}

#[cfg(feature = "aws")]
#[derive(Debug, Args)]
pub struct RollbackCmd {
    /// The journal `remediate --apply` (or harden, teardown) wrote.
    pub journal: PathBuf,
    /// Do not ask for confirmation (required when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Also restore aspects that changed since the apply (never deletes a resource that
    /// lost mlguard's tag).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub aws: AwsConnArgs,
}

#[cfg(feature = "aws")]
#[derive(Debug, Args)]
pub struct HardenCmd {
    /// Stack name: tags every resource (mlguard:stack=NAME) and prefixes their names.
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// The range the workload is reached from (tcp/443 only), e.g. your VPN.
    #[arg(long, value_name = "CIDR")]
    pub allowed_cidr: String,
    /// The VPC's range; the two private subnets are its first two /(n+8) blocks.
    #[arg(long, value_name = "CIDR", default_value = "10.0.0.0/16")]
    pub vpc_cidr: String,
    /// S3 bucket the execution role may read and write (repeatable; default: the SageMaker
    /// default bucket sagemaker-REGION-ACCOUNT).
    #[arg(long = "bucket", value_name = "NAME")]
    pub buckets: Vec<String>,
    /// S3 bucket ARN for the VPC's flow logs (default: a bucket of the stack).
    #[arg(long, value_name = "ARN")]
    pub flow_logs_destination: Option<String>,
    /// Only plan: print the diff, write it with -o; exit 1 when anything is missing.
    #[arg(long)]
    pub plan: bool,
    /// Write the plan (JSON) to FILE.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[arg(long, short = 'y')]
    /// Do not ask for confirmation (required when stdin is not a terminal).
    pub yes: bool,
    /// Write-ahead journal of every call [default: a new timestamped file].
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    #[command(flatten)]
    pub cost: CostArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub aws: AwsConnArgs,
}

#[cfg(feature = "aws")]
#[derive(Debug, Args)]
pub struct TeardownCmd {
    /// The stack `harden --name NAME` built.
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// Only plan: print what would be deleted; exit 1 when anything would be.
    #[arg(long)]
    pub plan: bool,
    /// Write the plan (JSON) to FILE.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Do not ask for confirmation (required when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Write-ahead journal of every call [default: a new timestamped file].
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
    #[command(flatten)]
    pub cost: CostArgs,
    #[command(flatten)]
    pub aws: AwsConnArgs,
}

/// `mlguard org`.
#[derive(Debug, Subcommand)]
pub enum OrgCmd {
    /// Write the manifest: the organization's active accounts (organizations:ListAccounts,
    /// from the management or a delegated administrator account), or the accounts given.
    #[cfg(feature = "aws")]
    Plan(Box<OrgPlanCmd>),
    /// Scan the manifest's accounts (or this part's share): assume the member role in each,
    /// collect and audit as `scan` does, and write accounts/<id>/{snapshot,report,status}.json
    /// under --out. Exit 5 when an account failed.
    #[cfg(feature = "aws")]
    Scan(Box<OrgScanCmd>),
    /// Merge the parts an `org scan` wrote (any number of shards) into org-wide reports,
    /// streamed: memory does not grow with the organization. Exit 5 when an account failed or
    /// is missing.
    Merge(crate::org::merge::MergeArgs),
}

#[cfg(feature = "aws")]
#[derive(Debug, Args)]
pub struct OrgPlanCmd {
    /// Write the manifest to FILE or s3://BUCKET/KEY instead of stdout.
    #[arg(short, long, value_name = "FILE|s3://BUCKET/KEY")]
    pub output: Option<String>,
    /// Only the accounts under this organizational unit (or root), child OUs included
    /// (repeatable).
    #[arg(long = "ou", value_name = "OU_ID", conflicts_with_all = ["accounts", "accounts_file"])]
    pub ous: Vec<String>,
    /// Leave out these accounts (repeatable, or comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    pub exclude: Vec<String>,
    /// These accounts instead of listing the organization (comma-separated), when
    /// Organizations is not readable.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "ID,ID",
        conflicts_with = "accounts_file"
    )]
    pub accounts: Vec<String>,
    /// Read the accounts from FILE instead: one id per line (`#` comments and text after the
    /// id, such as a name, are allowed), or a JSON array of ids.
    #[arg(long, value_name = "FILE")]
    pub accounts_file: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsConnArgs,
}

/// `org scan`'s report options: what each account's outputs hold, and what fails the run.
#[cfg(feature = "aws")]
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Report")]
pub struct OrgReportArgs {
    /// Also write this report per account, beside report.json (repeatable): table
    /// (report.txt), sarif (report.sarif), ocsf (report.ocsf.json), asff (report.asff.json),
    /// html (report.html), csv (evidence.csv). report.json is always written.
    #[arg(short, long = "format", value_name = "FORMAT")]
    pub formats: Vec<crate::report::Format>,
    /// Write the run's summary (every account of this part: status, findings, error and
    /// hint) as JSON to FILE (atomically).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when an account has a finding at or above this severity [default: high, or
    /// `fail_on` in mlguard.toml]; `none` for parts of a fan-out (merge gates instead).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// No progress display and no summary on stderr; errors only.
    #[arg(short, long)]
    pub quiet: bool,
    /// Also record evidence per control of this framework in each account's reports
    /// (repeatable).
    #[arg(long = "framework", value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(crate::engine::frameworks::KEYS))]
    pub frameworks: Vec<String>,
}

/// `org scan`'s AWS options: the hub identity, and how each account is read.
#[cfg(feature = "aws")]
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "AWS")]
pub struct OrgAwsArgs {
    /// Named profile of the hub identity (default: AWS_PROFILE, then `default`).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Region for global calls (STS, IAM, the S3 listing, the output bucket) and the region
    /// collected when --regions is not given.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Regions to collect in every account, comma-separated, or `all` (each account's
    /// enabled regions).
    #[arg(long, value_delimiter = ',', value_name = "REGIONS")]
    pub regions: Vec<String>,
    /// Assume this hub role first (with the configured credentials); the member roles are
    /// assumed from it.
    #[arg(long, value_name = "ARN")]
    pub role_arn: Option<String>,
    /// Session name of the assumed roles (shows in each account's CloudTrail).
    #[arg(long, value_name = "NAME", default_value = "mlguard")]
    pub role_session_name: String,
    /// Send every request to this URL (an emulator, a proxy); AWS_ENDPOINT_URL works too.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Requests in flight at once within one account, across services and regions.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub concurrency: u32,
    /// Attempts per request (adaptive backoff between them on throttling and server errors).
    #[arg(long, value_name = "N", env = "AWS_MAX_ATTEMPTS", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// Seconds one attempt may take before it is retried.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=900))]
    pub attempt_timeout: u64,
    /// AssumeRole calls per second at most, across the run (the hub account's STS quota is
    /// shared by everything in it).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub assume_role_rate: u32,
    /// Read when each role was last used (one iam:GetRole call per role).
    #[arg(long)]
    pub role_last_used: bool,
    /// Describe at most this many of the most recent SageMaker training jobs per region.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_training_jobs: usize,
    /// Exit 3 when an account is only partly collected (no account failed).
    #[arg(long)]
    pub strict: bool,
}

#[cfg(feature = "aws")]
#[derive(Debug, Args)]
pub struct OrgScanCmd {
    /// The manifest from `mlguard org plan`: a file or s3://BUCKET/KEY.
    #[arg(long, value_name = "FILE|s3://BUCKET/KEY")]
    pub manifest: String,
    /// Name of the read-only role in every member account (deploy/member-role.yaml):
    /// arn:PARTITION:iam::<id>:role/NAME.
    #[arg(long, value_name = "NAME")]
    pub member_role: String,
    /// External id the member role's trust policy requires.
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// Where the outputs go: a directory or s3://BUCKET/PREFIX
    /// (OUT/accounts/<id>/{snapshot,report,status}.json, and OUT/manifest.json).
    #[arg(long, value_name = "DIR|s3://BUCKET/PREFIX")]
    pub out: String,
    /// Accounts scanned at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub max_accounts: u32,
    /// Skip accounts whose status.json under OUT is ok or partial for this manifest and
    /// policy set (failed accounts are scanned again).
    #[arg(long)]
    pub resume: bool,
    /// Scan only shard K of N (1-based): the accounts at manifest index i with i % N == K-1.
    #[arg(long, value_name = "K/N", conflicts_with_all = ["shard_count", "account"])]
    pub shard: Option<String>,
    /// Scan shard INDEX+1 of N, INDEX (0-based) from JOB_COMPLETION_INDEX (Kubernetes
    /// Indexed Job) or AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array job).
    #[arg(long, value_name = "N", conflicts_with = "account")]
    pub shard_count: Option<usize>,
    /// Scan only this account of the manifest (Step Functions Distributed Map).
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// Import each account's findings (ASFF) into Security Hub in that account, with its
    /// credentials (BatchImportFindings); the member role needs securityhub:BatchImportFindings.
    #[arg(long)]
    pub security_hub: bool,
    #[command(flatten)]
    pub report: OrgReportArgs,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub aws: OrgAwsArgs,
}
