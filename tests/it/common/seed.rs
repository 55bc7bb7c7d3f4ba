//! Seeds emulated AWS accounts through the AWS SDK for Rust: the lab as its first commands
//! leave it, an insecure account, and the hardened end state.

use aws_config::BehaviorVersion;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, Filter, FlowLogsResourceType, IpPermission, IpRange, LogDestinationType,
    PortRange, RuleAction, TrafficType, VpcEndpointType,
};
use aws_sdk_iam::types::Tag as IamTag;
use aws_sdk_s3::types::{
    PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use aws_sdk_sagemaker::types::{DirectInternetAccess, InstanceType, RootAccess};
use aws_types::SdkConfig;
use aws_types::region::Region;
use std::future::Future;

pub use crate::common::moto::ACCOUNT;

pub const SAGEMAKER_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// An endpoint resolver that answers one URL, whatever the parameters.
#[derive(Debug)]
struct FixedEndpoint(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(
        &'a self,
        _params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_smithy_runtime_api::client::endpoint::EndpointFuture<'a> {
        aws_smithy_runtime_api::client::endpoint::EndpointFuture::ready(Ok(
            aws_smithy_types::endpoint::Endpoint::builder()
                .url(self.0.clone())
                .build(),
        ))
    }
}

/// SDK clients for one emulated account and region.
pub struct Aws {
    rt: tokio::runtime::Runtime,
    config: SdkConfig,
    pub region: String,
}

impl Aws {
    pub fn new(endpoint: &str, region: &str) -> Aws {
        Aws::with_credentials(endpoint, region, "testing", "testing", None)
    }

    pub fn with_credentials(
        endpoint: &str,
        region: &str,
        key: &str,
        secret: &str,
        token: Option<&str>,
    ) -> Aws {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let creds = aws_sdk_sts::config::Credentials::new(
            key,
            secret,
            token.map(str::to_string),
            None,
            "tests",
        );
        let config = rt.block_on(
            aws_config::defaults(BehaviorVersion::latest())
                .region(Region::new(region.to_string()))
                .endpoint_url(endpoint)
                .credentials_provider(creds)
                .load(),
        );
        Aws {
            rt,
            config,
            region: region.to_string(),
        }
    }

    pub fn run<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    pub fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.config)
    }
    pub fn ec2(&self) -> aws_sdk_ec2::Client {
        aws_sdk_ec2::Client::new(&self.config)
    }
    pub fn kms(&self) -> aws_sdk_kms::Client {
        aws_sdk_kms::Client::new(&self.config)
    }
    pub fn sagemaker(&self) -> aws_sdk_sagemaker::Client {
        aws_sdk_sagemaker::Client::new(&self.config)
    }
    pub fn sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(&self.config)
    }
    pub fn s3(&self) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.config)
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// S3 Control at the emulator itself: its endpoint rules would put the account id in
    /// front of the host (`123456789012.127.0.0.1`), which reaches nothing.
    pub fn s3control(&self) -> aws_sdk_s3control::Client {
        let endpoint = self.config.endpoint_url().expect("an emulator endpoint");
        let conf = aws_sdk_s3control::config::Builder::from(&self.config)
            .endpoint_resolver(FixedEndpoint(endpoint.to_string()))
            .build();
        aws_sdk_s3control::Client::from_conf(conf)
    }

    /// Sets the account-level S3 public access block: every setting `on`.
    pub async fn account_public_access_block(&self, on: bool) {
        self.s3control()
            .put_public_access_block()
            .account_id(ACCOUNT)
            .public_access_block_configuration(
                aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
                    .block_public_acls(on)
                    .ignore_public_acls(on)
                    .block_public_policy(on)
                    .restrict_public_buckets(on)
                    .build(),
            )
            .send()
            .await
            .expect("s3control PutPublicAccessBlock");
    }

    pub fn ec2_arn(&self, kind: &str, id: &str) -> String {
        format!("arn:aws:ec2:{}:{ACCOUNT}:{kind}/{id}", self.region)
    }

    // --- building blocks ---------------------------------------------------------------

    pub async fn role(&self, name: &str, trust: &str, managed: &[&str]) -> String {
        let iam = self.iam();
        let out = iam
            .create_role()
            .role_name(name)
            .assume_role_policy_document(trust)
            .send()
            .await
            .expect("CreateRole");
        for arn in managed {
            iam.attach_role_policy()
                .role_name(name)
                .policy_arn(*arn)
                .send()
                .await
                .expect("AttachRolePolicy");
        }
        out.role().map(|r| r.arn().to_string()).expect("role ARN")
    }

    /// A customer-managed key; `policy` replaces the default key policy.
    pub async fn key(&self, description: &str, policy: Option<&str>) -> (String, String) {
        let out = self
            .kms()
            .create_key()
            .description(description)
            .set_policy(policy.map(str::to_string))
            .send()
            .await
            .expect("CreateKey");
        let meta = out.key_metadata().expect("key metadata");
        (
            meta.key_id().to_string(),
            meta.arn().expect("key ARN").to_string(),
        )
    }

    pub async fn vpc(&self, cidr: &str) -> String {
        let out = self
            .ec2()
            .create_vpc()
            .cidr_block(cidr)
            .send()
            .await
            .expect("CreateVpc");
        out.vpc()
            .and_then(|v| v.vpc_id())
            .expect("VPC id")
            .to_string()
    }

    pub async fn subnet(&self, vpc: &str, cidr: &str) -> String {
        let out = self
            .ec2()
            .create_subnet()
            .vpc_id(vpc)
            .cidr_block(cidr)
            .send()
            .await
            .expect("CreateSubnet");
        out.subnet()
            .and_then(|s| s.subnet_id())
            .expect("subnet id")
            .to_string()
    }

    pub async fn security_group(&self, vpc: &str, name: &str) -> String {
        let out = self
            .ec2()
            .create_security_group()
            .vpc_id(vpc)
            .group_name(name)
            .description(format!("{name}-for-the-ml-workload"))
            .send()
            .await
            .expect("CreateSecurityGroup");
        out.group_id().expect("group id").to_string()
    }

    /// The `default` security group of a VPC.
    pub async fn default_security_group(&self, vpc: &str) -> String {
        let out = self
            .ec2()
            .describe_security_groups()
            .filters(Filter::builder().name("vpc-id").values(vpc).build())
            .filters(
                Filter::builder()
                    .name("group-name")
                    .values("default")
                    .build(),
            )
            .send()
            .await
            .expect("DescribeSecurityGroups");
        out.security_groups()[0]
            .group_id()
            .expect("group id")
            .to_string()
    }

    pub async fn bucket(&self, name: &str) {
        let mut req = self.s3().create_bucket().bucket(name);
        if self.region != "us-east-1" {
            req = req.create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                        self.region.as_str(),
                    ))
                    .build(),
            );
        }
        req.send().await.expect("CreateBucket");
    }

    /// What the region holds besides what a scenario created: moto (like AWS) gives every
    /// region a default VPC, and every VPC a default security group and network ACL.
    pub async fn network(&self) -> Network {
        let ec2 = self.ec2();
        let vpcs = ec2.describe_vpcs().send().await.expect("DescribeVpcs");
        let default_vpc = vpcs
            .vpcs()
            .iter()
            .find(|v| v.is_default() == Some(true))
            .and_then(|v| v.vpc_id())
            .map(String::from);
        let subnets = ec2
            .describe_subnets()
            .send()
            .await
            .expect("DescribeSubnets");
        let default_subnets = subnets
            .subnets()
            .iter()
            .filter(|s| s.vpc_id().map(String::from) == default_vpc)
            .filter_map(|s| s.subnet_id().map(String::from))
            .collect();
        let groups = ec2
            .describe_security_groups()
            .filters(
                Filter::builder()
                    .name("group-name")
                    .values("default")
                    .build(),
            )
            .send()
            .await
            .expect("DescribeSecurityGroups");
        let default_groups = groups
            .security_groups()
            .iter()
            .filter_map(|g| Some((g.vpc_id()?.to_string(), g.group_id()?.to_string())))
            .collect();
        let acls = ec2
            .describe_network_acls()
            .send()
            .await
            .expect("DescribeNetworkAcls");
        let default_acls = acls
            .network_acls()
            .iter()
            .filter(|a| a.is_default() == Some(true))
            .filter_map(|a| Some((a.vpc_id()?.to_string(), a.network_acl_id()?.to_string())))
            .collect();
        Network {
            default_vpc,
            default_subnets,
            default_groups,
            default_acls,
        }
    }

    /// Deletes the region's default VPC, as hardening guides recommend.
    pub async fn delete_default_vpc(&self) {
        let ec2 = self.ec2();
        let vpcs = ec2
            .describe_vpcs()
            .filters(Filter::builder().name("is-default").values("true").build())
            .send()
            .await
            .expect("DescribeVpcs");
        for vpc in vpcs.vpcs() {
            let vpc_id = vpc.vpc_id().expect("VPC id");
            let of_vpc = Filter::builder().name("vpc-id").values(vpc_id).build();
            let subnets = ec2
                .describe_subnets()
                .filters(of_vpc.clone())
                .send()
                .await
                .expect("DescribeSubnets");
            for s in subnets.subnets() {
                ec2.delete_subnet()
                    .subnet_id(s.subnet_id().expect("id"))
                    .send()
                    .await
                    .expect("DeleteSubnet");
            }
            let igws = ec2
                .describe_internet_gateways()
                .filters(
                    Filter::builder()
                        .name("attachment.vpc-id")
                        .values(vpc_id)
                        .build(),
                )
                .send()
                .await
                .expect("DescribeInternetGateways");
            for g in igws.internet_gateways() {
                let id = g.internet_gateway_id().expect("id");
                ec2.detach_internet_gateway()
                    .internet_gateway_id(id)
                    .vpc_id(vpc_id)
                    .send()
                    .await
                    .expect("DetachInternetGateway");
                ec2.delete_internet_gateway()
                    .internet_gateway_id(id)
                    .send()
                    .await
                    .expect("DeleteInternetGateway");
            }
            ec2.delete_vpc()
                .vpc_id(vpc_id)
                .send()
                .await
                .expect("DeleteVpc");
        }
    }
}

/// The region's defaults (see [`Aws::network`]).
pub struct Network {
    pub default_vpc: Option<String>,
    pub default_subnets: Vec<String>,
    /// VPC id → its `default` security group.
    pub default_groups: std::collections::BTreeMap<String, String>,
    /// VPC id → its default network ACL.
    pub default_acls: std::collections::BTreeMap<String, String>,
}

impl Network {
    pub fn default_vpc(&self) -> &str {
        self.default_vpc.as_deref().expect("a default VPC")
    }
}

fn all_traffic(cidr: &str) -> IpPermission {
    IpPermission::builder()
        .ip_protocol("-1")
        .ip_ranges(IpRange::builder().cidr_ip(cidr).build())
        .build()
}

fn tcp(port: i32, cidr: &str) -> IpPermission {
    IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(port)
        .to_port(port)
        .ip_ranges(IpRange::builder().cidr_ip(cidr).build())
        .build()
}

// --- scenarios -------------------------------------------------------------------------

/// The lab as its first commands create it: an execution role trusting SageMaker with
/// AmazonSageMakerFullAccess, a new customer-managed key, a 10.0.0.0/16 VPC with
/// `ml-security-group` (and its default group), no flow logs.
pub struct Lab {
    pub role_arn: String,
    pub key_id: String,
    pub key_arn: String,
    pub vpc_id: String,
    pub sg_id: String,
    pub default_sg_id: String,
}

pub fn lab(aws: &Aws) -> Lab {
    aws.run(async {
        let role_arn = aws
            .role(
                "brainybee-sagemaker-role",
                SAGEMAKER_TRUST,
                &["arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"],
            )
            .await;
        let (key_id, key_arn) = aws.key("brainybee ML data key", None).await;
        let vpc_id = aws.vpc("10.0.0.0/16").await;
        let sg_id = aws.security_group(&vpc_id, "ml-security-group").await;
        let default_sg_id = aws.default_security_group(&vpc_id).await;
        Lab {
            role_arn,
            key_id,
            key_arn,
            vpc_id,
            sg_id,
            default_sg_id,
        }
    })
}

/// The lab with its security group opened the way the lab's challenge starts: HTTPS and
/// SSH from anywhere.
pub fn lab_challenge(aws: &Aws) -> Lab {
    let lab = lab(aws);
    aws.run(async {
        aws.ec2()
            .authorize_security_group_ingress()
            .group_id(&lab.sg_id)
            .ip_permissions(tcp(443, "0.0.0.0/0"))
            .ip_permissions(tcp(22, "0.0.0.0/0"))
            .send()
            .await
            .expect("AuthorizeSecurityGroupIngress");
    });
    lab
}

/// An administrator made with the requests moto serves unauthenticated (start it with
/// `INITIAL_NO_AUTH_ACTION_COUNT=3`); from then on moto enforces IAM policies.
pub fn enforcing_admin(endpoint: &str, region: &str) -> Aws {
    let anonymous = Aws::new(endpoint, region);
    let (key, secret) = anonymous.run(async {
        let iam = anonymous.iam();
        iam.create_user()
            .user_name("admin")
            .send()
            .await
            .expect("CreateUser");
        iam.attach_user_policy()
            .user_name("admin")
            .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
            .send()
            .await
            .expect("AttachUserPolicy");
        let key = iam
            .create_access_key()
            .user_name("admin")
            .send()
            .await
            .expect("CreateAccessKey");
        let key = key.access_key().expect("access key");
        (
            key.access_key_id().to_string(),
            key.secret_access_key().to_string(),
        )
    });
    let refused = anonymous.run(anonymous.iam().list_users().send());
    assert!(refused.is_err(), "moto must now enforce authentication");
    Aws::with_credentials(endpoint, region, &key, &secret, None)
}

/// An IAM user holding only the given inline policies; returns its access key.
pub fn user_with(
    admin: &Aws,
    name: &str,
    policies: &[(&str, &serde_json::Value)],
) -> (String, String) {
    admin.run(async {
        let iam = admin.iam();
        iam.create_user()
            .user_name(name)
            .send()
            .await
            .expect("CreateUser");
        for (policy_name, policy) in policies {
            iam.put_user_policy()
                .user_name(name)
                .policy_name(*policy_name)
                .policy_document(policy.to_string())
                .send()
                .await
                .expect("PutUserPolicy");
        }
        let key = iam
            .create_access_key()
            .user_name(name)
            .send()
            .await
            .expect("CreateAccessKey");
        let key = key.access_key().expect("access key");
        (
            key.access_key_id().to_string(),
            key.secret_access_key().to_string(),
        )
    })
}

/// A training job per index in 0..3, a model, an endpoint configuration and a Studio domain,
/// all in the lab's VPC with its role and key. Returns the domain id.
pub fn sagemaker_workload(aws: &Aws, lab: &Lab) -> String {
    aws.run(async {
        let sm = aws.sagemaker();
        use aws_sdk_sagemaker::types::*;
        for i in 0..3 {
            sm.create_training_job()
                .training_job_name(format!("ml-train-{i}"))
                .algorithm_specification(
                    AlgorithmSpecification::builder()
                        .training_image("123.dkr.ecr.us-east-1.amazonaws.com/train:1")
                        .training_input_mode(TrainingInputMode::File)
                        .build(),
                )
                .role_arn(&lab.role_arn)
                .output_data_config(
                    OutputDataConfig::builder()
                        .s3_output_path("s3://ml-out/")
                        .kms_key_id(&lab.key_arn)
                        .build(),
                )
                .resource_config(
                    ResourceConfig::builder()
                        .instance_type(TrainingInstanceType::MlM5Large)
                        .instance_count(1)
                        .volume_size_in_gb(10)
                        .volume_kms_key_id(&lab.key_arn)
                        .build(),
                )
                .vpc_config(
                    VpcConfig::builder()
                        .security_group_ids(&lab.sg_id)
                        .subnets("subnet-1")
                        .build(),
                )
                .stopping_condition(
                    StoppingCondition::builder()
                        .max_runtime_in_seconds(3600)
                        .build(),
                )
                .enable_network_isolation(true)
                .send()
                .await
                .expect("CreateTrainingJob");
        }
        sm.create_model()
            .model_name("ml-model")
            .execution_role_arn(&lab.role_arn)
            .primary_container(
                ContainerDefinition::builder()
                    .image("123.dkr.ecr.us-east-1.amazonaws.com/serve:1")
                    .environment("DB_PASSWORD", "hunter2")
                    .build(),
            )
            .send()
            .await
            .expect("CreateModel");
        sm.create_endpoint_config()
            .endpoint_config_name("ml-endpoint-config")
            .production_variants(
                ProductionVariant::builder()
                    .variant_name("main")
                    .model_name("ml-model")
                    .instance_type(ProductionVariantInstanceType::MlM5Large)
                    .initial_instance_count(1)
                    .build(),
            )
            .kms_key_id(&lab.key_arn)
            .send()
            .await
            .expect("CreateEndpointConfig");
        let d = sm
            .create_domain()
            .domain_name("ml-studio")
            .auth_mode(AuthMode::Iam)
            .default_user_settings(
                UserSettings::builder()
                    .execution_role(&lab.role_arn)
                    .security_groups(&lab.sg_id)
                    .build(),
            )
            .subnet_ids("subnet-1")
            .vpc_id(&lab.vpc_id)
            .app_network_access_type(AppNetworkAccessType::VpcOnly)
            .kms_key_id(&lab.key_arn)
            .send()
            .await
            .expect("CreateDomain");
        d.domain_arn()
            .and_then(|a| a.rsplit('/').next())
            .expect("domain id")
            .to_string()
    })
}

/// Everything wrong at once: a role anyone can assume with AdministratorAccess, open
/// security groups, a public subnet, a key without rotation whose policy allows `*`, a
/// notebook with direct internet access and root, a bucket without SSE-KMS.
pub struct Insecure {
    pub role_arn: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub igw_id: String,
    pub route_table_id: String,
    pub sg_id: String,
    pub key_arn: String,
    pub notebook_arn: String,
    pub bucket: String,
}

pub const OPEN_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
pub const OPEN_KEY_POLICY: &str = r#"{"Version":"2012-10-17","Id":"open","Statement":[{"Sid":"Anyone","Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}"#;

pub fn insecure(aws: &Aws) -> Insecure {
    aws.run(async {
        let ec2 = aws.ec2();
        let role_arn = aws
            .role(
                "ml-wildcard-role",
                OPEN_TRUST,
                &["arn:aws:iam::aws:policy/AdministratorAccess"],
            )
            .await;
        let vpc_id = aws.vpc("10.1.0.0/16").await;
        let subnet_id = aws.subnet(&vpc_id, "10.1.1.0/24").await;
        ec2.modify_subnet_attribute()
            .subnet_id(&subnet_id)
            .map_public_ip_on_launch(AttributeBooleanValue::builder().value(true).build())
            .send()
            .await
            .expect("ModifySubnetAttribute");
        let igw = ec2
            .create_internet_gateway()
            .send()
            .await
            .expect("CreateInternetGateway");
        let igw_id = igw
            .internet_gateway()
            .and_then(|g| g.internet_gateway_id())
            .expect("id")
            .to_string();
        ec2.attach_internet_gateway()
            .internet_gateway_id(&igw_id)
            .vpc_id(&vpc_id)
            .send()
            .await
            .expect("AttachInternetGateway");
        let rt = ec2
            .create_route_table()
            .vpc_id(&vpc_id)
            .send()
            .await
            .expect("CreateRouteTable");
        let route_table_id = rt
            .route_table()
            .and_then(|t| t.route_table_id())
            .expect("id")
            .to_string();
        ec2.create_route()
            .route_table_id(&route_table_id)
            .destination_cidr_block("0.0.0.0/0")
            .gateway_id(&igw_id)
            .send()
            .await
            .expect("CreateRoute");
        ec2.associate_route_table()
            .route_table_id(&route_table_id)
            .subnet_id(&subnet_id)
            .send()
            .await
            .expect("AssociateRouteTable");
        let sg_id = aws.security_group(&vpc_id, "ml-open-sg").await;
        ec2.authorize_security_group_ingress()
            .group_id(&sg_id)
            .ip_permissions(all_traffic("0.0.0.0/0"))
            .ip_permissions(tcp(22, "0.0.0.0/0"))
            .send()
            .await
            .expect("AuthorizeSecurityGroupIngress");
        let (_, key_arn) = aws.key("insecure key", Some(OPEN_KEY_POLICY)).await;
        let nb = aws
            .sagemaker()
            .create_notebook_instance()
            .notebook_instance_name("ml-open-notebook")
            .instance_type(InstanceType::MlT3Medium)
            .role_arn(&role_arn)
            .direct_internet_access(DirectInternetAccess::Enabled)
            .root_access(RootAccess::Enabled)
            .send()
            .await
            .expect("CreateNotebookInstance");
        let notebook_arn = nb.notebook_instance_arn().expect("ARN").to_string();
        let bucket = "ml-insecure-training-data".to_string();
        aws.bucket(&bucket).await;
        Insecure {
            role_arn,
            vpc_id,
            subnet_id,
            igw_id,
            route_table_id,
            sg_id,
            key_arn,
            notebook_arn,
            bucket,
        }
    })
}

/// The hardened end state: a least-privilege execution role (service principal pinned to
/// the account, scoped inline policy, permissions boundary), a rotated key with an alias and
/// an account-only policy, a private VPC without internet gateway, with S3 gateway and
/// SageMaker interface endpoints and flow logs, a security group admitting 443 from the VPC
/// only, an emptied default group, a notebook in the VPC with no direct internet and no
/// root, a bucket encrypted with the key behind a public access block and a TLS-only policy.
/// The default VPC is deleted.
pub struct Hardened {
    pub role_arn: String,
    pub key_arn: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub sg_id: String,
    pub notebook_arn: String,
    pub bucket: String,
}

pub fn hardened(aws: &Aws) -> Hardened {
    aws.run(async {
        let (iam, ec2, kms, s3) = (aws.iam(), aws.ec2(), aws.kms(), aws.s3());
        aws.delete_default_vpc().await;
        let bucket = "ml-hardened-training-data".to_string();
        let trust = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"sagemaker.amazonaws.com"}},"Action":"sts:AssumeRole","Condition":{{"StringEquals":{{"aws:SourceAccount":"{ACCOUNT}"}}}}}}]}}"#
        );
        let role_arn = aws.role("ml-hardened-sagemaker-role", &trust, &[]).await;
        let scoped = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::{bucket}/*"}},{{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::{bucket}"}}]}}"#
        );
        iam.put_role_policy()
            .role_name("ml-hardened-sagemaker-role")
            .policy_name("training-data")
            .policy_document(&scoped)
            .send()
            .await
            .expect("PutRolePolicy");
        let boundary = iam
            .create_policy()
            .policy_name("ml-permissions-boundary")
            .policy_document(&scoped)
            .send()
            .await
            .expect("CreatePolicy");
        let boundary_arn = boundary
            .policy()
            .and_then(|p| p.arn())
            .expect("ARN")
            .to_string();
        iam.put_role_permissions_boundary()
            .role_name("ml-hardened-sagemaker-role")
            .permissions_boundary(&boundary_arn)
            .send()
            .await
            .expect("PutRolePermissionsBoundary");
        iam.tag_role()
            .role_name("ml-hardened-sagemaker-role")
            .tags(
                IamTag::builder()
                    .key("mlguard:scope")
                    .value("ml")
                    .build()
                    .expect("tag"),
            )
            .send()
            .await
            .expect("TagRole");

        let key_policy = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Account","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"kms:*","Resource":"*"}}]}}"#
        );
        let (key_id, key_arn) = aws.key("ML data key", Some(&key_policy)).await;
        kms.enable_key_rotation()
            .key_id(&key_id)
            .send()
            .await
            .expect("EnableKeyRotation");
        kms.create_alias()
            .alias_name("alias/ml-data")
            .target_key_id(&key_id)
            .send()
            .await
            .expect("CreateAlias");

        let vpc_id = aws.vpc("10.2.0.0/16").await;
        let subnet_id = aws.subnet(&vpc_id, "10.2.1.0/24").await;
        ec2.modify_subnet_attribute()
            .subnet_id(&subnet_id)
            .map_public_ip_on_launch(AttributeBooleanValue::builder().value(false).build())
            .send()
            .await
            .expect("ModifySubnetAttribute");
        // Network ACLs admit HTTPS from the VPC only. (This includes the ACL moto keeps,
        // unassociated, after the default VPC is deleted.)
        let acls = ec2.describe_network_acls().send().await.expect("DescribeNetworkAcls");
        for acl in acls.network_acls() {
            for egress in [false, true] {
                ec2.replace_network_acl_entry()
                    .network_acl_id(acl.network_acl_id().expect("id"))
                    .rule_number(100)
                    .egress(egress)
                    .protocol("6")
                    .port_range(PortRange::builder().from(443).to(443).build())
                    .cidr_block("10.2.0.0/16")
                    .rule_action(RuleAction::Allow)
                    .send()
                    .await
                    .expect("ReplaceNetworkAclEntry");
            }
        }
        let rt = ec2
            .create_route_table()
            .vpc_id(&vpc_id)
            .send()
            .await
            .expect("CreateRouteTable");
        let rt_id = rt
            .route_table()
            .and_then(|t| t.route_table_id())
            .expect("id")
            .to_string();
        ec2.associate_route_table()
            .route_table_id(&rt_id)
            .subnet_id(&subnet_id)
            .send()
            .await
            .expect("AssociateRouteTable");
        let sg_id = aws.security_group(&vpc_id, "ml-hardened-sg").await;
        ec2.revoke_security_group_egress()
            .group_id(&sg_id)
            .ip_permissions(all_traffic("0.0.0.0/0"))
            .send()
            .await
            .expect("RevokeSecurityGroupEgress");
        ec2.authorize_security_group_ingress()
            .group_id(&sg_id)
            .ip_permissions(tcp(443, "10.2.0.0/16"))
            .send()
            .await
            .expect("AuthorizeSecurityGroupIngress");
        ec2.authorize_security_group_egress()
            .group_id(&sg_id)
            .ip_permissions(tcp(443, "10.2.0.0/16"))
            .send()
            .await
            .expect("AuthorizeSecurityGroupEgress");
        let default_sg = aws.default_security_group(&vpc_id).await;
        ec2.revoke_security_group_egress()
            .group_id(&default_sg)
            .ip_permissions(all_traffic("0.0.0.0/0"))
            .send()
            .await
            .expect("RevokeSecurityGroupEgress");
        ec2.create_vpc_endpoint()
            .vpc_id(&vpc_id)
            .service_name(format!("com.amazonaws.{}.s3", aws.region))
            .vpc_endpoint_type(VpcEndpointType::Gateway)
            .route_table_ids(&rt_id)
            .send()
            .await
            .expect("CreateVpcEndpoint");
        for service in ["sagemaker.api", "sagemaker.runtime"] {
            ec2.create_vpc_endpoint()
                .vpc_id(&vpc_id)
                .service_name(format!("com.amazonaws.{}.{service}", aws.region))
                .vpc_endpoint_type(VpcEndpointType::Interface)
                .subnet_ids(&subnet_id)
                .security_group_ids(&sg_id)
                .private_dns_enabled(true)
                .send()
                .await
                .expect("CreateVpcEndpoint");
        }
        let flow_bucket = "ml-hardened-flow-logs";
        aws.bucket(flow_bucket).await;
        ec2.create_flow_logs()
            .resource_ids(&vpc_id)
            .resource_type(FlowLogsResourceType::Vpc)
            .traffic_type(TrafficType::All)
            .log_destination_type(LogDestinationType::S3)
            .log_destination(format!("arn:aws:s3:::{flow_bucket}"))
            .send()
            .await
            .expect("CreateFlowLogs");

        let nb = aws
            .sagemaker()
            .create_notebook_instance()
            .notebook_instance_name("ml-hardened-notebook")
            .instance_type(InstanceType::MlT3Medium)
            .role_arn(&role_arn)
            .subnet_id(&subnet_id)
            .security_group_ids(&sg_id)
            .kms_key_id(&key_arn)
            .direct_internet_access(DirectInternetAccess::Disabled)
            .root_access(RootAccess::Disabled)
            .send()
            .await
            .expect("CreateNotebookInstance");
        let notebook_arn = nb.notebook_instance_arn().expect("ARN").to_string();

        aws.bucket(&bucket).await;
        for name in [bucket.as_str(), flow_bucket] {
            encrypt_and_lock(&s3, name, &key_arn).await;
        }
        Hardened {
            role_arn,
            key_arn,
            vpc_id,
            subnet_id,
            sg_id,
            notebook_arn,
            bucket,
        }
    })
}

/// SSE-KMS with the key, every public access block setting on, and a TLS-only policy.
pub async fn encrypt_and_lock(s3: &aws_sdk_s3::Client, bucket: &str, key_arn: &str) {
    let sse = ServerSideEncryptionConfiguration::builder()
        .rules(
            ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(
                    ServerSideEncryptionByDefault::builder()
                        .sse_algorithm(ServerSideEncryption::AwsKms)
                        .kms_master_key_id(key_arn)
                        .build()
                        .expect("SSE default"),
                )
                .bucket_key_enabled(true)
                .build(),
        )
        .build()
        .expect("SSE configuration");
    s3.put_bucket_encryption()
        .bucket(bucket)
        .server_side_encryption_configuration(sse)
        .send()
        .await
        .expect("PutBucketEncryption");
    s3.put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .expect("PutPublicAccessBlock");
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"TlsOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::{bucket}","arn:aws:s3:::{bucket}/*"],"Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}}]}}"#
    );
    s3.put_bucket_policy()
        .bucket(bucket)
        .policy(policy)
        .send()
        .await
        .expect("PutBucketPolicy");
}
