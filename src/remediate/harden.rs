//! `harden` and `teardown` as plans.
//!
//! `harden --name NAME` builds the lab's baseline as one plan: a least-privilege SageMaker
//! execution role (SageMaker trust pinned to the account, a scoped inline policy, a
//! permissions boundary), a rotated KMS key with an alias, a VPC with private subnets in two
//! zones and no internet gateway, an S3 gateway endpoint and SageMaker API and runtime
//! interface endpoints, flow logs to an encrypted bucket, a security group admitting only
//! tcp/443 from `--allowed-cidr`, the default security group emptied and the default network
//! ACL tightened. Every resource carries `mlguard:managed=true` and `mlguard:stack=NAME`.
//! The desired actions are compared with what exists ([`observe`]): what is in place drops
//! out, so a second `harden` converges without duplicates.
//!
//! `teardown --name NAME` deletes, in dependency order, what an inventory of the account finds
//! carrying both tags, and nothing else.

use super::apply::{Resolver, owned};
use super::documents as docs;
use super::model::{
    AclEntry, Aspect, COMPONENT_TAG, Direction, MANAGED_TAG, Op, STACK_TAG, SgRule, Tags,
    normalize_document,
};
use super::plan::{Action, PLAN_VERSION, Plan, PlanKind, PlanOptions, PlanSource};
/// The inventory is the target's; it is named here too, where teardown plans from it.
pub use super::target::{Inventory, InventoryGroup, InventoryRole};
use super::target::{Target, TargetError};
use crate::cidr::Cidr;
use crate::findings::Applicability;
use serde_json::{Value, json};

/// Service Quotas: Amazon VPC, "VPCs per Region".
pub const VPC_QUOTA_SERVICE: &str = "vpc";
pub const VPC_QUOTA_CODE: &str = "L-F678F1CE";
/// The quota when Service Quotas cannot be read (AWS's default).
pub const DEFAULT_VPC_QUOTA: u32 = 5;

/// A VPC, and whether anything uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpcUse {
    pub id: String,
    pub is_default: bool,
    /// Network interfaces in it (instances, endpoints, load balancers, notebooks...).
    pub interfaces: usize,
}

/// A region's VPCs against its quota, and when it is full, the other regions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpcCapacity {
    pub region: String,
    pub quota: u32,
    /// The quota came from Service Quotas (else it is the default).
    pub quota_read: bool,
    pub vpcs: Vec<VpcUse>,
    /// `(region, VPCs, quota)` of the other enabled regions (read only when full).
    pub others: Vec<(String, usize, u32)>,
}

impl VpcCapacity {
    /// Whether one more VPC exceeds the quota.
    pub fn full(&self) -> bool {
        self.vpcs.len() >= self.quota as usize
    }

    /// The refusal, when one more VPC does not fit.
    pub fn check(&self) -> Result<(), HardenError> {
        if !self.full() {
            return Ok(());
        }
        let unused = self
            .vpcs
            .iter()
            .filter(|v| v.interfaces == 0)
            .map(|v| {
                if v.is_default {
                    format!("{} (the default VPC)", v.id)
                } else {
                    v.id.clone()
                }
            })
            .collect();
        // Regions of the same geography first (us-, eu-, ap-...), then by name.
        let geo = |r: &str| r.split('-').next().unwrap_or_default().to_string();
        let home = geo(&self.region);
        let mut room: Vec<(String, usize, u32)> = self
            .others
            .iter()
            .filter(|(_, n, q)| n < &(*q as usize))
            .cloned()
            .collect();
        room.sort_by(|a, b| (geo(&a.0) != home, &a.0).cmp(&(geo(&b.0) != home, &b.0)));
        room.truncate(5);
        Err(HardenError::VpcLimit {
            region: self.region.clone(),
            count: self.vpcs.len(),
            quota: self.quota,
            quota_read: self.quota_read,
            unused,
            room,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HardenError {
    #[error(
        "region {region} has {count} VPCs and allows {quota} ({}): the stack's VPC would exceed the limit (VpcLimitExceeded)",
        if *quota_read { "Service Quotas L-F678F1CE, VPCs per Region" } else { "the default of L-F678F1CE, VPCs per Region; Service Quotas could not be read" }
    )]
    VpcLimit {
        region: String,
        count: usize,
        quota: u32,
        quota_read: bool,
        /// VPCs without network interfaces.
        unused: Vec<String>,
        /// `(region, VPCs, quota)` with room, best first.
        room: Vec<(String, usize, u32)>,
    },
    #[error(
        "invalid stack name `{0}`: 1-24 lower-case letters, digits and hyphens, starting with a letter"
    )]
    BadName(String),
    #[error("invalid --vpc-cidr `{0}`: an IPv4 network of /16 to /24, such as 10.0.0.0/16")]
    BadVpcCidr(String),
    #[error("{0}")]
    BadAllowedCidr(String),
    #[error("region {region} has fewer than two availability zones")]
    Zones { region: String },
    #[error(
        "{what} exists but was not created by mlguard (no {MANAGED_TAG}=true, {STACK_TAG}={stack}): choose another --name"
    )]
    NotOurs { what: String, stack: String },
    #[error("cannot read {what}: {error}")]
    Read {
        what: String,
        error: TargetError,
        /// The ARN the credentials act as (empty when unknown).
        caller: String,
    },
}

impl HardenError {
    pub fn hint(&self) -> String {
        match self {
            HardenError::BadName(_) => "for example --name ml-lab".into(),
            HardenError::BadVpcCidr(_) => "for example --vpc-cidr 10.0.0.0/16".into(),
            HardenError::BadAllowedCidr(_) => {
                "the range the workload is reached from, e.g. your VPN: --allowed-cidr 203.0.113.0/24".into()
            }
            HardenError::Zones { .. } => "pick another --region".into(),
            HardenError::NotOurs { .. } => {
                "mlguard never adopts or changes resources it did not create".into()
            }
            HardenError::Read { error, caller, .. } if super::target::denied(&error.code) => {
                let who = if caller.is_empty() {
                    "the credentials"
                } else {
                    caller.as_str()
                };
                format!(
                    "{who} may not make this read: grant the read actions of the least-privilege policy policies/iam/mlguard-remediate-policy.json (every action mlguard can call, nothing else)"
                )
            }
            HardenError::Read { .. } => {
                "check the credentials' permissions (policies/iam/mlguard-remediate-policy.json)".into()
            }
            HardenError::VpcLimit {
                region,
                unused,
                room,
                ..
            } => {
                let mut parts = Vec::new();
                if unused.is_empty() {
                    parts.push(format!("every VPC in {region} has network interfaces"));
                } else {
                    parts.push(format!(
                        "VPCs in {region} that look unused (no network interfaces): {}; delete one you do not need (`aws ec2 delete-vpc --region {region} --vpc-id ID` once its subnets, gateways and security groups are gone)",
                        unused.join(", ")
                    ));
                }
                if !room.is_empty() {
                    let list: Vec<String> = room
                        .iter()
                        .map(|(r, n, q)| format!("{r} ({n} of {q})"))
                        .collect();
                    parts.push(format!(
                        "or build the stack in a region with room, e.g. --region {}: {}",
                        room[0].0,
                        list.join(", ")
                    ));
                }
                parts.push(format!(
                    "or ask for more: {}",
                    super::apply::VPC_QUOTA_INCREASE
                ));
                parts.join("; ")
            }
        }
    }
}

/// Checks a stack name: it goes into role, policy, alias and bucket names.
pub fn check_name(name: &str) -> Result<(), HardenError> {
    let ok = (1..=24).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(HardenError::BadName(name.to_string()))
    }
}

/// The names a stack's resources get.
pub struct Names {
    pub role: String,
    pub boundary: String,
    pub boundary_arn: String,
    pub alias: String,
    pub ml_group: String,
    pub endpoint_group: String,
    pub bucket: String,
}

pub fn names(stack: &str, partition: &str, account: &str, region: &str) -> Names {
    let boundary = format!("{stack}-ml-boundary");
    Names {
        role: format!("{stack}-sagemaker-execution"),
        boundary_arn: format!("arn:{partition}:iam::{account}:policy/mlguard/{boundary}"),
        boundary,
        alias: format!("alias/{stack}-ml-data"),
        ml_group: format!("{stack}-ml"),
        endpoint_group: format!("{stack}-endpoints"),
        bucket: format!("{stack}-flowlogs-{account}-{region}"),
    }
}

pub struct HardenOptions {
    pub stack: String,
    pub region: String,
    pub account: String,
    pub partition: String,
    pub allowed_cidr: String,
    pub vpc_cidr: String,
    pub buckets: Vec<String>,
    pub flow_logs_destination: Option<String>,
    pub admin_ports: Vec<u16>,
    /// Two availability zones for the subnets.
    pub zones: Vec<String>,
}

fn tags_of(stack: &str, component: &str, ml_scope: bool) -> Tags {
    let mut t: Tags = [
        (MANAGED_TAG, "true"),
        (STACK_TAG, stack),
        (COMPONENT_TAG, component),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    if ml_scope {
        t.insert("mlguard:scope".into(), "ml".into());
    }
    t
}

const CREATED: &str = "<created>";

/// Every action the baseline needs, in dependency order, before comparing with what exists.
/// Reads as the lab's steps: identity, key, the role's scoped policy, network, endpoints,
/// flow logs, then the VPC's defaults.
pub fn desired(o: &HardenOptions) -> Result<Vec<Action>, HardenError> {
    check_name(&o.stack)?;
    crate::cidr::check_allowed(&o.allowed_cidr).map_err(HardenError::BadAllowedCidr)?;
    let vpc = Cidr::parse(&o.vpc_cidr)
        .filter(|c| {
            c.is_network() && (16..=24).contains(&c.prefix_len()) && !o.vpc_cidr.contains(':')
        })
        .ok_or_else(|| HardenError::BadVpcCidr(o.vpc_cidr.clone()))?;
    if o.zones.len() < 2 {
        return Err(HardenError::Zones {
            region: o.region.clone(),
        });
    }
    let mut lab = Lab::new(o, &vpc)?;
    lab.identity();
    lab.key();
    lab.scoped_policy();
    lab.network();
    lab.security_groups();
    lab.endpoints();
    lab.flow_logs();
    lab.default_group();
    lab.default_acl();
    Ok(lab.out)
}

/// One private subnet of the stack.
struct LabSubnet {
    /// The placeholder later actions use (`subnet_0`).
    reference: String,
    aspect: Aspect,
    cidr: String,
    zone: String,
}

/// The baseline under construction: the options, the names, the aspects later steps refer to,
/// and the actions so far.
struct Lab<'o> {
    o: &'o HardenOptions,
    n: Names,
    key: Aspect,
    vpc: Aspect,
    subnets: Vec<LabSubnet>,
    ml_group: Aspect,
    endpoint_group: Aspect,
    out: Vec<Action>,
}

impl<'o> Lab<'o> {
    fn new(o: &'o HardenOptions, vpc: &Cidr) -> Result<Lab<'o>, HardenError> {
        let n = names(&o.stack, &o.partition, &o.account, &o.region);
        let region = &o.region;
        let sub_len = (vpc.prefix_len() + 8).min(28);
        let mut subnets = Vec::new();
        for (i, zone) in o.zones.iter().take(2).enumerate() {
            let cidr = vpc
                .subnet(sub_len, i as u32)
                .ok_or_else(|| HardenError::BadVpcCidr(o.vpc_cidr.clone()))?;
            subnets.push(LabSubnet {
                reference: format!("subnet_{i}"),
                aspect: Aspect::Subnet {
                    region: region.clone(),
                    vpc_id: "${vpc}".into(),
                    cidr_block: cidr.clone(),
                },
                cidr,
                zone: zone.clone(),
            });
        }
        let group = |name: &str| Aspect::SecurityGroup {
            region: region.clone(),
            vpc_id: "${vpc}".into(),
            group_name: name.to_string(),
        };
        Ok(Lab {
            key: Aspect::Key {
                region: region.clone(),
                alias: n.alias.clone(),
                tags: tags_of(&o.stack, "key", true),
            },
            vpc: Aspect::Vpc {
                region: region.clone(),
                tags: [
                    (MANAGED_TAG.to_string(), "true".to_string()),
                    (STACK_TAG.to_string(), o.stack.clone()),
                    (COMPONENT_TAG.to_string(), "vpc".to_string()),
                ]
                .into_iter()
                .collect(),
            },
            ml_group: group(&n.ml_group),
            endpoint_group: group(&n.endpoint_group),
            subnets,
            n,
            o,
            out: Vec::new(),
        })
    }

    fn region(&self) -> String {
        self.o.region.clone()
    }

    fn tags(&self, component: &str, ml_scope: bool) -> Tags {
        tags_of(&self.o.stack, component, ml_scope)
    }

    /// One safe change of the stack's component `what`.
    fn change(
        &self,
        what: &str,
        summary: String,
        op: Op,
        aspect: Aspect,
        before: Value,
        after: Value,
    ) -> Action {
        Action::change(
            "harden",
            &format!("harden-{what}"),
            Applicability::Safe,
            &format!("mlguard-stack:{}/{what}", self.o.stack),
            summary,
            op,
            aspect,
            before,
            after,
        )
    }

    /// A change that creates something: before nothing, after a created id.
    fn create(&self, what: &str, summary: String, op: Op, aspect: Aspect) -> Action {
        self.change(
            what,
            summary,
            op,
            aspect,
            Value::Null,
            json!({ "id": CREATED }),
        )
    }

    fn with_vpc(&self, a: Action) -> Action {
        a.with_ref("vpc", self.vpc.clone())
    }

    /// Step 1, identity: the permissions boundary and the SageMaker execution role.
    fn identity(&mut self) {
        let (o, n, stack) = (self.o, &self.n, &self.o.stack);
        let boundary = docs::boundary_policy(&o.partition, &o.account);
        let boundary_action = self.change(
            "boundary",
            format!("create the permissions boundary {}", n.boundary_arn),
            Op::CreatePolicy {
                policy_name: n.boundary.clone(),
                path: "/mlguard/".into(),
                description: format!(
                    "mlguard stack {stack}: what its ML execution role may ever do"
                ),
                document: boundary.clone(),
                tags: self.tags("boundary", false),
            },
            Aspect::ManagedPolicy {
                policy_arn: n.boundary_arn.clone(),
            },
            Value::Null,
            json!({"id": n.boundary_arn, "document": normalize_document(&boundary)}),
        );
        let role = self.create(
            "role",
            format!(
                "create the SageMaker execution role {} (trust pinned to the account, boundary {})",
                n.role, n.boundary
            ),
            Op::CreateRole {
                role_name: n.role.clone(),
                description: format!("mlguard stack {stack}: SageMaker execution role"),
                document: docs::sagemaker_trust(&o.account),
                permissions_boundary: Some(n.boundary_arn.clone()),
                tags: self.tags("role", true),
            },
            Aspect::Role {
                role_name: n.role.clone(),
            },
        );
        self.out.extend([boundary_action, role]);
    }

    /// Step 2, encryption: a customer-managed key, rotated, with the stack's alias.
    fn key(&mut self) {
        let (o, n, region) = (self.o, &self.n, self.region());
        let create = self.create(
            "key",
            format!("create a customer-managed KMS key for the stack's data in {region}"),
            Op::CreateKey {
                region: region.clone(),
                description: format!("mlguard stack {}: ML data key", o.stack),
                document: docs::key_policy(&o.partition, &o.account),
                tags: self.tags("key", true),
            },
            self.key.clone(),
        );
        let rotation = self
            .change(
                "key",
                "turn on automatic rotation of the key".into(),
                Op::EnableKeyRotation {
                    region: region.clone(),
                    key_id: "${key}".into(),
                },
                Aspect::KeyRotation {
                    region: region.clone(),
                    key_id: "${key}".into(),
                },
                json!(false),
                json!(true),
            )
            .with_ref("key", self.key.clone())
            .unread();
        let alias = self
            .create(
                "key",
                format!("name the key {}", n.alias),
                Op::CreateAlias {
                    region: region.clone(),
                    alias_name: n.alias.clone(),
                    target_key_id: "${key}".into(),
                },
                Aspect::Alias {
                    region,
                    alias_name: n.alias.clone(),
                },
            )
            .with_ref("key", self.key.clone());
        self.out.extend([create, rotation, alias]);
    }

    /// Step 3, least privilege: the role's scoped inline policy (its buckets, SageMaker
    /// logs, the stack's key).
    fn scoped_policy(&mut self) {
        let (o, n) = (self.o, &self.n);
        let buckets = if o.buckets.is_empty() {
            vec![format!("sagemaker-{}-{}", o.region, o.account)]
        } else {
            o.buckets.clone()
        };
        let scoped = normalize_document(&docs::scoped_policy(
            &o.partition,
            &o.account,
            &buckets,
            &["${key.arn}".to_string()],
        ));
        let action = self
            .change(
                "role",
                format!(
                    "give the role its scoped policy: buckets {}, SageMaker logs, the stack's key",
                    buckets.join(", ")
                ),
                Op::PutRolePolicy {
                    role_name: n.role.clone(),
                    policy_name: docs::SCOPED_POLICY_NAME.into(),
                    document: scoped.clone(),
                },
                Aspect::RoleInlinePolicy {
                    role_name: n.role.clone(),
                    policy_name: docs::SCOPED_POLICY_NAME.into(),
                },
                Value::Null,
                scoped,
            )
            .with_ref("key", self.key.clone());
        self.out.push(action);
    }

    /// Step 4, network: the VPC (no internet gateway) with private DNS, and a private subnet
    /// in each of two zones.
    fn network(&mut self) {
        let (o, region) = (self.o, self.region());
        let vpc = self.create(
            "vpc",
            format!("create the VPC {} (no internet gateway)", o.vpc_cidr),
            Op::CreateVpc {
                region: region.clone(),
                cidr_block: o.vpc_cidr.clone(),
                tags: self.tags("vpc", true),
            },
            self.vpc.clone(),
        );
        let dns = self.with_vpc(
            self.change(
                "vpc",
                "resolve AWS service names inside the VPC (private DNS of the interface endpoints)"
                    .into(),
                Op::ModifyVpcAttribute {
                    region: region.clone(),
                    vpc_id: "${vpc}".into(),
                    enable_dns_hostnames: true,
                },
                Aspect::VpcDnsHostnames {
                    region: region.clone(),
                    vpc_id: "${vpc}".into(),
                },
                json!(false),
                json!(true),
            )
            .unread(),
        );
        self.out.extend([vpc, dns]);
        let subnets: Vec<Action> = self
            .subnets
            .iter()
            .map(|s| {
                self.with_vpc(self.create(
                    "subnet",
                    format!("create the private subnet {} in {}", s.cidr, s.zone),
                    Op::CreateSubnet {
                        region: region.clone(),
                        vpc_id: "${vpc}".into(),
                        cidr_block: s.cidr.clone(),
                        availability_zone: s.zone.clone(),
                        tags: self.tags("subnet", true),
                    },
                    s.aspect.clone(),
                ))
            })
            .collect();
        self.out.extend(subnets);
    }

    /// A security group rule of the stack: added, or removed (AWS's default egress rule).
    fn sg_change(
        &self,
        component: &str,
        group_ref: &str,
        group_aspect: &Aspect,
        direction: Direction,
        rule: SgRule,
        add: bool,
    ) -> Action {
        let region = self.region();
        let gid = format!("${{{group_ref}}}");
        let aspect = Aspect::SecurityGroupRule {
            region: region.clone(),
            group_id: gid.clone(),
            direction,
            rule: rule.clone(),
        };
        let description = Some(format!("mlguard stack {}", self.o.stack));
        let (op, before, after, verb) = match (add, direction) {
            (true, Direction::Ingress) => (
                Op::AuthorizeSecurityGroupIngress {
                    region,
                    group_id: gid,
                    rule: rule.clone(),
                    description: description.clone(),
                },
                Value::Null,
                json!({"Description": description}),
                "add",
            ),
            (true, Direction::Egress) => (
                Op::AuthorizeSecurityGroupEgress {
                    region,
                    group_id: gid,
                    rule: rule.clone(),
                    description: description.clone(),
                },
                Value::Null,
                json!({"Description": description}),
                "add",
            ),
            (false, Direction::Ingress) => (
                Op::RevokeSecurityGroupIngress {
                    region,
                    group_id: gid,
                    rule: rule.clone(),
                    description: None,
                },
                json!({}),
                Value::Null,
                "remove",
            ),
            (false, Direction::Egress) => (
                Op::RevokeSecurityGroupEgress {
                    region,
                    group_id: gid,
                    rule: rule.clone(),
                    description: None,
                },
                json!({}),
                Value::Null,
                "remove",
            ),
        };
        let a = self
            .change(
                component,
                format!("{verb} {}", rule.describe(direction)),
                op,
                aspect,
                before,
                after,
            )
            .with_ref(group_ref, group_aspect.clone())
            .with_ref("vpc", self.vpc.clone());
        if add { a } else { a.unread() }
    }

    /// Step 5, security groups: the ML workload's (tcp/443 from `--allowed-cidr`, out only
    /// on tcp/443) and the endpoints' (tcp/443 from the ML group only).
    fn security_groups(&mut self) {
        let (o, n, stack, region) = (self.o, &self.n, &self.o.stack, self.region());
        let (ml, endpoints) = (&self.ml_group, &self.endpoint_group);
        let mut actions = Vec::new();
        for (aspect, name, desc, component) in [
            (
                ml,
                &n.ml_group,
                format!(
                    "mlguard stack {stack}: the ML workload, reached on tcp/443 from {}",
                    o.allowed_cidr
                ),
                "ml-group",
            ),
            (
                endpoints,
                &n.endpoint_group,
                format!("mlguard stack {stack}: the VPC endpoints, reached from the ML workload"),
                "endpoint-group",
            ),
        ] {
            actions.push(self.with_vpc(self.create(
                component,
                format!("create the security group {name}"),
                Op::CreateSecurityGroup {
                    region: region.clone(),
                    vpc_id: "${vpc}".into(),
                    group_name: name.clone(),
                    description: desc,
                    tags: self.tags(component, true),
                },
                aspect.clone(),
            )));
        }
        let ml_rule =
            |direction, rule, add| self.sg_change("ml-group", "ml_group", ml, direction, rule, add);
        actions.push(ml_rule(
            Direction::Ingress,
            SgRule::tcp(443).with_cidr(&o.allowed_cidr),
            true,
        ));
        actions.push(ml_rule(
            Direction::Egress,
            SgRule::tcp(443).with_cidr("0.0.0.0/0"),
            true,
        ));
        actions.push(ml_rule(
            Direction::Egress,
            SgRule::all().with_cidr("0.0.0.0/0"),
            false,
        ));
        let endpoint_rule = |direction, rule, add| {
            self.sg_change(
                "endpoint-group",
                "endpoint_group",
                endpoints,
                direction,
                rule,
                add,
            )
        };
        actions.push(
            endpoint_rule(
                Direction::Ingress,
                SgRule::tcp(443).with_group("${ml_group}"),
                true,
            )
            .with_ref("ml_group", ml.clone()),
        );
        actions.push(endpoint_rule(
            Direction::Egress,
            SgRule::all().with_cidr("0.0.0.0/0"),
            false,
        ));
        self.out.extend(actions);
    }

    /// Step 6, endpoints: S3 through a gateway endpoint on the main route table, the
    /// SageMaker API and runtime through interface endpoints in the private subnets.
    fn endpoints(&mut self) {
        let (o, region) = (self.o, self.region());
        let main_table = Aspect::MainRouteTable {
            region: region.clone(),
            vpc_id: "${vpc}".into(),
        };
        let prefix = if o.partition == "aws-cn" { "cn." } else { "" };
        let mut actions = Vec::new();
        for (svc, kind) in [
            ("s3", "Gateway"),
            ("sagemaker.api", "Interface"),
            ("sagemaker.runtime", "Interface"),
        ] {
            let service = format!("{prefix}com.amazonaws.{region}.{svc}");
            let gateway = kind == "Gateway";
            let mut a = self.with_vpc(self.create(
                "endpoint",
                format!(
                    "create the {} endpoint {service}",
                    kind.to_ascii_lowercase()
                ),
                Op::CreateVpcEndpoint {
                    region: region.clone(),
                    vpc_id: "${vpc}".into(),
                    service_name: service.clone(),
                    endpoint_type: kind.into(),
                    route_table_ids: if gateway {
                        vec!["${main_table}".into()]
                    } else {
                        Vec::new()
                    },
                    subnet_ids: if gateway {
                        Vec::new()
                    } else {
                        self.subnets
                            .iter()
                            .map(|s| format!("${{{}}}", s.reference))
                            .collect()
                    },
                    security_group_ids: if gateway {
                        Vec::new()
                    } else {
                        vec!["${endpoint_group}".into()]
                    },
                    private_dns_enabled: !gateway,
                    tags: self.tags("endpoint", true),
                },
                Aspect::VpcEndpoint {
                    region: region.clone(),
                    vpc_id: "${vpc}".into(),
                    service_name: service,
                },
            ));
            if gateway {
                a = a.with_ref("main_table", main_table.clone());
            } else {
                for s in &self.subnets {
                    a = a.with_ref(&s.reference, s.aspect.clone());
                }
                a = a.with_ref("endpoint_group", self.endpoint_group.clone());
            }
            actions.push(a);
        }
        self.out.extend(actions);
    }

    /// Step 7, flow logs: all traffic of the VPC, to `--flow-logs-destination` or else to the
    /// stack's own bucket (public access blocked, encrypted with the stack's key, TLS only).
    fn flow_logs(&mut self) {
        let (o, region) = (self.o, self.region());
        let destination = match &o.flow_logs_destination {
            Some(d) => d.clone(),
            None => self.flow_log_bucket(),
        };
        let flow_log = self.with_vpc(self.create(
            "flow-log",
            format!("record all traffic of the VPC in flow logs to {destination}"),
            Op::CreateFlowLogs {
                region: region.clone(),
                resource_id: "${vpc}".into(),
                log_destination: destination.clone(),
                tags: self.tags("flow-log", false),
            },
            Aspect::FlowLog {
                region,
                resource_id: "${vpc}".into(),
                log_destination: destination,
            },
        ));
        self.out.push(flow_log);
    }

    /// The stack's flow-log bucket; returns its ARN.
    fn flow_log_bucket(&mut self) -> String {
        let (o, region) = (self.o, self.region());
        let b = self.n.bucket.clone();
        let arn = format!("arn:{}:s3:::{b}", o.partition);
        let bucket = || (b.clone(), region.clone());
        let create = self.change(
            "flow-log-bucket",
            format!("create the flow-log bucket {b}"),
            Op::CreateBucket {
                bucket: bucket().0,
                region: bucket().1,
            },
            Aspect::Bucket {
                bucket: bucket().0,
                region: bucket().1,
            },
            Value::Null,
            json!({"id": b}),
        );
        let t = self.tags("flow-log-bucket", false);
        let tagging = self
            .change(
                "flow-log-bucket",
                format!("tag bucket {b} as the stack's"),
                Op::PutBucketTagging {
                    bucket: bucket().0,
                    region: bucket().1,
                    tags: t.clone(),
                },
                Aspect::BucketTags {
                    bucket: bucket().0,
                    region: bucket().1,
                },
                Value::Null,
                serde_json::to_value(&t).unwrap_or(Value::Null),
            )
            .unread();
        let public_access = self
            .change(
                "flow-log-bucket",
                format!("block public access to bucket {b}"),
                Op::PutPublicAccessBlock {
                    bucket: bucket().0,
                    region: bucket().1,
                    block_public_acls: true,
                    ignore_public_acls: true,
                    block_public_policy: true,
                    restrict_public_buckets: true,
                },
                Aspect::BucketPublicAccessBlock {
                    bucket: bucket().0,
                    region: bucket().1,
                },
                Value::Null,
                json!({"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": true, "RestrictPublicBuckets": true}),
            )
            .unread();
        let sse = json!({"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "${key.arn}"}, "BucketKeyEnabled": true}]});
        let encryption = self
            .change(
                "flow-log-bucket",
                format!("encrypt bucket {b} with the stack's key"),
                Op::PutBucketEncryption {
                    bucket: bucket().0,
                    region: bucket().1,
                    configuration: sse.clone(),
                },
                Aspect::BucketEncryption {
                    bucket: bucket().0,
                    region: bucket().1,
                },
                Value::Null,
                sse,
            )
            .with_ref("key", self.key.clone())
            .unread();
        let policy = docs::with_tls_only(None, &o.partition, &b);
        let tls_only = self
            .change(
                "flow-log-bucket",
                format!("deny requests to bucket {b} made without TLS"),
                Op::PutBucketPolicy {
                    bucket: bucket().0,
                    region: bucket().1,
                    document: policy.clone(),
                },
                Aspect::BucketPolicy {
                    bucket: bucket().0,
                    region: bucket().1,
                },
                Value::Null,
                policy,
            )
            .unread();
        self.out
            .extend([create, tagging, public_access, encryption, tls_only]);
        arn
    }

    /// Step 8, the VPC's default security group: emptied (its self-referencing ingress and
    /// open egress removed).
    fn default_group(&mut self) {
        let default_group = Aspect::DefaultSecurityGroup {
            region: self.region(),
            vpc_id: "${vpc}".into(),
        };
        let rule = |direction, rule| {
            self.sg_change(
                "default-group",
                "default_group",
                &default_group,
                direction,
                rule,
                false,
            )
        };
        let actions = [
            rule(
                Direction::Ingress,
                SgRule::all().with_group("${default_group}"),
            ),
            rule(Direction::Egress, SgRule::all().with_cidr("0.0.0.0/0")),
        ];
        self.out.extend(actions);
    }

    /// One inbound entry of the default network ACL: created, or replacing AWS's entry 100.
    fn acl_change(&self, e: AclEntry, replace: bool, summary: String) -> Action {
        let region = self.region();
        let acl = Aspect::DefaultNetworkAcl {
            region: region.clone(),
            vpc_id: "${vpc}".into(),
        };
        let aspect = Aspect::NetworkAclEntry {
            region: region.clone(),
            network_acl_id: "${default_acl}".into(),
            rule_number: e.rule_number,
            egress: false,
        };
        let op = if replace {
            Op::ReplaceNetworkAclEntry {
                region,
                network_acl_id: "${default_acl}".into(),
                entry: e.clone(),
            }
        } else {
            Op::CreateNetworkAclEntry {
                region,
                network_acl_id: "${default_acl}".into(),
                entry: e.clone(),
            }
        };
        let a = self
            .change("default-acl", summary, op, aspect, Value::Null, e.to_aws())
            .with_ref("default_acl", acl)
            .with_ref("vpc", self.vpc.clone());
        if replace { a.unread() } else { a }
    }

    /// Step 9, the VPC's default network ACL: inbound from the VPC, tcp/443 from
    /// `--allowed-cidr`, the high administration ports refused from the internet, and
    /// responses (tcp 1024-65535) admitted.
    fn default_acl(&mut self) {
        let o = self.o;
        let entry = |rule_number: i32,
                     action: &str,
                     protocol: &str,
                     cidr: &str,
                     ports: Option<(i32, i32)>| {
            AclEntry {
                rule_number,
                egress: false,
                protocol: protocol.into(),
                rule_action: action.into(),
                cidr_block: Some(cidr.into()),
                ipv6_cidr_block: None,
                port_from: ports.map(|p| p.0),
                port_to: ports.map(|p| p.1),
            }
        };
        let mut actions = vec![
            self.acl_change(
                entry(100, "allow", "-1", &o.vpc_cidr, None),
                true,
                format!("default network ACL: admit inbound traffic from the VPC ({}) only, in place of the internet", o.vpc_cidr),
            ),
            self.acl_change(
                entry(110, "allow", "6", &o.allowed_cidr, Some((443, 443))),
                false,
                format!("default network ACL: admit tcp/443 from {}", o.allowed_cidr),
            ),
        ];
        let mut high: Vec<u16> = o
            .admin_ports
            .iter()
            .copied()
            .filter(|p| *p >= 1024)
            .collect();
        high.sort_unstable();
        high.dedup();
        for (i, port) in high.iter().enumerate() {
            let p = i32::from(*port);
            actions.push(self.acl_change(
                entry(200 + i as i32, "deny", "6", "0.0.0.0/0", Some((p, p))),
                false,
                format!("default network ACL: refuse tcp/{port} from the internet"),
            ));
        }
        actions.push(self.acl_change(
            entry(300, "allow", "6", "0.0.0.0/0", Some((1024, 65535))),
            false,
            "default network ACL: admit responses (tcp 1024-65535) from S3 and AWS services".into(),
        ));
        self.out.extend(actions);
    }
}

/// What exists of the desired baseline: actions already in place are dropped, `before` is
/// filled in from the live value, and a named resource that exists without mlguard's tags
/// stops the plan.
pub fn observe(
    actions: Vec<Action>,
    stack: &str,
    target: &mut dyn Target,
) -> Result<Vec<Action>, HardenError> {
    let mut resolver = Resolver::default();
    let mut out = Vec::new();
    for action in actions {
        let (Some(aspect), Some(op)) = (&action.aspect, &action.op) else {
            continue;
        };
        let Ok(resolved) = resolver.resolve(target, &action) else {
            // What it refers to does not exist yet: the action is needed.
            out.push(action);
            continue;
        };
        let resolved_aspect = resolved.aspect.clone().unwrap_or_else(|| aspect.clone());
        let live = target
            .read(&resolved_aspect)
            .map_err(|error| HardenError::Read {
                caller: target.caller_arn(),
                what: resolved_aspect.describe(),
                error,
            })?;
        let creates = action.before.is_null()
            && !action.before_unread
            && !live.is_null()
            && matches!(
                op,
                Op::CreateRole { .. }
                    | Op::CreatePolicy { .. }
                    | Op::CreateSecurityGroup { .. }
                    | Op::CreateSubnet { .. }
                    | Op::CreateVpcEndpoint { .. }
                    | Op::CreateFlowLogs { .. }
                    | Op::CreateBucket { .. }
            );
        if creates {
            let ours = match op {
                Op::CreateBucket { .. } => {
                    live.pointer("/tags/mlguard:managed")
                        .and_then(Value::as_str)
                        == Some("true")
                        && live.pointer("/tags/mlguard:stack").and_then(Value::as_str)
                            == Some(stack)
                }
                _ => owned(op, &live),
            };
            if !ours {
                return Err(HardenError::NotOurs {
                    what: resolved_aspect.describe(),
                    stack: stack.to_string(),
                });
            }
        }
        if aspect.same(&live, &resolved.after) {
            continue;
        }
        let mut a = action.clone();
        if !a.before_unread {
            a.before = live;
            a.finish();
        }
        out.push(a);
    }
    Ok(out)
}

/// The harden plan.
pub fn harden_plan(o: &HardenOptions, actions: Vec<Action>, created_at: String) -> Plan {
    Plan {
        plan_version: PLAN_VERSION,
        kind: PlanKind::Harden,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        account_id: o.account.clone(),
        partition: o.partition.clone(),
        created_at: created_at.clone(),
        source: PlanSource {
            kind: "live".into(),
            file: None,
            collected_at: created_at,
        },
        stack: Some(o.stack.clone()),
        regions: vec![o.region.clone()],
        options: PlanOptions {
            allowed_cidr: Some(o.allowed_cidr.clone()),
            flow_logs_destination: o.flow_logs_destination.clone(),
            kms_key: None,
            buckets: o.buckets.clone(),
            vpc_cidr: Some(o.vpc_cidr.clone()),
        },
        scores_before: None,
        cost: None,
        actions,
    }
}

/// The teardown plan: every inventoried resource, deleted in dependency order.
pub fn teardown_plan(
    stack: &str,
    region: &str,
    account: &str,
    partition: &str,
    inv: &Inventory,
    created_at: String,
) -> Plan {
    let mut out = Vec::new();
    let target = |what: &str| format!("mlguard-stack:{stack}/{what}");
    let delete =
        |what: &str, summary: String, op: Op, aspect: Aspect, before: Value, after: Value| {
            Action::change(
                "teardown",
                "teardown",
                Applicability::Safe,
                &target(what),
                summary,
                op,
                aspect,
                before,
                after,
            )
        };
    let ec2 = |kind: &str, id: &str| Aspect::Ec2Resource {
        region: region.to_string(),
        kind: kind.to_string(),
        id: id.to_string(),
    };
    let present = |id: &str| json!({ "id": id });
    for (id, resource) in &inv.flow_logs {
        out.push(delete(
            "flow-log",
            format!("delete flow log {id} of {resource}"),
            Op::DeleteFlowLogs {
                region: region.into(),
                flow_log_id: id.clone(),
            },
            ec2("flow-log", id),
            present(id),
            Value::Null,
        ));
    }
    for (id, vpc, service) in &inv.vpc_endpoints {
        out.push(delete(
            "endpoint",
            format!("delete endpoint {id} ({service}) of {vpc}"),
            Op::DeleteVpcEndpoints {
                region: region.into(),
                vpc_endpoint_id: id.clone(),
            },
            ec2("vpc-endpoint", id),
            present(id),
            Value::Null,
        ));
    }
    // A group another group's rules name is deleted after that group.
    let mut groups = inv.security_groups.clone();
    groups.sort_by(|a, b| a.id.cmp(&b.id));
    let mut ordered: Vec<InventoryGroup> = Vec::new();
    while !groups.is_empty() {
        let pick = groups
            .iter()
            .position(|g| {
                !groups
                    .iter()
                    .any(|other| other.id != g.id && other.references.contains(&g.id))
            })
            .unwrap_or(0);
        ordered.push(groups.remove(pick));
    }
    for g in &ordered {
        out.push(delete(
            "security-group",
            format!(
                "delete security group {} ({}) of {}",
                g.id, g.name, g.vpc_id
            ),
            Op::DeleteSecurityGroup {
                region: region.into(),
                group_id: g.id.clone(),
            },
            ec2("security-group", &g.id),
            present(&g.id),
            Value::Null,
        ));
    }
    for (id, vpc) in &inv.subnets {
        out.push(delete(
            "subnet",
            format!("delete subnet {id} of {vpc}"),
            Op::DeleteSubnet {
                region: region.into(),
                subnet_id: id.clone(),
            },
            ec2("subnet", id),
            present(id),
            Value::Null,
        ));
    }
    for id in &inv.vpcs {
        out.push(delete(
            "vpc",
            format!("delete VPC {id}"),
            Op::DeleteVpc {
                region: region.into(),
                vpc_id: id.clone(),
            },
            ec2("vpc", id),
            present(id),
            Value::Null,
        ));
    }
    for (bucket, bucket_region) in &inv.buckets {
        out.push(delete(
            "flow-log-bucket",
            format!("delete bucket {bucket} (S3 refuses while it holds objects)"),
            Op::DeleteBucket {
                bucket: bucket.clone(),
                region: bucket_region.clone(),
            },
            Aspect::Bucket {
                bucket: bucket.clone(),
                region: bucket_region.clone(),
            },
            present(bucket),
            Value::Null,
        ));
    }
    for alias in &inv.aliases {
        out.push(delete(
            "key",
            format!("delete alias {alias}"),
            Op::DeleteAlias {
                region: region.into(),
                alias_name: alias.clone(),
            },
            Aspect::Alias {
                region: region.into(),
                alias_name: alias.clone(),
            },
            json!({"id": "(the stack's key)"}),
            Value::Null,
        ));
    }
    for (key_id, state) in &inv.keys {
        if state == "PendingDeletion" {
            continue;
        }
        out.push(delete(
            "key",
            format!("schedule the deletion of key {key_id} in 7 days (the minimum window)"),
            Op::ScheduleKeyDeletion {
                region: region.into(),
                key_id: key_id.clone(),
                pending_window_in_days: 7,
            },
            Aspect::KeyState {
                region: region.into(),
                key_id: key_id.clone(),
            },
            json!({ "KeyState": state }),
            json!({"KeyState": "PendingDeletion"}),
        ));
    }
    for role in &inv.roles {
        for p in &role.inline_policies {
            out.push(
                delete(
                    "role",
                    format!("delete inline policy {p} of role {}", role.name),
                    Op::DeleteRolePolicy {
                        role_name: role.name.clone(),
                        policy_name: p.clone(),
                    },
                    Aspect::RoleInlinePolicy {
                        role_name: role.name.clone(),
                        policy_name: p.clone(),
                    },
                    Value::Null,
                    Value::Null,
                )
                .unread(),
            );
        }
        for arn in &role.attached_policies {
            out.push(delete(
                "role",
                format!("detach {arn} from role {}", role.name),
                Op::DetachRolePolicy {
                    role_name: role.name.clone(),
                    policy_arn: arn.clone(),
                },
                Aspect::RoleManagedPolicy {
                    role_name: role.name.clone(),
                    policy_arn: arn.clone(),
                },
                json!(true),
                json!(false),
            ));
        }
        if let Some(b) = &role.boundary {
            out.push(delete(
                "role",
                format!("remove the permissions boundary of role {}", role.name),
                Op::DeleteRolePermissionsBoundary {
                    role_name: role.name.clone(),
                },
                Aspect::RolePermissionsBoundary {
                    role_name: role.name.clone(),
                },
                json!(b),
                Value::Null,
            ));
        }
        out.push(delete(
            "role",
            format!("delete role {}", role.name),
            Op::DeleteRole {
                role_name: role.name.clone(),
            },
            Aspect::Role {
                role_name: role.name.clone(),
            },
            present(&role.arn),
            Value::Null,
        ));
    }
    for arn in &inv.policies {
        out.push(delete(
            "boundary",
            format!("delete policy {arn}"),
            Op::DeletePolicy {
                policy_arn: arn.clone(),
            },
            Aspect::ManagedPolicy {
                policy_arn: arn.clone(),
            },
            present(arn),
            Value::Null,
        ));
    }
    Plan {
        plan_version: PLAN_VERSION,
        kind: PlanKind::Teardown,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        account_id: account.to_string(),
        partition: partition.to_string(),
        created_at: created_at.clone(),
        source: PlanSource {
            kind: "live".into(),
            file: None,
            collected_at: created_at,
        },
        stack: Some(stack.to_string()),
        regions: vec![region.to_string()],
        options: PlanOptions::default(),
        scores_before: None,
        cost: None,
        actions: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab_options(flow_logs_destination: Option<&str>, buckets: &[&str]) -> HardenOptions {
        HardenOptions {
            stack: "lab".into(),
            region: "us-east-1".into(),
            account: "123456789012".into(),
            partition: "aws".into(),
            allowed_cidr: "203.0.113.0/24".into(),
            vpc_cidr: "10.0.0.0/16".into(),
            buckets: buckets.iter().map(|b| b.to_string()).collect(),
            flow_logs_destination: flow_logs_destination.map(str::to_string),
            admin_ports: vec![22, 3389, 5432, 8888, 9200],
            zones: vec!["us-east-1a".into(), "us-east-1b".into()],
        }
    }

    /// Every action of the baseline, field by field: the lab's steps in their order.
    #[test]
    fn the_desired_baseline_is_stable() {
        let own_bucket = desired(&lab_options(None, &[])).expect("desired");
        insta::assert_json_snapshot!("desired_own_flow_log_bucket", own_bucket);
        let given = desired(&lab_options(
            Some("arn:aws:s3:::central-flow-logs"),
            &["ml-data", "ml-models"],
        ))
        .expect("desired");
        insta::assert_json_snapshot!("desired_given_destination", given);
    }

    #[test]
    fn names_fit_aws_limits() {
        assert!(check_name("ml-lab").is_ok());
        for bad in [
            "",
            "ML",
            "1lab",
            "lab_1",
            "lab-",
            "a-very-long-stack-name-indeed",
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        let n = names(
            "abcdefghijklmnopqrstuvwx",
            "aws",
            "123456789012",
            "ap-southeast-2",
        );
        assert!(n.bucket.len() <= 63, "{}", n.bucket);
        assert!(n.role.len() <= 64);
    }
}
