# Resource references for results: {arn, type, region, account_id, path}. `path` locates the
# resource in the snapshot (reports turn it into a line). Rules never build ARNs themselves.
package mlguard.lib.resource

import rego.v1

account_id := input.metadata.account_id

default partition := "aws"

partition := input.metadata.partition

with_path(arn, type, region, path) := {
	"arn": arn,
	"type": type,
	"region": region,
	"account_id": account_id,
	"path": path,
}

ec2_arn(region, owner, kind, id) := sprintf("arn:%s:ec2:%s:%s:%s/%s", [partition, region, owner, kind, id])

owner(obj) := obj.OwnerId

owner(obj) := account_id if not obj.OwnerId

# --- IAM (global) -------------------------------------------------------------------------

role(i, r) := with_path(r.Arn, "AWS::IAM::Role", "global", ["iam", "roles", i])

managed_policy(i, p) := with_path(p.Arn, "AWS::IAM::ManagedPolicy", "global", ["iam", "policies", i])

# --- S3 (global listing, regional buckets) ------------------------------------------------

bucket(i, b) := with_path(
	sprintf("arn:%s:s3:::%s", [partition, b.Name]),
	"AWS::S3::Bucket",
	object.get(b, "Region", "global"),
	["s3", "buckets", i],
)

# --- KMS ----------------------------------------------------------------------------------

key(region, i, k) := with_path(k.Arn, "AWS::KMS::Key", region, ["regions", region, "kms", "keys", i])

# --- EC2 ----------------------------------------------------------------------------------

vpc(region, i, v) := with_path(
	ec2_arn(region, owner(v), "vpc", v.VpcId),
	"AWS::EC2::VPC", region, ["regions", region, "ec2", "vpcs", i],
)

subnet(region, i, s) := with_path(
	object.get(s, "SubnetArn", ec2_arn(region, owner(s), "subnet", s.SubnetId)),
	"AWS::EC2::Subnet", region, ["regions", region, "ec2", "subnets", i],
)

route_table(region, i, t) := with_path(
	ec2_arn(region, owner(t), "route-table", t.RouteTableId),
	"AWS::EC2::RouteTable", region, ["regions", region, "ec2", "route_tables", i],
)

security_group(region, i, g) := with_path(
	ec2_arn(region, owner(g), "security-group", g.GroupId),
	"AWS::EC2::SecurityGroup", region, ["regions", region, "ec2", "security_groups", i],
)

network_acl(region, i, n) := with_path(
	ec2_arn(region, owner(n), "network-acl", n.NetworkAclId),
	"AWS::EC2::NetworkAcl", region, ["regions", region, "ec2", "network_acls", i],
)

vpc_endpoint(region, i, e) := with_path(
	ec2_arn(region, owner(e), "vpc-endpoint", e.VpcEndpointId),
	"AWS::EC2::VPCEndpoint", region, ["regions", region, "ec2", "vpc_endpoints", i],
)

# --- SageMaker ----------------------------------------------------------------------------

notebook(region, i, n) := with_path(
	n.NotebookInstanceArn, "AWS::SageMaker::NotebookInstance", region,
	["regions", region, "sagemaker", "notebook_instances", i],
)

domain(region, i, d) := with_path(
	d.DomainArn, "AWS::SageMaker::Domain", region,
	["regions", region, "sagemaker", "domains", i],
)

training_job(region, i, j) := with_path(
	j.TrainingJobArn, "AWS::SageMaker::TrainingJob", region,
	["regions", region, "sagemaker", "training_jobs", i],
)

model(region, i, m) := with_path(
	m.ModelArn, "AWS::SageMaker::Model", region,
	["regions", region, "sagemaker", "models", i],
)

endpoint_config(region, i, c) := with_path(
	c.EndpointConfigArn, "AWS::SageMaker::EndpointConfig", region,
	["regions", region, "sagemaker", "endpoint_configs", i],
)

# A region as a whole (for rules about what a region lacks).
region(region) := with_path(
	sprintf("arn:%s:kms:%s:%s:*", [partition, region, account_id]),
	"AWS::KMS::Region", region, ["regions", region],
)
