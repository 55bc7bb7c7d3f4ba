//! The schema-1 snapshot as a typed view.
//!
//! Resource objects keep the AWS API field names and shapes (as the AWS CLI prints them).
//! This view types the identity fields and every field a built-in rule reads, so a
//! hand-written or collected snapshot with a wrongly-typed field is refused at load time with
//! its path and position. Fields it does not name are allowed and kept: custom policies read
//! them straight from the AWS API reference. The JSON Schema mlguard publishes is derived
//! from these types.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Any JSON value. Policy documents are typed by the normalizer, which also decodes the
/// URL-encoded strings the IAM API returns.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[schemars(description = "Any JSON value")]
pub struct Any(#[schemars(with = "serde_json::Value")] serde::de::IgnoredAny);

/// An IAM or resource policy document: a JSON object, or the URL-encoded JSON string the IAM
/// API returns (decoded on load).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[schemars(
    description = "IAM policy document: an object with Version and Statement, or its (URL-encoded) JSON text"
)]
pub struct PolicyDocument(#[schemars(with = "serde_json::Value")] serde::de::IgnoredAny);

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Always 1 for this version of the format.
    pub schema_version: u32,
    pub metadata: Metadata,
    #[serde(default)]
    pub iam: Iam,
    #[serde(default)]
    pub s3: S3,
    /// Regional resources, keyed by region name.
    #[serde(default)]
    pub regions: BTreeMap<String, Region>,
    /// What could not be read while collecting.
    #[serde(default)]
    pub gaps: Vec<Gap>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
pub struct Metadata {
    /// The 12-digit AWS account id.
    pub account_id: String,
    /// `aws`, `aws-cn` or `aws-us-gov`.
    #[serde(default = "default_partition")]
    pub partition: String,
    /// The regions collected.
    #[serde(default)]
    pub regions: Vec<String>,
    /// RFC 3339 time of collection; rules that reason about age measure from it.
    pub collected_at: Option<String>,
    pub tool_version: Option<String>,
}

fn default_partition() -> String {
    "aws".to_string()
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct Iam {
    /// RoleDetail objects from GetAccountAuthorizationDetails, plus RoleLastUsed.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// ManagedPolicyDetail objects, with the default version's document.
    #[serde(default)]
    pub policies: Vec<ManagedPolicy>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Role {
    pub role_name: String,
    pub arn: String,
    pub role_id: Option<String>,
    pub path: Option<String>,
    pub create_date: Option<String>,
    pub assume_role_policy_document: Option<PolicyDocument>,
    #[serde(default)]
    pub role_policy_list: Vec<InlinePolicy>,
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    pub permissions_boundary: Option<PermissionsBoundary>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// From the RoleDetail when AWS sent it, else from GetRole; `{}` when the role was not
    /// used in the tracking window; absent when not collected.
    pub role_last_used: Option<RoleLastUsed>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy {
    pub policy_name: String,
    pub policy_document: PolicyDocument,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    pub policy_name: Option<String>,
    pub policy_arn: String,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct PermissionsBoundary {
    pub permissions_boundary_type: Option<String>,
    pub permissions_boundary_arn: String,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct RoleLastUsed {
    /// RFC 3339 time; absent when the role was never used in the tracking period.
    pub last_used_date: Option<String>,
    pub region: Option<String>,
}

/// An IAM/EC2/SageMaker tag.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: Option<String>,
}

/// A KMS tag (ListResourceTags spells its fields differently).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct KmsTag {
    pub tag_key: String,
    pub tag_value: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicy {
    pub policy_name: String,
    pub arn: String,
    pub default_version_id: Option<String>,
    pub attachment_count: Option<i64>,
    pub is_attachable: Option<bool>,
    #[serde(default)]
    pub policy_version_list: Vec<PolicyVersion>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersion {
    pub document: PolicyDocument,
    pub version_id: Option<String>,
    pub is_default_version: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct S3 {
    #[serde(default)]
    pub buckets: Vec<Bucket>,
    /// S3 Control GetPublicAccessBlock of the account: the four settings, all `false` when
    /// the account has no configuration. Absent when it could not be read (a gap of
    /// `s3control:GetPublicAccessBlock` names the account id) or was not collected; rules
    /// then judge buckets as if the account blocked nothing, unless a gap says otherwise.
    pub account_public_access_block: Option<PublicAccessBlock>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Bucket {
    pub name: String,
    pub region: Option<String>,
    pub creation_date: Option<String>,
    /// GetBucketEncryption; absent when the bucket has no explicit configuration.
    pub server_side_encryption_configuration: Option<SseConfiguration>,
    /// GetPublicAccessBlock; absent when the bucket has none.
    pub public_access_block: Option<PublicAccessBlock>,
    /// GetBucketPolicy, decoded; absent when the bucket has none.
    pub policy: Option<PolicyDocument>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SseConfiguration {
    #[serde(default)]
    pub rules: Vec<SseRule>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SseRule {
    pub apply_server_side_encryption_by_default: Option<SseDefault>,
    pub bucket_key_enabled: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct SseDefault {
    #[serde(rename = "SSEAlgorithm")]
    pub sse_algorithm: String,
    #[serde(rename = "KMSMasterKeyID")]
    pub kms_master_key_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct PublicAccessBlock {
    pub block_public_acls: Option<bool>,
    pub ignore_public_acls: Option<bool>,
    pub block_public_policy: Option<bool>,
    pub restrict_public_buckets: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct Region {
    #[serde(default)]
    pub kms: Kms,
    #[serde(default)]
    pub ec2: Ec2,
    #[serde(default)]
    pub sagemaker: SageMaker,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct Kms {
    /// KeyMetadata fields from DescribeKey, plus KeyRotationEnabled, Policy, Aliases and Tags.
    #[serde(default)]
    pub keys: Vec<Key>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Key {
    pub key_id: String,
    pub arn: String,
    pub key_state: Option<String>,
    pub key_manager: Option<String>,
    pub key_spec: Option<String>,
    /// The older name of KeySpec, still returned by DescribeKey.
    pub customer_master_key_spec: Option<String>,
    pub key_usage: Option<String>,
    pub enabled: Option<bool>,
    pub origin: Option<String>,
    pub deletion_date: Option<String>,
    pub multi_region_configuration: Option<MultiRegionConfiguration>,
    /// GetKeyRotationStatus; absent when not read (see gaps).
    pub key_rotation_enabled: Option<bool>,
    /// GetKeyPolicy, decoded; absent when not read (see gaps).
    pub policy: Option<PolicyDocument>,
    #[serde(default)]
    pub aliases: Vec<KeyAlias>,
    #[serde(default)]
    pub tags: Vec<KmsTag>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MultiRegionConfiguration {
    /// `PRIMARY` or `REPLICA`.
    pub multi_region_key_type: Option<String>,
    pub primary_key: Option<MultiRegionKey>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct MultiRegionKey {
    pub arn: Option<String>,
    pub region: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct KeyAlias {
    pub alias_name: String,
    pub alias_arn: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct Ec2 {
    #[serde(default)]
    pub vpcs: Vec<Vpc>,
    #[serde(default)]
    pub subnets: Vec<Subnet>,
    #[serde(default)]
    pub route_tables: Vec<RouteTable>,
    #[serde(default)]
    pub internet_gateways: Vec<InternetGateway>,
    #[serde(default)]
    pub nat_gateways: Vec<NatGateway>,
    #[serde(default)]
    pub vpc_endpoints: Vec<VpcEndpoint>,
    #[serde(default)]
    pub security_groups: Vec<SecurityGroup>,
    #[serde(default)]
    pub network_acls: Vec<NetworkAcl>,
    #[serde(default)]
    pub flow_logs: Vec<FlowLog>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Vpc {
    pub vpc_id: String,
    pub cidr_block: Option<String>,
    pub is_default: Option<bool>,
    pub owner_id: Option<String>,
    pub state: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Subnet {
    pub subnet_id: String,
    pub vpc_id: String,
    pub cidr_block: Option<String>,
    pub availability_zone: Option<String>,
    pub map_public_ip_on_launch: Option<bool>,
    pub subnet_arn: Option<String>,
    pub owner_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTable {
    pub route_table_id: String,
    pub vpc_id: String,
    #[serde(default)]
    pub routes: Vec<Route>,
    #[serde(default)]
    pub associations: Vec<RouteTableAssociation>,
    pub owner_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Route {
    pub destination_cidr_block: Option<String>,
    pub destination_ipv6_cidr_block: Option<String>,
    pub destination_prefix_list_id: Option<String>,
    pub gateway_id: Option<String>,
    pub nat_gateway_id: Option<String>,
    pub state: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct RouteTableAssociation {
    pub main: Option<bool>,
    pub subnet_id: Option<String>,
    pub route_table_association_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct InternetGateway {
    pub internet_gateway_id: String,
    #[serde(default)]
    pub attachments: Vec<IgwAttachment>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct IgwAttachment {
    pub vpc_id: String,
    pub state: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct NatGateway {
    pub nat_gateway_id: String,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub state: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct VpcEndpoint {
    pub vpc_endpoint_id: String,
    pub vpc_id: String,
    pub service_name: String,
    /// `Gateway` or `Interface` (or `GatewayLoadBalancer`).
    pub vpc_endpoint_type: Option<String>,
    /// Kept as the API spelled it (moto answers in lower case).
    pub state: Option<String>,
    pub policy_document: Option<PolicyDocument>,
    #[serde(default)]
    pub route_table_ids: Vec<String>,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    pub private_dns_enabled: Option<bool>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroup {
    pub group_id: String,
    pub group_name: String,
    pub vpc_id: Option<String>,
    pub owner_id: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub ip_permissions: Vec<IpPermission>,
    #[serde(default)]
    pub ip_permissions_egress: Vec<IpPermission>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct IpPermission {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, a protocol number, or `-1` for all.
    pub ip_protocol: String,
    pub from_port: Option<i64>,
    pub to_port: Option<i64>,
    #[serde(default)]
    pub ip_ranges: Vec<IpRange>,
    #[serde(default)]
    pub ipv6_ranges: Vec<Ipv6Range>,
    #[serde(default)]
    pub prefix_list_ids: Vec<PrefixListId>,
    #[serde(default)]
    pub user_id_group_pairs: Vec<UserIdGroupPair>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct IpRange {
    pub cidr_ip: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Ipv6Range {
    pub cidr_ipv6: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct PrefixListId {
    pub prefix_list_id: String,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct UserIdGroupPair {
    pub group_id: Option<String>,
    pub user_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkAcl {
    pub network_acl_id: String,
    pub vpc_id: String,
    pub is_default: Option<bool>,
    #[serde(default)]
    pub entries: Vec<NetworkAclEntry>,
    #[serde(default)]
    pub associations: Vec<NetworkAclAssociation>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkAclEntry {
    pub rule_number: i64,
    /// `-1` for all, or a protocol number as a string (`6` tcp, `17` udp).
    pub protocol: String,
    /// `allow` or `deny`.
    pub rule_action: String,
    pub egress: bool,
    pub cidr_block: Option<String>,
    pub ipv6_cidr_block: Option<String>,
    pub port_range: Option<PortRange>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct PortRange {
    pub from: Option<i64>,
    pub to: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkAclAssociation {
    pub subnet_id: Option<String>,
    pub network_acl_association_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct FlowLog {
    pub flow_log_id: String,
    /// The VPC, subnet or network interface the flow log watches.
    pub resource_id: String,
    pub flow_log_status: Option<String>,
    pub traffic_type: Option<String>,
    pub log_destination_type: Option<String>,
    pub log_destination: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
pub struct SageMaker {
    /// DescribeNotebookInstance responses.
    #[serde(default)]
    pub notebook_instances: Vec<NotebookInstance>,
    /// DescribeDomain responses.
    #[serde(default)]
    pub domains: Vec<Domain>,
    /// DescribeTrainingJob responses (the most recent, bounded).
    #[serde(default)]
    pub training_jobs: Vec<TrainingJob>,
    /// DescribeModel responses.
    #[serde(default)]
    pub models: Vec<Model>,
    /// DescribeEndpointConfig responses.
    #[serde(default)]
    pub endpoint_configs: Vec<EndpointConfig>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct NotebookInstance {
    pub notebook_instance_name: String,
    pub notebook_instance_arn: String,
    pub notebook_instance_status: Option<String>,
    pub subnet_id: Option<String>,
    #[serde(default)]
    pub security_groups: Vec<String>,
    pub role_arn: Option<String>,
    pub kms_key_id: Option<String>,
    /// `Enabled` or `Disabled`.
    pub direct_internet_access: Option<String>,
    /// `Enabled` or `Disabled`.
    pub root_access: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Domain {
    pub domain_id: String,
    pub domain_arn: String,
    pub domain_name: Option<String>,
    /// `PublicInternetOnly` or `VpcOnly`.
    pub app_network_access_type: Option<String>,
    pub vpc_id: Option<String>,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    pub kms_key_id: Option<String>,
    pub default_user_settings: Option<DomainUserSettings>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct DomainUserSettings {
    pub execution_role: Option<String>,
    #[serde(default)]
    pub security_groups: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct VpcConfig {
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    #[serde(default)]
    pub subnets: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct TrainingJob {
    pub training_job_name: String,
    pub training_job_arn: String,
    pub training_job_status: Option<String>,
    pub role_arn: Option<String>,
    pub vpc_config: Option<VpcConfig>,
    pub enable_network_isolation: Option<bool>,
    pub enable_inter_container_traffic_encryption: Option<bool>,
    pub output_data_config: Option<OutputDataConfig>,
    pub resource_config: Option<ResourceConfig>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct OutputDataConfig {
    pub kms_key_id: Option<String>,
    pub s3_output_path: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceConfig {
    pub volume_kms_key_id: Option<String>,
    pub instance_type: Option<String>,
    pub instance_count: Option<i64>,
    /// Heterogeneous clusters: instance groups instead of InstanceType/InstanceCount.
    #[serde(default)]
    pub instance_groups: Vec<InstanceGroup>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceGroup {
    pub instance_group_name: Option<String>,
    pub instance_type: Option<String>,
    pub instance_count: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct Model {
    pub model_name: String,
    pub model_arn: String,
    pub execution_role_arn: Option<String>,
    pub vpc_config: Option<VpcConfig>,
    pub enable_network_isolation: Option<bool>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "PascalCase")]
pub struct EndpointConfig {
    pub endpoint_config_name: String,
    pub endpoint_config_arn: String,
    pub kms_key_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// Something the collector could not read. Rules whose inputs it covers report the affected
/// resources as `not_assessed`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
pub struct Gap {
    /// Service prefix, as in IAM actions: `iam`, `kms`, `ec2`, `sagemaker`, `s3`, `sts`.
    pub service: String,
    /// Region, or `global` for IAM and S3 account-level calls.
    pub region: String,
    /// The API operation, e.g. `GetKeyPolicy`.
    pub operation: String,
    /// The ARN or id the call was about; absent when the whole listing failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    pub error_code: String,
    pub message: String,
}
