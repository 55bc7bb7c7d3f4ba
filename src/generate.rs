//! Synthetic snapshots: deterministic, realistically shaped accounts of any size, for
//! benchmarks and tests (`mlguard generate`).
//!
//! Resources keep the AWS API field names and shapes of collected snapshots, and their
//! policy documents are written already normalized (arrays everywhere), so another Rego
//! engine reading the raw file sees what mlguard's policies see. Every resource kind is split
//! into *hardened* resources, which pass every built-in rule, and *violating* ones: an exact
//! share (`violation_rate`) of each kind, picked by a seeded shuffle, each breaking the rules of its kind
//! in turn (the k-th violating security group opens every port, the next one an
//! administration port, ...). With two regions or more, the last ones host ML resources but
//! no KMS key (the region-level rule DE-004).
//!
//! Everything is a pure function of the seed and the resource's index, so generation
//! streams (no account is held in memory) and the same spec always gives the same bytes.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value as Json, json};
use std::collections::BTreeMap;

/// Regions a snapshot can span, in order.
pub const REGIONS: &[&str] = &[
    "us-east-1",
    "eu-west-1",
    "us-west-2",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ca-central-1",
    "sa-east-1",
    "eu-north-1",
    "ap-south-1",
    "us-east-2",
    "eu-west-2",
];

/// The account every generated snapshot describes.
pub const ACCOUNT_ID: &str = "123456789012";

/// A trusted partner account (cross-account trust).
const PARTNER_ACCOUNT: &str = "210987654321";

/// The collection time, fixed so that ages (LP-011) do not depend on when it ran.
const COLLECTED_AT: &str = "2026-11-26T00:00:00Z";

/// S3's AWS-managed prefix list in us-east-1 (used in routes and egress rules).
const S3_PREFIX_LIST: &str = "pl-63a5400a";

/// How far a search for a hardened resource to reference looks before giving up.
const SEARCH: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("the violation rate must be between 0 and 1, got {0}")]
    Rate(f64),
    #[error("a snapshot spans 1 to {max} regions, not {got}")]
    Regions { got: usize, max: usize },
    #[error("cannot write the snapshot: {0}")]
    Json(#[from] serde_json::Error),
}

/// How many resources of each kind; derived kinds (route tables, flow logs, VPC endpoints,
/// internet gateways) follow from these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub roles: usize,
    /// Customer-managed policies, attached to the roles in turn.
    pub policies: usize,
    pub buckets: usize,
    pub keys: usize,
    pub vpcs: usize,
    pub subnets: usize,
    pub security_groups: usize,
    pub network_acls: usize,
    pub notebooks: usize,
    pub domains: usize,
    pub training_jobs: usize,
    pub models: usize,
    pub endpoint_configs: usize,
}

impl Counts {
    /// `n` of every kind.
    pub fn uniform(n: usize) -> Counts {
        Counts {
            roles: n,
            policies: n,
            buckets: n,
            keys: n,
            vpcs: n,
            subnets: n,
            security_groups: n,
            network_acls: n,
            notebooks: n,
            domains: n,
            training_jobs: n,
            models: n,
            endpoint_configs: n,
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub counts: Counts,
    /// Number of regions (the first ones of [`REGIONS`]).
    pub regions: usize,
    pub seed: u64,
    /// Share of each kind that violates a rule, 0 to 1 (rounded to 1/1000).
    pub violation_rate: f64,
}

impl Spec {
    pub fn new(counts: Counts) -> Spec {
        Spec {
            counts,
            regions: 2,
            seed: 1,
            violation_rate: 0.2,
        }
    }
}

/// What was generated, by kind: (resources, violating resources).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub kinds: BTreeMap<&'static str, (usize, usize)>,
}

impl Summary {
    pub fn resources(&self) -> usize {
        self.kinds.values().map(|(n, _)| n).sum()
    }

    pub fn violating(&self) -> usize {
        self.kinds.values().map(|(_, v)| v).sum()
    }
}

/// The generated snapshot as pretty-printed JSON (as `mlguard collect` writes), with its
/// summary.
pub fn generate(spec: &Spec) -> Result<(Vec<u8>, Summary), GenerateError> {
    let g = Gen::new(spec)?;
    let mut out = Vec::new();
    serde_json::to_writer_pretty(&mut out, &Node::Doc(&g))?;
    out.push(b'\n');
    Ok((out, g.summary()))
}

// --- determinism ----------------------------------------------------------------------

/// The splitmix64 finalizer: a bijection of u64, so distinct inputs give distinct ids.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// A small random stream for one resource.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
}

/// Every kind, in the order of its discriminant.
const KINDS: [Kind; 13] = [
    Kind::Role,
    Kind::Policy,
    Kind::Bucket,
    Kind::Key,
    Kind::Vpc,
    Kind::Subnet,
    Kind::SecurityGroup,
    Kind::NetworkAcl,
    Kind::Notebook,
    Kind::Domain,
    Kind::TrainingJob,
    Kind::Model,
    Kind::EndpointConfig,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Role,
    Policy,
    Bucket,
    Key,
    Vpc,
    Subnet,
    SecurityGroup,
    NetworkAcl,
    Notebook,
    Domain,
    TrainingJob,
    Model,
    EndpointConfig,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Role => "iam.roles",
            Kind::Policy => "iam.policies",
            Kind::Bucket => "s3.buckets",
            Kind::Key => "kms.keys",
            Kind::Vpc => "ec2.vpcs",
            Kind::Subnet => "ec2.subnets",
            Kind::SecurityGroup => "ec2.security_groups",
            Kind::NetworkAcl => "ec2.network_acls",
            Kind::Notebook => "sagemaker.notebook_instances",
            Kind::Domain => "sagemaker.domains",
            Kind::TrainingJob => "sagemaker.training_jobs",
            Kind::Model => "sagemaker.models",
            Kind::EndpointConfig => "sagemaker.endpoint_configs",
        }
    }

    /// The ways a resource of this kind violates the rules (the modes cycle), each named by
    /// the rule it breaks (for the `mlguard:suppress` tags some violators carry). Policies
    /// never violate on their own.
    fn mode_rules(self) -> &'static [&'static str] {
        match self {
            Kind::Role => &[
                "LP-001", "LP-002", "LP-003", "LP-004", "LP-005", "LP-006", "LP-007", "LP-008",
                "LP-009", "LP-010", "LP-011", "LP-012",
            ],
            Kind::Policy => &[],
            Kind::Bucket => &["DE-009", "DE-009", "DE-010", "DE-010", "DE-011"],
            Kind::Key => &["DE-001", "DE-002", "DE-003"],
            Kind::Vpc => &["NI-005", "NI-012", "NI-014"],
            Kind::Subnet => &["NI-006", "NI-006"],
            Kind::SecurityGroup => &["NI-001", "NI-002", "NI-003", "NI-004", "NI-015"],
            Kind::NetworkAcl => &["NI-013", "NI-013"],
            Kind::Notebook => &["NI-007", "NI-008", "NI-009", "DE-005", "DE-012"],
            Kind::Domain => &["NI-010", "DE-008", "DE-012"],
            Kind::TrainingJob => &["NI-011", "DE-007", "DE-007", "DE-012"],
            Kind::Model => &["NI-011"],
            Kind::EndpointConfig => &["DE-006", "DE-006", "DE-012"],
        }
    }

    /// How many ways a resource of this kind violates the rules.
    fn modes(self) -> usize {
        self.mode_rules().len()
    }

    /// The rule mode `mode` breaks.
    fn mode_rule(self, mode: usize) -> &'static str {
        let rules = self.mode_rules();
        if rules.is_empty() {
            ""
        } else {
            rules[mode % rules.len()]
        }
    }
}

/// Number of `i < n` with `i % m == q`.
fn count_in(n: usize, m: usize, q: usize) -> usize {
    if m == 0 || q >= n {
        0
    } else {
        (n - q).div_ceil(m)
    }
}

struct Gen {
    counts: Counts,
    seed: u64,
    permille: u64,
    regions: Vec<&'static str>,
    /// Indices (into `regions`) of the regions that hold KMS keys.
    keyed: Vec<usize>,
    /// For each kind, the position of each index in a seeded shuffle.
    perms: Vec<Vec<u32>>,
}

impl Gen {
    fn new(spec: &Spec) -> Result<Gen, GenerateError> {
        if !(0.0..=1.0).contains(&spec.violation_rate) {
            return Err(GenerateError::Rate(spec.violation_rate));
        }
        if spec.regions == 0 || spec.regions > REGIONS.len() {
            return Err(GenerateError::Regions {
                got: spec.regions,
                max: REGIONS.len(),
            });
        }
        let permille = (spec.violation_rate * 1000.0).round() as u64;
        let r = spec.regions;
        // With two regions or more, the last ones (the violation rate of them, at least one)
        // hold no key.
        let keyless = if r >= 2 && permille > 0 {
            ((r as u64 * permille / 1000) as usize).clamp(1, r - 1)
        } else {
            0
        };
        let mut g = Gen {
            counts: spec.counts,
            seed: mix(spec.seed ^ 0x6d6c_6775_6172_6400),
            permille,
            regions: REGIONS[..r].to_vec(),
            keyed: (0..r - keyless).collect(),
            perms: Vec::new(),
        };
        g.perms = KINDS
            .iter()
            .map(|&kind| {
                let n = g.count(kind);
                let mut perm: Vec<u32> = (0..n as u32).collect();
                let mut rng = Rng(g.hash(kind, usize::MAX));
                for k in (1..n).rev() {
                    perm.swap(k, rng.below(k as u64 + 1) as usize);
                }
                perm
            })
            .collect();
        Ok(g)
    }

    fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for kind in KINDS {
            let n = self.count(kind);
            let v = (0..n).filter(|&i| self.mode(kind, i).is_some()).count();
            s.kinds.insert(kind.name(), (n, v));
        }
        let keyless = self.regions.len() - self.keyed.len();
        s.kinds.insert("regions", (self.regions.len(), keyless));
        s
    }

    fn count(&self, kind: Kind) -> usize {
        let c = &self.counts;
        match kind {
            Kind::Role => c.roles,
            Kind::Policy => c.policies,
            Kind::Bucket => c.buckets,
            Kind::Key => c.keys,
            Kind::Vpc => c.vpcs,
            Kind::Subnet => c.subnets,
            Kind::SecurityGroup => c.security_groups,
            Kind::NetworkAcl => c.network_acls,
            Kind::Notebook => c.notebooks,
            Kind::Domain => c.domains,
            Kind::TrainingJob => c.training_jobs,
            Kind::Model => c.models,
            Kind::EndpointConfig => c.endpoint_configs,
        }
    }

    fn hash(&self, kind: Kind, i: usize) -> u64 {
        mix(self.seed ^ fnv(kind.name()) ^ i as u64)
    }

    fn rng(&self, kind: Kind, i: usize) -> Rng {
        Rng(self.hash(kind, i) ^ 0x5eed)
    }

    /// A 17-character AWS resource id suffix ("0" and 16 hex digits), unique per index.
    fn hex_id(&self, kind: Kind, i: usize) -> String {
        format!("0{:016x}", self.hash(kind, i))
    }

    /// The stride over positions that makes an exact share of them violating: `(offset,
    /// permille)`.
    fn stride(&self, kind: Kind) -> (u64, u64) {
        (
            mix(self.seed ^ fnv(kind.name()) ^ 0xfeed) % 1000,
            self.permille,
        )
    }

    /// Violators among positions `< j`.
    fn violators_before(&self, kind: Kind, j: u64) -> u64 {
        let (o, p) = self.stride(kind);
        (j + o) * p / 1000 - o * p / 1000
    }

    /// The ordinal of `i` among the violating resources of its kind; `None` when hardened.
    /// Exactly the violation rate of the resources violate: positions (a seeded shuffle of
    /// the indices, so that violations do not line up with regions or other round robins)
    /// take turns at an even stride.
    fn violator(&self, kind: Kind, i: usize) -> Option<usize> {
        if self.permille == 0 {
            return None;
        }
        let j = u64::from(*self.perms[kind as usize].get(i)?);
        let before = self.violators_before(kind, j);
        (self.violators_before(kind, j + 1) > before).then_some(before as usize)
    }

    /// The ordinal of `i` among the hardened resources of its kind; `None` when violating.
    /// Hardened resources take the kind's variants in turn.
    fn hardened(&self, kind: Kind, i: usize) -> Option<usize> {
        let j = u64::from(*self.perms[kind as usize].get(i)?);
        if self.violator(kind, i).is_some() {
            return None;
        }
        Some((j - self.violators_before(kind, j)) as usize)
    }

    /// The violation mode of a resource, `None` when hardened.
    fn mode(&self, kind: Kind, i: usize) -> Option<usize> {
        if kind.modes() == 0 {
            return None;
        }
        self.violator(kind, i).map(|k| k % kind.modes())
    }

    /// Tags that accept the violation of about one violating resource in a hundred.
    fn suppress_tags(&self, kind: Kind, i: usize, kms: bool) -> Vec<Json> {
        let Some(k) = self.violator(kind, i) else {
            return Vec::new();
        };
        if k % 97 != 96 {
            return Vec::new();
        }
        let rule = kind.mode_rule(k % kind.modes().max(1));
        let pairs = [
            ("mlguard:suppress", rule.to_string()),
            (
                "mlguard:suppress-reason",
                "accepted until the workload moves (synthetic)".to_string(),
            ),
        ];
        pairs
            .into_iter()
            .map(|(k, v)| {
                if kms {
                    json!({"TagKey": k, "TagValue": v})
                } else {
                    json!({"Key": k, "Value": v})
                }
            })
            .collect()
    }

    // --- regions ------------------------------------------------------------------------

    fn nregions(&self) -> usize {
        self.regions.len()
    }

    /// Region index of a regional resource (round robin); keys go to keyed regions only.
    fn region_of(&self, kind: Kind, i: usize) -> usize {
        match kind {
            Kind::Key => self.keyed[i % self.keyed.len()],
            _ => i % self.nregions(),
        }
    }

    /// The `t`-th resource of `kind` in region `r`.
    fn nth_in_region(&self, kind: Kind, r: usize, t: usize) -> Option<usize> {
        let (m, q) = match kind {
            Kind::Key => (self.keyed.len(), self.keyed.iter().position(|&k| k == r)?),
            _ => (self.nregions(), r),
        };
        let i = q + m * t;
        (i < self.count(kind)).then_some(i)
    }

    fn count_in_region(&self, kind: Kind, r: usize) -> usize {
        match kind {
            Kind::Key => self
                .keyed
                .iter()
                .position(|&k| k == r)
                .map_or(0, |q| count_in(self.count(kind), self.keyed.len(), q)),
            _ => count_in(self.count(kind), self.nregions(), r),
        }
    }

    /// The first resource of `kind` in region `r` (or anywhere, when `r` is `None`) at or
    /// after position `start` that satisfies `ok`, looking at most [`SEARCH`] of them.
    fn find(
        &self,
        kind: Kind,
        r: Option<usize>,
        start: u64,
        ok: impl Fn(usize) -> bool,
    ) -> Option<usize> {
        let n = match r {
            Some(r) => self.count_in_region(kind, r),
            None => self.count(kind),
        };
        if n == 0 {
            return None;
        }
        (0..SEARCH.min(n)).find_map(|step| {
            let t = (start as usize).wrapping_add(step) % n;
            let i = match r {
                Some(r) => self.nth_in_region(kind, r, t)?,
                None => t,
            };
            ok(i).then_some(i)
        })
    }

    // --- IAM ----------------------------------------------------------------------------

    /// 0: SageMaker execution role (ML), 1: cross-account partner role, 2: EC2 instance role.
    fn role_variant(&self, i: usize) -> usize {
        match self.mode(Kind::Role, i) {
            Some(1 | 6 | 11) => 0,
            Some(0 | 5) => 1,
            Some(_) => 2,
            None => [0, 0, 1, 2][self.hardened(Kind::Role, i).unwrap_or(0) % 4],
        }
    }

    fn role_name(&self, i: usize) -> String {
        match self.role_variant(i) {
            0 => format!("ml-sagemaker-exec-{i:06}"),
            1 => format!("partner-audit-{i:06}"),
            _ => format!("app-instance-{i:06}"),
        }
    }

    fn role_arn(&self, i: usize) -> String {
        let path = if self.role_variant(i) == 0 {
            "service-role/"
        } else {
            ""
        };
        format!("arn:aws:iam::{ACCOUNT_ID}:role/{path}{}", self.role_name(i))
    }

    /// A hardened SageMaker execution role for ML resources to run as.
    fn ml_role(&self, start: u64) -> Option<String> {
        self.find(Kind::Role, None, start, |j| {
            self.mode(Kind::Role, j).is_none() && self.role_variant(j) == 0
        })
        .map(|j| self.role_arn(j))
    }

    fn policy_arn(&self, p: usize) -> String {
        format!("arn:aws:iam::{ACCOUNT_ID}:policy/ml-team-access-{p:06}")
    }

    fn statement(effect: &str, actions: &[&str], resources: &[String]) -> Json {
        json!({"Effect": effect, "Action": actions, "Resource": resources})
    }

    fn document(statements: Vec<Json>) -> Json {
        json!({"Version": "2012-10-17", "Statement": statements})
    }

    fn role(&self, i: usize) -> Json {
        let mode = self.mode(Kind::Role, i);
        let variant = self.role_variant(i);
        let mut rng = self.rng(Kind::Role, i);
        let name = self.role_name(i);
        let region = self.regions[i % self.nregions()];
        let bucket = self.bucket_name(rng.below(self.counts.buckets.max(1) as u64) as usize);
        let key = self
            .cmk(0, rng.next(), RefForm::Arn)
            .unwrap_or_else(|| format!("arn:aws:kms:{region}:{ACCOUNT_ID}:key/*"));
        // Trust policy.
        let trust = match (variant, mode) {
            (0, Some(1)) => json!({"Effect": "Allow",
                "Principal": {"Service": ["sagemaker.amazonaws.com"]},
                "Action": ["sts:AssumeRole"]}),
            (0, _) => json!({"Effect": "Allow",
                "Principal": {"Service": ["sagemaker.amazonaws.com"]},
                "Action": ["sts:AssumeRole"],
                "Condition": {"StringEquals": {"aws:SourceAccount": [ACCOUNT_ID]}}}),
            (1, Some(0)) => json!({"Effect": "Allow",
                "Principal": {"AWS": ["*"]},
                "Action": ["sts:AssumeRole"]}),
            (1, Some(5)) => json!({"Effect": "Allow",
                "Principal": {"AWS": [format!("arn:aws:iam::{PARTNER_ACCOUNT}:root")]},
                "Action": ["sts:AssumeRole"]}),
            (1, _) => json!({"Effect": "Allow",
                "Principal": {"AWS": [format!("arn:aws:iam::{PARTNER_ACCOUNT}:root")]},
                "Action": ["sts:AssumeRole"],
                "Condition": {"StringEquals": {"sts:ExternalId": [format!("partner-{:08x}", rng.next() as u32)]}}}),
            _ => json!({"Effect": "Allow",
                "Principal": {"Service": ["ec2.amazonaws.com"]},
                "Action": ["sts:AssumeRole"]}),
        };
        // Inline policy: what the role's job needs, scoped.
        let mut statements = match variant {
            0 => vec![
                Gen::statement(
                    "Allow",
                    &["s3:GetObject", "s3:PutObject"],
                    &[format!("arn:aws:s3:::{bucket}/*")],
                ),
                Gen::statement(
                    "Allow",
                    &["s3:ListBucket"],
                    &[format!("arn:aws:s3:::{bucket}")],
                ),
                Gen::statement("Allow", &["kms:Decrypt", "kms:GenerateDataKey"], &[key]),
                Gen::statement(
                    "Allow",
                    &["logs:CreateLogStream", "logs:PutLogEvents"],
                    &[format!(
                        "arn:aws:logs:{region}:{ACCOUNT_ID}:log-group:/aws/sagemaker/*"
                    )],
                ),
            ],
            1 => vec![Gen::statement(
                "Allow",
                &["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"],
                &["*".to_string()],
            )],
            _ => vec![Gen::statement(
                "Allow",
                &["ssm:GetParameter", "ssm:GetParameters"],
                &[format!(
                    "arn:aws:ssm:{region}:{ACCOUNT_ID}:parameter/app/{name}/*"
                )],
            )],
        };
        let bucket_arn = format!("arn:aws:s3:::{bucket}");
        match mode {
            Some(3) => statements.push(Gen::statement(
                "Allow",
                &["s3:*"],
                &[bucket_arn.clone(), format!("{bucket_arn}/*")],
            )),
            Some(4) => statements.push(Gen::statement(
                "Allow",
                &["iam:PassRole"],
                &["*".to_string()],
            )),
            Some(7) => statements.push(Gen::statement(
                "Allow",
                &["iam:PutRolePolicy"],
                &["*".to_string()],
            )),
            Some(8) => statements.push(Gen::statement(
                "Allow",
                &["s3:GetObject"],
                &["*".to_string()],
            )),
            Some(9) => statements.push(json!({"Effect": "Allow",
                "NotAction": ["iam:*", "lambda:*", "glue:*", "sts:*", "s3:*", "kms:*"],
                "Resource": [format!("arn:aws:ec2:{region}:{ACCOUNT_ID}:instance/*")]})),
            _ => {}
        }
        let mut attached = Vec::new();
        if self.counts.policies > 0 {
            let p = i % self.counts.policies;
            attached.push(json!({"PolicyName": format!("ml-team-access-{p:06}"),
                "PolicyArn": self.policy_arn(p)}));
        }
        match mode {
            Some(2) => attached.push(json!({"PolicyName": "AdministratorAccess",
                "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})),
            Some(6) => attached.push(json!({"PolicyName": "AWSKeyManagementServicePowerUser",
                "PolicyArn": "arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser"})),
            _ => {}
        }
        let path = if variant == 0 { "/service-role/" } else { "/" };
        let created = date(&mut rng, 2024, 2026);
        let last_used = match (variant, mode) {
            (_, Some(10)) => {
                json!({"LastUsedDate": format!("2025-0{}-{:02}T08:00:00Z", 1 + rng.below(9), 1 + rng.below(28)), "Region": region})
            }
            // Partner roles were created recently and have not been used yet.
            (1, _) => json!({}),
            _ => {
                json!({"LastUsedDate": format!("2026-11-{:02}T{:02}:{:02}:00Z", 1 + rng.below(25), rng.below(24), rng.below(60)), "Region": region})
            }
        };
        let created = if variant == 1 {
            format!("2026-11-{:02}T10:00:00Z", 1 + rng.below(20))
        } else {
            created
        };
        let mut role = json!({
            "Path": path,
            "RoleName": name,
            "RoleId": format!("AROA{:016X}", self.hash(Kind::Role, i)),
            "Arn": self.role_arn(i),
            "CreateDate": created,
            "MaxSessionDuration": 3600,
            "AssumeRolePolicyDocument": Gen::document(vec![trust]),
            "InstanceProfileList": [],
            "RolePolicyList": [{"PolicyName": format!("{name}-inline"), "PolicyDocument": Gen::document(statements)}],
            "AttachedManagedPolicies": attached,
            "Tags": self.suppress_tags(Kind::Role, i, false),
            "RoleLastUsed": last_used,
        });
        if variant == 0 && mode != Some(11) {
            role["PermissionsBoundary"] = json!({"PermissionsBoundaryType": "Policy",
                "PermissionsBoundaryArn": format!("arn:aws:iam::{ACCOUNT_ID}:policy/ml-permissions-boundary")});
        }
        role
    }

    fn managed_policy(&self, p: usize) -> Json {
        let mut rng = self.rng(Kind::Policy, p);
        let region = self.regions[p % self.nregions()];
        let doc = Gen::document(vec![
            Gen::statement(
                "Allow",
                &[
                    "sagemaker:DescribeTrainingJob",
                    "sagemaker:ListTrainingJobs",
                    "sagemaker:DescribeModel",
                ],
                &["*".to_string()],
            ),
            Gen::statement(
                "Allow",
                &["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                &[format!(
                    "arn:aws:ecr:{region}:{ACCOUNT_ID}:repository/ml-team-{p:06}"
                )],
            ),
        ]);
        let versions = if p.is_multiple_of(3) {
            vec![
                json!({"Document": doc, "VersionId": "v2", "IsDefaultVersion": true, "CreateDate": "2026-06-01T12:00:00Z"}),
                json!({"Document": Gen::document(vec![Gen::statement("Allow", &["sagemaker:List*"], &["*".to_string()])]),
                    "VersionId": "v1", "IsDefaultVersion": false, "CreateDate": "2025-06-01T12:00:00Z"}),
            ]
        } else {
            vec![
                json!({"Document": doc, "VersionId": "v1", "IsDefaultVersion": true, "CreateDate": "2026-06-01T12:00:00Z"}),
            ]
        };
        json!({
            "PolicyName": format!("ml-team-access-{p:06}"),
            "PolicyId": format!("ANPA{:016X}", self.hash(Kind::Policy, p)),
            "Arn": self.policy_arn(p),
            "Path": "/",
            "DefaultVersionId": if p.is_multiple_of(3) { "v2" } else { "v1" },
            "AttachmentCount": self.counts.roles.div_ceil(self.counts.policies.max(1)),
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": true,
            "CreateDate": date(&mut rng, 2024, 2025),
            "UpdateDate": "2026-06-01T12:00:00Z",
            "PolicyVersionList": versions,
        })
    }

    /// AWS-managed policies that violating roles attach, as GetAccountAuthorizationDetails
    /// lists them.
    fn aws_managed_policies(&self) -> Vec<Json> {
        if self.counts.roles == 0 {
            return Vec::new();
        }
        let admin = Gen::document(vec![Gen::statement("Allow", &["*"], &["*".to_string()])]);
        let kms_power_user = Gen::document(vec![Gen::statement(
            "Allow",
            &[
                "kms:Create*",
                "kms:Describe*",
                "kms:Enable*",
                "kms:List*",
                "kms:Put*",
                "kms:Update*",
                "kms:Revoke*",
                "kms:Disable*",
                "kms:Get*",
                "kms:Delete*",
                "kms:TagResource",
                "kms:UntagResource",
                "kms:ScheduleKeyDeletion",
                "kms:CancelKeyDeletion",
            ],
            &["*".to_string()],
        )]);
        [
            ("AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK", admin),
            (
                "AWSKeyManagementServicePowerUser",
                "ANPAJNPP7PPPPMJRV2SA4",
                kms_power_user,
            ),
        ]
        .into_iter()
        .map(|(name, id, doc)| {
            json!({
                "PolicyName": name,
                "PolicyId": id,
                "Arn": format!("arn:aws:iam::aws:policy/{name}"),
                "Path": "/",
                "DefaultVersionId": "v1",
                "AttachmentCount": 1,
                "IsAttachable": true,
                "CreateDate": "2015-02-06T18:40:15Z",
                "UpdateDate": "2015-02-06T18:40:15Z",
                "PolicyVersionList": [{"Document": doc, "VersionId": "v1", "IsDefaultVersion": true, "CreateDate": "2015-02-06T18:40:15Z"}],
            })
        })
        .collect()
    }

    // --- S3 -----------------------------------------------------------------------------

    fn bucket_name(&self, i: usize) -> String {
        format!("ml-data-{i:06}-{:08x}", self.hash(Kind::Bucket, i) as u32)
    }

    fn bucket(&self, i: usize) -> Json {
        let mode = self.mode(Kind::Bucket, i);
        let mut rng = self.rng(Kind::Bucket, i);
        let name = self.bucket_name(i);
        let r = i % self.nregions();
        let arn = format!("arn:aws:s3:::{name}");
        let tls = json!({"Sid": "DenyInsecureTransport", "Effect": "Deny",
            "Principal": {"AWS": ["*"]}, "Action": ["s3:*"],
            "Resource": [arn.clone(), format!("{arn}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": ["false"]}}});
        let reader = json!({"Sid": "AllowMlRole", "Effect": "Allow",
            "Principal": {"AWS": [self.ml_role(rng.next()).unwrap_or_else(|| format!("arn:aws:iam::{ACCOUNT_ID}:root"))]},
            "Action": ["s3:GetObject", "s3:PutObject"], "Resource": [format!("{arn}/*")]});
        let mut bucket = json!({
            "Name": name,
            "Region": self.regions[r],
            "CreationDate": date(&mut rng, 2023, 2026),
            "Tags": self.suppress_tags(Kind::Bucket, i, false),
        });
        let sse = |alg: &str, key: Option<String>| {
            let mut d = json!({"SSEAlgorithm": alg});
            if let Some(k) = key {
                d["KMSMasterKeyID"] = json!(k);
            }
            json!({"Rules": [{"ApplyServerSideEncryptionByDefault": d, "BucketKeyEnabled": true}]})
        };
        match mode {
            Some(0) => {}
            Some(1) => bucket["ServerSideEncryptionConfiguration"] = sse("AES256", None),
            _ => {
                let key = self.cmk(r, rng.next(), RefForm::Arn);
                bucket["ServerSideEncryptionConfiguration"] = sse("aws:kms", key);
            }
        }
        match mode {
            Some(2) => {}
            Some(3) => bucket["Policy"] = Gen::document(vec![reader]),
            _ => bucket["Policy"] = Gen::document(vec![tls, reader]),
        }
        let off = mode == Some(4);
        bucket["PublicAccessBlock"] = json!({"BlockPublicAcls": true, "IgnorePublicAcls": true,
            "BlockPublicPolicy": !off, "RestrictPublicBuckets": !off});
        bucket
    }

    // --- KMS ----------------------------------------------------------------------------

    fn key_id(&self, i: usize) -> String {
        let h = self.hash(Kind::Key, i);
        let l = mix(h);
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            h >> 32,
            (h >> 16) & 0xffff,
            h & 0xffff,
            l >> 48,
            l & 0xffff_ffff_ffff
        )
    }

    fn key_arn(&self, i: usize) -> String {
        let region = self.regions[self.region_of(Kind::Key, i)];
        format!("arn:aws:kms:{region}:{ACCOUNT_ID}:key/{}", self.key_id(i))
    }

    /// AWS-managed keys: the first two hardened keys of each region (aws/s3, aws/sagemaker).
    fn aws_managed_key(&self, i: usize) -> Option<&'static str> {
        if self.mode(Kind::Key, i).is_some() {
            return None;
        }
        match i / self.keyed.len() {
            0 => Some("alias/aws/s3"),
            1 => Some("alias/aws/sagemaker"),
            _ => None,
        }
    }

    fn hardened_cmk(&self, i: usize) -> bool {
        self.mode(Kind::Key, i).is_none() && self.aws_managed_key(i).is_none()
    }

    /// A reference, in the given form, to a hardened customer-managed key usable from
    /// region `r`: one of `r`'s own keys, or (in a region without keys) another region's,
    /// by ARN.
    fn cmk(&self, r: usize, start: u64, form: RefForm) -> Option<String> {
        let (region, form) = if self.keyed.contains(&r) {
            (r, form)
        } else {
            (self.keyed[start as usize % self.keyed.len()], RefForm::Arn)
        };
        let i = self.find(Kind::Key, Some(region), start, |k| self.hardened_cmk(k))?;
        let name = self.regions[region];
        Some(match form {
            RefForm::Id => self.key_id(i),
            RefForm::Arn => self.key_arn(i),
            RefForm::Alias => format!("alias/ml-data-{i:06}"),
            RefForm::AliasArn => format!("arn:aws:kms:{name}:{ACCOUNT_ID}:alias/ml-data-{i:06}"),
        })
    }

    /// A key ARN of this account that the snapshot does not hold (deleted long ago).
    fn missing_key(&self, kind: Kind, i: usize) -> String {
        let region = self.regions[self.region_of(kind, i)];
        let h = mix(self.hash(kind, i) ^ 0xdead);
        format!(
            "arn:aws:kms:{region}:{ACCOUNT_ID}:key/{:08x}-dead-4bad-8bad-{:012x}",
            h >> 32,
            h & 0xffff_ffff_ffff
        )
    }

    fn key(&self, i: usize) -> Json {
        let mode = self.mode(Kind::Key, i);
        let mut rng = self.rng(Kind::Key, i);
        let r = self.region_of(Kind::Key, i);
        let region = self.regions[r];
        let arn = self.key_arn(i);
        let root = json!({"Sid": "Enable IAM User Permissions", "Effect": "Allow",
            "Principal": {"AWS": [format!("arn:aws:iam::{ACCOUNT_ID}:root")]},
            "Action": ["kms:*"], "Resource": ["*"]});
        if let Some(alias) = self.aws_managed_key(i) {
            let service = alias.trim_start_matches("alias/aws/");
            let via = json!({"Sid": "Allow access through the service for all principals in the account",
                "Effect": "Allow", "Principal": {"AWS": ["*"]},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": ["*"],
                "Condition": {"StringEquals": {"kms:CallerAccount": [ACCOUNT_ID],
                    "kms:ViaService": [format!("{service}.{region}.amazonaws.com")]}}});
            return json!({
                "AWSAccountId": ACCOUNT_ID,
                "KeyId": self.key_id(i),
                "Arn": arn,
                "CreationDate": date(&mut rng, 2021, 2023),
                "Enabled": true,
                "Description": format!("Default key that protects my {service} data when no other key is defined"),
                "KeyUsage": "ENCRYPT_DECRYPT",
                "KeyState": "Enabled",
                "Origin": "AWS_KMS",
                "KeyManager": "AWS",
                "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
                "KeySpec": "SYMMETRIC_DEFAULT",
                "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                "MultiRegion": false,
                "KeyRotationEnabled": true,
                "Policy": {"Version": "2012-10-17", "Id": "auto-1", "Statement": [via, root]},
                "Aliases": [{"AliasName": alias, "AliasArn": format!("arn:aws:kms:{region}:{ACCOUNT_ID}:{alias}")}],
                "Tags": [],
            });
        }
        let mut statements = vec![root];
        if mode == Some(1) {
            statements.push(json!({"Sid": "AllowPartnerDecrypt", "Effect": "Allow",
                "Principal": {"AWS": ["*"]}, "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": ["*"]}));
        } else if let Some(role) = self.ml_role(rng.next()) {
            statements.push(json!({"Sid": "AllowMlRoleUse", "Effect": "Allow",
                "Principal": {"AWS": [role]}, "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": ["*"]}));
        }
        let pending = mode == Some(2);
        let alias = format!("alias/ml-data-{i:06}");
        let mut key = json!({
            "AWSAccountId": ACCOUNT_ID,
            "KeyId": self.key_id(i),
            "Arn": arn,
            "CreationDate": date(&mut rng, 2023, 2026),
            "Enabled": !pending,
            "Description": format!("ML data key {i}"),
            "KeyUsage": "ENCRYPT_DECRYPT",
            "KeyState": if pending { "PendingDeletion" } else { "Enabled" },
            "Origin": "AWS_KMS",
            "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "MultiRegion": false,
            "KeyRotationEnabled": mode != Some(0),
            "Policy": {"Version": "2012-10-17", "Id": "key-default-1", "Statement": statements},
            "Aliases": [{"AliasName": alias, "AliasArn": format!("arn:aws:kms:{region}:{ACCOUNT_ID}:{alias}")}],
            "Tags": self.suppress_tags(Kind::Key, i, true),
        });
        if pending {
            key["DeletionDate"] = json!(format!("2026-12-{:02}T00:00:00Z", 1 + rng.below(28)));
        }
        key
    }

    // --- EC2 ----------------------------------------------------------------------------

    fn vpc_id(&self, v: usize) -> String {
        format!("vpc-{}", self.hex_id(Kind::Vpc, v))
    }

    fn vpc_ml(&self, v: usize) -> bool {
        match (self.mode(Kind::Vpc, v), self.violator(Kind::Vpc, v)) {
            (Some(1 | 2), _) => true,
            (Some(_), Some(k)) => (k / 3) % 2 == 0,
            _ => self.hardened(Kind::Vpc, v).unwrap_or(0).is_multiple_of(2),
        }
    }

    /// The VPC of a resource of `kind` in region `r` at position `t` there, preferring one
    /// whose ML scope is `ml` (`None`: any).
    fn vpc_for(&self, r: usize, t: usize, ml: Option<bool>) -> Option<usize> {
        let n = self.count_in_region(Kind::Vpc, r);
        if n == 0 {
            return None;
        }
        let first = self.nth_in_region(Kind::Vpc, r, t % n)?;
        match ml {
            None => Some(first),
            Some(ml) => self
                .find(Kind::Vpc, Some(r), (t % n) as u64, |v| self.vpc_ml(v) == ml)
                .or(Some(first)),
        }
    }

    fn vpc(&self, v: usize) -> Json {
        let mode = self.mode(Kind::Vpc, v);
        let cidr = format!("10.{}.0.0/16", v % 256);
        let mut tags = vec![
            json!({"Key": "Name", "Value": if self.vpc_ml(v) { format!("ml-vpc-{v:06}") } else { format!("app-vpc-{v:06}") }}),
        ];
        if self.vpc_ml(v) {
            tags.push(json!({"Key": "mlguard:scope", "Value": "ml"}));
        }
        tags.extend(self.suppress_tags(Kind::Vpc, v, false));
        json!({
            "CidrBlock": cidr,
            "DhcpOptionsId": format!("dopt-{}", self.hex_id(Kind::Vpc, v + 1)),
            "State": "available",
            "VpcId": self.vpc_id(v),
            "OwnerId": ACCOUNT_ID,
            "InstanceTenancy": "default",
            "IsDefault": mode == Some(2),
            "CidrBlockAssociationSet": [{"AssociationId": format!("vpc-cidr-assoc-{}", self.hex_id(Kind::Vpc, v)),
                "CidrBlock": cidr, "CidrBlockState": {"State": "associated"}}],
            "Tags": tags,
        })
    }

    fn flow_logs(&self, v: usize) -> Vec<Json> {
        let mode = self.mode(Kind::Vpc, v);
        let k = self.violator(Kind::Vpc, v).unwrap_or(0);
        let traffic = match mode {
            // Half the VPCs without a flow log that counts have one that records accepted
            // traffic only.
            Some(0) if (k / 3) % 2 == 1 => "ACCEPT",
            Some(0) => return Vec::new(),
            _ => "ALL",
        };
        vec![json!({
            "CreationTime": "2026-01-15T12:00:00Z",
            "DeliverLogsPermissionArn": format!("arn:aws:iam::{ACCOUNT_ID}:role/flow-logs-delivery"),
            "DeliverLogsStatus": "SUCCESS",
            "FlowLogId": format!("fl-{}", self.hex_id(Kind::Vpc, v)),
            "FlowLogStatus": "ACTIVE",
            "LogGroupName": format!("/vpc/flow-logs/{}", self.vpc_id(v)),
            "ResourceId": self.vpc_id(v),
            "TrafficType": traffic,
            "LogDestinationType": "cloud-watch-logs",
            "LogFormat": "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}",
            "MaxAggregationInterval": 600,
            "Tags": [],
        })]
    }

    fn igw_id(&self, v: usize) -> String {
        format!("igw-{}", self.hex_id(Kind::Vpc, v.wrapping_add(1 << 40)))
    }

    fn internet_gateway(&self, v: usize) -> Option<Json> {
        (!self.vpc_ml(v)).then(|| {
            json!({"Attachments": [{"State": "available", "VpcId": self.vpc_id(v)}],
                "InternetGatewayId": self.igw_id(v), "OwnerId": ACCOUNT_ID, "Tags": []})
        })
    }

    fn main_table_id(&self, v: usize) -> String {
        format!("rtb-{}", self.hex_id(Kind::Vpc, v.wrapping_add(1 << 41)))
    }

    fn main_route_table(&self, v: usize) -> Json {
        let id = self.main_table_id(v);
        json!({
            "Associations": [{"Main": true, "RouteTableAssociationId": format!("rtbassoc-{}", self.hex_id(Kind::Vpc, v.wrapping_add(1 << 42))),
                "RouteTableId": id, "AssociationState": {"State": "associated"}}],
            "PropagatingVgws": [],
            "RouteTableId": id,
            "Routes": [{"DestinationCidrBlock": format!("10.{}.0.0/16", v % 256), "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"}],
            "Tags": [],
            "VpcId": self.vpc_id(v),
            "OwnerId": ACCOUNT_ID,
        })
    }

    fn endpoints(&self, v: usize) -> Vec<Json> {
        if !self.vpc_ml(v) || self.mode(Kind::Vpc, v) == Some(1) {
            return Vec::new();
        }
        let region = self.regions[v % self.nregions()];
        let subnet = self.subnet_of_vpc(v);
        let group = self.sg_for_vpc(v);
        let full = Gen::document(vec![
            json!({"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["*"], "Resource": ["*"]}),
        ]);
        let mut out = vec![json!({
            "VpcEndpointId": format!("vpce-{}", self.hex_id(Kind::Vpc, v.wrapping_add(1 << 43))),
            "VpcEndpointType": "Gateway",
            "VpcId": self.vpc_id(v),
            "ServiceName": format!("com.amazonaws.{region}.s3"),
            "State": "available",
            "PolicyDocument": full,
            "RouteTableIds": [self.main_table_id(v)],
            "SubnetIds": [],
            "Groups": [],
            "PrivateDnsEnabled": false,
            "NetworkInterfaceIds": [],
            "CreationTimestamp": "2026-01-15T12:00:00Z",
            "OwnerId": ACCOUNT_ID,
            "Tags": [],
        })];
        for (n, service) in ["sagemaker.api", "sagemaker.runtime"]
            .into_iter()
            .enumerate()
        {
            out.push(json!({
                "VpcEndpointId": format!("vpce-{}", self.hex_id(Kind::Vpc, v.wrapping_add((n + 5) << 43))),
                "VpcEndpointType": "Interface",
                "VpcId": self.vpc_id(v),
                "ServiceName": format!("com.amazonaws.{region}.{service}"),
                "State": "available",
                "PolicyDocument": full,
                "RouteTableIds": [],
                "SubnetIds": subnet.iter().map(|s| self.subnet_id(*s)).collect::<Vec<_>>(),
                "Groups": group.iter().map(|g| json!({"GroupId": self.sg_id(*g), "GroupName": self.sg_name(*g)})).collect::<Vec<_>>(),
                "PrivateDnsEnabled": true,
                "NetworkInterfaceIds": [format!("eni-{}", self.hex_id(Kind::Vpc, v.wrapping_add((n + 7) << 43)))],
                "CreationTimestamp": "2026-01-15T12:00:00Z",
                "OwnerId": ACCOUNT_ID,
                "Tags": [],
            }));
        }
        out
    }

    fn subnet_id(&self, s: usize) -> String {
        format!("subnet-{}", self.hex_id(Kind::Subnet, s))
    }

    fn subnet_vpc(&self, s: usize) -> Option<usize> {
        let r = s % self.nregions();
        self.vpc_for(r, s / self.nregions(), None)
    }

    /// A subnet of VPC `v` (the first one, when it has any).
    fn subnet_of_vpc(&self, v: usize) -> Option<usize> {
        let r = v % self.nregions();
        let nv = self.count_in_region(Kind::Vpc, r);
        let t = v / self.nregions();
        let s = r + self.nregions() * t;
        (nv > 0 && s < self.counts.subnets).then_some(s)
    }

    /// A subnet in an ML VPC of region `r`, for an ML resource.
    fn ml_subnet(&self, r: usize, start: u64) -> Option<usize> {
        self.find(Kind::Subnet, Some(r), start, |s| {
            self.subnet_vpc(s).is_some_and(|v| self.vpc_ml(v))
        })
    }

    fn subnet(&self, s: usize) -> Json {
        let r = s % self.nregions();
        let region = self.regions[r];
        let v = self.subnet_vpc(s);
        let t = s / self.nregions();
        let mode = self.mode(Kind::Subnet, s);
        let az = ["a", "b", "c"][t % 3];
        let mut tags = vec![json!({"Key": "Name", "Value": format!("subnet-{t:06}-{az}")})];
        tags.extend(self.suppress_tags(Kind::Subnet, s, false));
        json!({
            "AvailabilityZone": format!("{region}{az}"),
            "AvailabilityZoneId": format!("{region}-az{}", t % 3 + 1),
            "AvailableIpAddressCount": 251,
            "CidrBlock": format!("10.{}.{}.0/24", v.unwrap_or(0) % 256, t % 256),
            "DefaultForAz": false,
            "MapPublicIpOnLaunch": mode == Some(1),
            "State": "available",
            "SubnetId": self.subnet_id(s),
            "VpcId": v.map_or_else(|| "vpc-00000000000000000".to_string(), |v| self.vpc_id(v)),
            "OwnerId": ACCOUNT_ID,
            "AssignIpv6AddressOnCreation": false,
            "Ipv6CidrBlockAssociationSet": [],
            "SubnetArn": format!("arn:aws:ec2:{region}:{ACCOUNT_ID}:subnet/{}", self.subnet_id(s)),
            "Tags": tags,
        })
    }

    /// The explicit route table of a subnet: every odd subnet has a private one, and the
    /// subnets that route to the internet a public one; the others use their VPC's main table.
    fn subnet_route_table(&self, s: usize) -> Option<Json> {
        let v = self.subnet_vpc(s)?;
        let public = self.mode(Kind::Subnet, s) == Some(0);
        if !public
            && self
                .hardened(Kind::Subnet, s)
                .unwrap_or(0)
                .is_multiple_of(2)
        {
            return None;
        }
        let id = format!("rtb-{}", self.hex_id(Kind::Subnet, s));
        let mut routes = vec![
            json!({"DestinationCidrBlock": format!("10.{}.0.0/16", v % 256),
            "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"}),
        ];
        if public {
            routes.push(
                json!({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": self.igw_id(v),
                "Origin": "CreateRoute", "State": "active"}),
            );
        } else {
            routes.push(json!({"DestinationPrefixListId": S3_PREFIX_LIST,
                "GatewayId": format!("vpce-{}", self.hex_id(Kind::Vpc, v.wrapping_add(1 << 43))),
                "Origin": "CreateRoute", "State": "active"}));
        }
        Some(json!({
            "Associations": [{"Main": false, "RouteTableAssociationId": format!("rtbassoc-{}", self.hex_id(Kind::Subnet, s)),
                "RouteTableId": id, "SubnetId": self.subnet_id(s), "AssociationState": {"State": "associated"}}],
            "PropagatingVgws": [],
            "RouteTableId": id,
            "Routes": routes,
            "Tags": [{"Key": "Name", "Value": if public { "public" } else { "private" }}],
            "VpcId": self.vpc_id(v),
            "OwnerId": ACCOUNT_ID,
        }))
    }

    fn sg_id(&self, g: usize) -> String {
        format!("sg-{}", self.hex_id(Kind::SecurityGroup, g))
    }

    /// Hardened security groups: ML, other, ML, other, ..., and every eighth a VPC's
    /// (empty) default group.
    fn sg_default(&self, g: usize) -> bool {
        match self.mode(Kind::SecurityGroup, g) {
            Some(3) => true,
            Some(_) => false,
            None => self.hardened(Kind::SecurityGroup, g).unwrap_or(0) % 8 == 7,
        }
    }

    fn sg_ml(&self, g: usize) -> bool {
        match self.mode(Kind::SecurityGroup, g) {
            Some(2 | 4) => true,
            Some(_) => false,
            None => {
                self.hardened(Kind::SecurityGroup, g)
                    .unwrap_or(0)
                    .is_multiple_of(2)
                    && !self.sg_default(g)
            }
        }
    }

    fn sg_name(&self, g: usize) -> String {
        if self.sg_default(g) {
            "default".to_string()
        } else if self.sg_ml(g) {
            format!("ml-training-{g:06}")
        } else {
            format!("app-web-{g:06}")
        }
    }

    fn sg_vpc(&self, g: usize) -> Option<usize> {
        let r = g % self.nregions();
        let ml = (!self.sg_default(g)).then(|| self.sg_ml(g));
        self.vpc_for(r, g / self.nregions(), ml)
    }

    /// A hardened ML security group of region `r`, for an ML resource.
    fn ml_sg(&self, r: usize, start: u64) -> Option<usize> {
        self.find(Kind::SecurityGroup, Some(r), start, |g| {
            self.sg_ml(g) && self.mode(Kind::SecurityGroup, g).is_none()
        })
    }

    /// A security group in VPC `v`'s region for its interface endpoints.
    fn sg_for_vpc(&self, v: usize) -> Option<usize> {
        let r = v % self.nregions();
        self.ml_sg(r, v as u64)
    }

    fn permission(
        protocol: &str,
        ports: Option<(i64, i64)>,
        cidrs: &[&str],
        groups: &[String],
        lists: &[&str],
    ) -> Json {
        let mut p = json!({
            "IpProtocol": protocol,
            "IpRanges": cidrs.iter().filter(|c| !c.contains(':')).map(|c| json!({"CidrIp": c})).collect::<Vec<_>>(),
            "Ipv6Ranges": cidrs.iter().filter(|c| c.contains(':')).map(|c| json!({"CidrIpv6": c})).collect::<Vec<_>>(),
            "PrefixListIds": lists.iter().map(|l| json!({"PrefixListId": l})).collect::<Vec<_>>(),
            "UserIdGroupPairs": groups.iter().map(|g| json!({"GroupId": g, "UserId": ACCOUNT_ID})).collect::<Vec<_>>(),
        });
        if let Some((from, to)) = ports {
            p["FromPort"] = json!(from);
            p["ToPort"] = json!(to);
        }
        p
    }

    fn security_group(&self, g: usize) -> Json {
        let mode = self.mode(Kind::SecurityGroup, g);
        let k = self.violator(Kind::SecurityGroup, g).unwrap_or(0);
        let id = self.sg_id(g);
        let world: &[&str] = &["0.0.0.0/0"];
        let all_out = Gen::permission("-1", None, world, &[], &[]);
        let (ingress, egress) = if self.sg_default(g) {
            if mode == Some(3) {
                (
                    vec![Gen::permission(
                        "-1",
                        None,
                        &[],
                        std::slice::from_ref(&id),
                        &[],
                    )],
                    vec![all_out],
                )
            } else {
                (Vec::new(), Vec::new())
            }
        } else if self.sg_ml(g) {
            let https_private = Gen::permission(
                "tcp",
                Some((443, 443)),
                &["10.0.0.0/16"],
                std::slice::from_ref(&id),
                &[],
            );
            let ingress = match mode {
                Some(2) if (k / 5).is_multiple_of(2) => vec![
                    https_private,
                    Gen::permission("tcp", Some((443, 443)), &["203.0.113.0/24"], &[], &[]),
                ],
                Some(2) => vec![
                    https_private,
                    Gen::permission("tcp", Some((8888, 8888)), &["10.0.0.0/16"], &[], &[]),
                ],
                _ => vec![https_private],
            };
            let egress = if mode == Some(4) {
                vec![all_out]
            } else {
                vec![Gen::permission(
                    "tcp",
                    Some((443, 443)),
                    &["10.0.0.0/8"],
                    &[],
                    &[S3_PREFIX_LIST],
                )]
            };
            (ingress, egress)
        } else {
            let mut ingress = vec![
                Gen::permission("tcp", Some((443, 443)), &["0.0.0.0/0", "::/0"], &[], &[]),
                Gen::permission("tcp", Some((22, 22)), &["10.0.0.0/8"], &[], &[]),
            ];
            match mode {
                Some(0) => ingress.push(Gen::permission("-1", None, world, &[], &[])),
                Some(1) => ingress.push(Gen::permission(
                    "tcp",
                    Some((22, 22)),
                    &["0.0.0.0/0", "::/0"],
                    &[],
                    &[],
                )),
                _ => {}
            }
            (ingress, vec![all_out])
        };
        let r = g % self.nregions();
        let region = self.regions[r];
        let vpc = self
            .sg_vpc(g)
            .map_or_else(|| "vpc-00000000000000000".to_string(), |v| self.vpc_id(v));
        json!({
            "Description": if self.sg_default(g) { "default VPC security group".to_string() } else { format!("{} security group", self.sg_name(g)) },
            "GroupName": self.sg_name(g),
            "IpPermissions": ingress,
            "OwnerId": ACCOUNT_ID,
            "GroupId": id,
            "IpPermissionsEgress": egress,
            "VpcId": vpc,
            "SecurityGroupArn": format!("arn:aws:ec2:{region}:{ACCOUNT_ID}:security-group/{id}"),
            "Tags": self.suppress_tags(Kind::SecurityGroup, g, false),
        })
    }

    fn network_acl(&self, a: usize) -> Json {
        let mode = self.mode(Kind::NetworkAcl, a);
        let r = a % self.nregions();
        let t = a / self.nregions();
        let v = self.vpc_for(r, t, None);
        let entry = |n: i64,
                     egress: bool,
                     proto: &str,
                     action: &str,
                     cidr: &str,
                     ports: Option<(i64, i64)>| {
            let mut e = json!({"CidrBlock": cidr, "Egress": egress, "Protocol": proto, "RuleAction": action, "RuleNumber": n});
            if let Some((from, to)) = ports {
                e["PortRange"] = json!({"From": from, "To": to});
            }
            e
        };
        let mut entries = vec![
            entry(100, true, "-1", "allow", "0.0.0.0/0", None),
            entry(32767, true, "-1", "deny", "0.0.0.0/0", None),
            entry(32767, false, "-1", "deny", "0.0.0.0/0", None),
        ];
        let https_in = || entry(100, false, "6", "allow", "0.0.0.0/0", Some((443, 443)));
        match mode {
            Some(0) => entries.push(entry(100, false, "-1", "allow", "0.0.0.0/0", None)),
            Some(_) => entries.extend([
                https_in(),
                entry(110, false, "6", "allow", "0.0.0.0/0", Some((22, 22))),
            ]),
            None => entries.extend([
                https_in(),
                entry(110, false, "-1", "allow", "10.0.0.0/8", None),
                // Return traffic on the ephemeral ports, which hold no administration port.
                entry(120, false, "6", "allow", "0.0.0.0/0", Some((32768, 65535))),
            ]),
        }
        let id = format!("acl-{}", self.hex_id(Kind::NetworkAcl, a));
        json!({
            "Associations": [],
            "Entries": entries,
            "IsDefault": mode == Some(0),
            "NetworkAclId": id,
            "Tags": self.suppress_tags(Kind::NetworkAcl, a, false),
            "VpcId": v.map_or_else(|| "vpc-00000000000000000".to_string(), |v| self.vpc_id(v)),
            "OwnerId": ACCOUNT_ID,
        })
    }

    // --- SageMaker ----------------------------------------------------------------------

    fn ref_form(i: usize) -> RefForm {
        [RefForm::Arn, RefForm::Id, RefForm::Alias, RefForm::AliasArn][i % 4]
    }

    fn sm_arn(&self, kind: Kind, i: usize, what: &str, name: &str) -> String {
        let region = self.regions[self.region_of(kind, i)];
        format!("arn:aws:sagemaker:{region}:{ACCOUNT_ID}:{what}/{name}")
    }

    fn notebook(&self, i: usize) -> Json {
        let mode = self.mode(Kind::Notebook, i);
        let mut rng = self.rng(Kind::Notebook, i);
        let r = i % self.nregions();
        let region = self.regions[r];
        let name = format!("ml-notebook-{i:06}");
        let mut nb = json!({
            "NotebookInstanceArn": self.sm_arn(Kind::Notebook, i, "notebook-instance", &name),
            "NotebookInstanceName": name,
            "NotebookInstanceStatus": "InService",
            "Url": format!("{name}.notebook.{region}.sagemaker.aws"),
            "InstanceType": "ml.t3.medium",
            "LastModifiedTime": "2026-11-21T10:00:00Z",
            "CreationTime": date(&mut rng, 2025, 2026),
            "DirectInternetAccess": if matches!(mode, Some(0 | 1)) { "Enabled" } else { "Disabled" },
            "VolumeSizeInGB": 20,
            "RootAccess": if mode == Some(2) { "Enabled" } else { "Disabled" },
            "PlatformIdentifier": "notebook-al2-v3",
            "InstanceMetadataServiceConfiguration": {"MinimumInstanceMetadataServiceVersion": "2"},
            "Tags": self.suppress_tags(Kind::Notebook, i, false),
        });
        if let Some(role) = self.ml_role(rng.next()) {
            nb["RoleArn"] = json!(role);
        }
        if mode != Some(1) {
            if let Some(s) = self.ml_subnet(r, rng.next()) {
                nb["SubnetId"] = json!(self.subnet_id(s));
                nb["NetworkInterfaceId"] = json!(format!("eni-{}", self.hex_id(Kind::Notebook, i)));
            }
            if let Some(g) = self.ml_sg(r, rng.next()) {
                nb["SecurityGroups"] = json!([self.sg_id(g)]);
            }
        }
        match mode {
            Some(3) => {}
            Some(4) => nb["KmsKeyId"] = json!(self.missing_key(Kind::Notebook, i)),
            _ => {
                if let Some(k) = self.cmk(r, rng.next(), Gen::ref_form(i)) {
                    nb["KmsKeyId"] = json!(k);
                }
            }
        }
        nb
    }

    fn domain(&self, i: usize) -> Json {
        let mode = self.mode(Kind::Domain, i);
        let mut rng = self.rng(Kind::Domain, i);
        let r = i % self.nregions();
        let region = self.regions[r];
        let id = format!("d-{:012x}", self.hash(Kind::Domain, i) & 0xffff_ffff_ffff);
        let subnet = self.ml_subnet(r, rng.next());
        let vpc = subnet.and_then(|s| self.subnet_vpc(s));
        let mut settings = json!({"SecurityGroups": self.ml_sg(r, rng.next()).map(|g| vec![self.sg_id(g)]).unwrap_or_default()});
        if let Some(role) = self.ml_role(rng.next()) {
            settings["ExecutionRole"] = json!(role);
        }
        let mut d = json!({
            "DomainArn": self.sm_arn(Kind::Domain, i, "domain", &id),
            "DomainId": id,
            "DomainName": format!("ml-studio-{i:06}"),
            "HomeEfsFileSystemId": format!("fs-{:017x}", self.hash(Kind::Domain, i) >> 4),
            "Status": "InService",
            "CreationTime": date(&mut rng, 2025, 2026),
            "AuthMode": "IAM",
            "DefaultUserSettings": settings,
            "AppNetworkAccessType": if mode == Some(0) { "PublicInternetOnly" } else { "VpcOnly" },
            "SubnetIds": subnet.map(|s| vec![self.subnet_id(s)]).unwrap_or_default(),
            "Url": format!("https://{id}.studio.{region}.sagemaker.aws"),
            "Tags": self.suppress_tags(Kind::Domain, i, false),
        });
        if let Some(v) = vpc {
            d["VpcId"] = json!(self.vpc_id(v));
        }
        match mode {
            Some(1) => {}
            Some(2) => d["KmsKeyId"] = json!(self.missing_key(Kind::Domain, i)),
            _ => {
                if let Some(k) = self.cmk(r, rng.next(), Gen::ref_form(i)) {
                    d["KmsKeyId"] = json!(k);
                }
            }
        }
        d
    }

    fn vpc_config(&self, r: usize, rng: &mut Rng) -> Option<Json> {
        let s = self.ml_subnet(r, rng.next())?;
        let groups: Vec<String> = self
            .ml_sg(r, rng.next())
            .map(|g| vec![self.sg_id(g)])
            .unwrap_or_default();
        Some(json!({"SecurityGroupIds": groups, "Subnets": [self.subnet_id(s)]}))
    }

    fn training_job(&self, i: usize) -> Json {
        let mode = self.mode(Kind::TrainingJob, i);
        let mut rng = self.rng(Kind::TrainingJob, i);
        let r = i % self.nregions();
        let region = self.regions[r];
        let name = format!("ml-train-{i:06}");
        let bucket = self.bucket_name(rng.below(self.counts.buckets.max(1) as u64) as usize);
        let day = 1 + rng.below(25);
        let key = self.cmk(r, rng.next(), Gen::ref_form(i));
        let mut output = json!({"S3OutputPath": format!("s3://{bucket}/output/")});
        if mode != Some(1)
            && let Some(k) = &key
        {
            output["KmsKeyId"] = json!(k);
        }
        let count = if mode == Some(2)
            || self
                .hardened(Kind::TrainingJob, i)
                .unwrap_or(1)
                .is_multiple_of(5)
        {
            2
        } else {
            1
        };
        let mut resources =
            json!({"InstanceType": "ml.m5.xlarge", "InstanceCount": count, "VolumeSizeInGB": 30});
        if mode == Some(3) {
            resources["VolumeKmsKeyId"] = json!(self.missing_key(Kind::TrainingJob, i));
        } else if let Some(k) = &key {
            resources["VolumeKmsKeyId"] = json!(k);
        }
        let mut job = json!({
            "TrainingJobName": name,
            "TrainingJobArn": self.sm_arn(Kind::TrainingJob, i, "training-job", &name),
            "TrainingJobStatus": "Completed",
            "SecondaryStatus": "Completed",
            "AlgorithmSpecification": {"TrainingImage": format!("683313688378.dkr.ecr.{region}.amazonaws.com/sagemaker-xgboost:1.7-1"), "TrainingInputMode": "File"},
            "OutputDataConfig": output,
            "ResourceConfig": resources,
            "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
            "CreationTime": format!("2026-11-{day:02}T08:00:00Z"),
            "TrainingStartTime": format!("2026-11-{day:02}T08:03:00Z"),
            "TrainingEndTime": format!("2026-11-{day:02}T08:41:00Z"),
            "EnableNetworkIsolation": mode != Some(0),
            "EnableInterContainerTrafficEncryption": mode != Some(2),
            "EnableManagedSpotTraining": false,
            "Tags": self.suppress_tags(Kind::TrainingJob, i, false),
        });
        if let Some(role) = self.ml_role(rng.next()) {
            job["RoleArn"] = json!(role);
        }
        if mode != Some(0)
            && let Some(c) = self.vpc_config(r, &mut rng)
        {
            job["VpcConfig"] = c;
        }
        job
    }

    fn model(&self, i: usize) -> Json {
        let mode = self.mode(Kind::Model, i);
        let mut rng = self.rng(Kind::Model, i);
        let r = i % self.nregions();
        let region = self.regions[r];
        let name = format!("ml-model-{i:06}");
        let bucket = self.bucket_name(rng.below(self.counts.buckets.max(1) as u64) as usize);
        let mut m = json!({
            "ModelName": name,
            "ModelArn": self.sm_arn(Kind::Model, i, "model", &name),
            "PrimaryContainer": {"Image": format!("683313688378.dkr.ecr.{region}.amazonaws.com/sagemaker-xgboost:1.7-1"),
                "Mode": "SingleModel", "ModelDataUrl": format!("s3://{bucket}/output/{name}/model.tar.gz")},
            "CreationTime": date(&mut rng, 2025, 2026),
            "EnableNetworkIsolation": mode.is_none(),
            "Tags": self.suppress_tags(Kind::Model, i, false),
        });
        if let Some(role) = self.ml_role(rng.next()) {
            m["ExecutionRoleArn"] = json!(role);
        }
        if mode.is_none()
            && let Some(c) = self.vpc_config(r, &mut rng)
        {
            m["VpcConfig"] = c;
        }
        m
    }

    fn endpoint_config(&self, i: usize) -> Json {
        let mode = self.mode(Kind::EndpointConfig, i);
        let mut rng = self.rng(Kind::EndpointConfig, i);
        let r = i % self.nregions();
        let name = format!("ml-endpoint-config-{i:06}");
        let mut c = json!({
            "EndpointConfigName": name,
            "EndpointConfigArn": self.sm_arn(Kind::EndpointConfig, i, "endpoint-config", &name),
            "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": format!("ml-model-{i:06}"),
                "InitialInstanceCount": 1, "InstanceType": "ml.m5.large", "InitialVariantWeight": 1.0}],
            "CreationTime": date(&mut rng, 2025, 2026),
            "Tags": self.suppress_tags(Kind::EndpointConfig, i, false),
        });
        match mode {
            Some(0) => {}
            Some(1) => c["KmsKeyId"] = json!("alias/aws/sagemaker"),
            Some(_) => c["KmsKeyId"] = json!(self.missing_key(Kind::EndpointConfig, i)),
            None => {
                if let Some(k) = self.cmk(r, rng.next(), Gen::ref_form(i)) {
                    c["KmsKeyId"] = json!(k);
                }
            }
        }
        c
    }

    // --- streaming ----------------------------------------------------------------------

    fn items<'a>(&'a self, section: Section, r: usize) -> Box<dyn Iterator<Item = Json> + 'a> {
        let regional = move |kind: Kind| {
            let n = self.count_in_region(kind, r);
            (0..n).filter_map(move |t| self.nth_in_region(kind, r, t))
        };
        match section {
            Section::Roles => Box::new((0..self.counts.roles).map(|i| self.role(i))),
            Section::Policies => Box::new(
                (0..self.counts.policies)
                    .map(|p| self.managed_policy(p))
                    .chain(self.aws_managed_policies()),
            ),
            Section::Buckets => Box::new((0..self.counts.buckets).map(|i| self.bucket(i))),
            Section::Keys => Box::new(regional(Kind::Key).map(|i| self.key(i))),
            Section::Vpcs => Box::new(regional(Kind::Vpc).map(|v| self.vpc(v))),
            Section::Subnets => Box::new(regional(Kind::Subnet).map(|s| self.subnet(s))),
            Section::RouteTables => Box::new(
                regional(Kind::Vpc)
                    .map(|v| self.main_route_table(v))
                    .chain(regional(Kind::Subnet).filter_map(|s| self.subnet_route_table(s))),
            ),
            Section::InternetGateways => {
                Box::new(regional(Kind::Vpc).filter_map(|v| self.internet_gateway(v)))
            }
            Section::VpcEndpoints => Box::new(regional(Kind::Vpc).flat_map(|v| self.endpoints(v))),
            Section::SecurityGroups => {
                Box::new(regional(Kind::SecurityGroup).map(|g| self.security_group(g)))
            }
            Section::NetworkAcls => {
                Box::new(regional(Kind::NetworkAcl).map(|a| self.network_acl(a)))
            }
            Section::FlowLogs => Box::new(regional(Kind::Vpc).flat_map(|v| self.flow_logs(v))),
            Section::Notebooks => Box::new(regional(Kind::Notebook).map(|i| self.notebook(i))),
            Section::Domains => Box::new(regional(Kind::Domain).map(|i| self.domain(i))),
            Section::TrainingJobs => {
                Box::new(regional(Kind::TrainingJob).map(|i| self.training_job(i)))
            }
            Section::Models => Box::new(regional(Kind::Model).map(|i| self.model(i))),
            Section::EndpointConfigs => {
                Box::new(regional(Kind::EndpointConfig).map(|i| self.endpoint_config(i)))
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum RefForm {
    Id,
    Arn,
    Alias,
    AliasArn,
}

#[derive(Debug, Clone, Copy)]
enum Section {
    Roles,
    Policies,
    Buckets,
    Keys,
    Vpcs,
    Subnets,
    RouteTables,
    InternetGateways,
    VpcEndpoints,
    SecurityGroups,
    NetworkAcls,
    FlowLogs,
    Notebooks,
    Domains,
    TrainingJobs,
    Models,
    EndpointConfigs,
}

/// An RFC 3339 time on some day of the years `from..=to` (before the collection time).
fn date(rng: &mut Rng, from: u64, to: u64) -> String {
    let year = from + rng.below(to - from + 1);
    let month = if year == 2026 {
        1 + rng.below(10)
    } else {
        1 + rng.below(12)
    };
    format!(
        "{year}-{month:02}-{:02}T{:02}:{:02}:{:02}Z",
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60)
    )
}

/// The document, serialized as it is generated.
enum Node<'a> {
    Doc(&'a Gen),
    Regions(&'a Gen),
    Region(&'a Gen, usize),
    Map(Vec<(&'static str, Node<'a>)>),
    Items(&'a Gen, Section, usize),
    Json(Json),
}

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Doc(g) => {
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("schema_version", &crate::snapshot::SCHEMA_VERSION)?;
                map.serialize_entry(
                    "metadata",
                    &json!({
                        "account_id": ACCOUNT_ID,
                        "partition": "aws",
                        "regions": g.regions,
                        "collected_at": COLLECTED_AT,
                        "tool_version": env!("CARGO_PKG_VERSION"),
                    }),
                )?;
                map.serialize_entry(
                    "iam",
                    &Node::Map(vec![
                        ("roles", Node::Items(g, Section::Roles, 0)),
                        ("policies", Node::Items(g, Section::Policies, 0)),
                    ]),
                )?;
                map.serialize_entry(
                    "s3",
                    &Node::Map(vec![("buckets", Node::Items(g, Section::Buckets, 0))]),
                )?;
                map.serialize_entry("regions", &Node::Regions(g))?;
                map.serialize_entry("gaps", &Node::Json(json!([])))?;
                map.end()
            }
            Node::Regions(g) => {
                let mut map = serializer.serialize_map(Some(g.nregions()))?;
                for (r, name) in g.regions.iter().enumerate() {
                    map.serialize_entry(name, &Node::Region(g, r))?;
                }
                map.end()
            }
            Node::Region(g, r) => {
                let r = *r;
                let items = |s| Node::Items(g, s, r);
                Node::Map(vec![
                    ("kms", Node::Map(vec![("keys", items(Section::Keys))])),
                    (
                        "ec2",
                        Node::Map(vec![
                            ("vpcs", items(Section::Vpcs)),
                            ("subnets", items(Section::Subnets)),
                            ("route_tables", items(Section::RouteTables)),
                            ("internet_gateways", items(Section::InternetGateways)),
                            ("nat_gateways", Node::Json(json!([]))),
                            ("vpc_endpoints", items(Section::VpcEndpoints)),
                            ("security_groups", items(Section::SecurityGroups)),
                            ("network_acls", items(Section::NetworkAcls)),
                            ("flow_logs", items(Section::FlowLogs)),
                        ]),
                    ),
                    (
                        "sagemaker",
                        Node::Map(vec![
                            ("notebook_instances", items(Section::Notebooks)),
                            ("domains", items(Section::Domains)),
                            ("training_jobs", items(Section::TrainingJobs)),
                            ("models", items(Section::Models)),
                            ("endpoint_configs", items(Section::EndpointConfigs)),
                        ]),
                    ),
                ])
                .serialize(serializer)
            }
            Node::Map(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            Node::Items(g, section, r) => serializer.collect_seq(g.items(*section, *r)),
            Node::Json(v) => v.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violators_are_an_exact_share() {
        let mut spec = Spec::new(Counts::uniform(1000));
        spec.violation_rate = 0.25;
        let g = Gen::new(&spec).expect("valid");
        let mut v: Vec<usize> = (0..1000)
            .filter_map(|i| g.violator(Kind::Role, i))
            .collect();
        v.sort_unstable();
        assert_eq!(v, (0..250).collect::<Vec<_>>());
        let mut h: Vec<usize> = (0..1000)
            .filter_map(|i| g.hardened(Kind::Role, i))
            .collect();
        h.sort_unstable();
        assert_eq!(h, (0..750).collect::<Vec<_>>());
        // Violations do not line up with the round robin over two regions.
        let even = (0..1000)
            .step_by(2)
            .filter(|&i| g.violator(Kind::Role, i).is_some())
            .count();
        assert!((100..150).contains(&even), "{even}");
    }

    #[test]
    fn ids_are_unique() {
        let g = Gen::new(&Spec::new(Counts::uniform(10))).expect("valid");
        let ids: std::collections::BTreeSet<String> =
            (0..100_000).map(|i| g.hex_id(Kind::Vpc, i)).collect();
        assert_eq!(ids.len(), 100_000);
    }

    #[test]
    fn bad_specs_are_refused() {
        let mut spec = Spec::new(Counts::uniform(1));
        spec.violation_rate = 1.5;
        assert!(matches!(generate(&spec), Err(GenerateError::Rate(_))));
        spec.violation_rate = 0.1;
        spec.regions = 0;
        assert!(matches!(
            generate(&spec),
            Err(GenerateError::Regions { .. })
        ));
    }
}
