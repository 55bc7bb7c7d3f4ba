"""Seeds an AWS Organization in moto for tests/it/org.rs (and benches/org.sh): run with
MLGUARD_PYTHON (moto's virtualenv, which has boto3).

    python tests/org_seed.py ENDPOINT MEMBERS HUB_ROLE_ARN EXTERNAL_ID TEMPLATE [--lab]

Creates the organization (the caller's account is the management account), MEMBERS member
accounts, an OU holding the first 25 of them (more than one ListAccountsForParent page) with a
child OU holding 3 more, and one extra account that is then closed (SUSPENDED: never scanned).
In every member account, through credentials of an assumed role in that account, it deploys
the member-role template with CloudFormation and seeds a misconfiguration that depends on the
account's index (i % 4), named after the account so a finding about it cannot be mistaken
for another account's:

    0  an S3 bucket without a bucket policy or public access block   mlguard-data-<id>
    1  a security group open to the internet on 22 in the default VPC   open-ssh-<id>
    2  a KMS key without rotation                                       alias/ml-<id>
    3  a SageMaker execution role with iam:* on *                       ml-exec-<id>

With --lab every member account gets all four (the benchmark's lab-sized accounts).
Prints one JSON object: management, members (id, index, kind), suspended, ou, child_ou.
"""

import json
import sys

import boto3
import yaml

endpoint, members, hub_role_arn, external_id, template = sys.argv[1:6]
members = int(members)
lab = "--lab" in sys.argv[6:]
region = "us-east-1"
base = dict(
    endpoint_url=endpoint,
    region_name=region,
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
)

org = boto3.client("organizations", **base)
org.create_organization(FeatureSet="ALL")
management = boto3.client("sts", **base).get_caller_identity()["Account"]
root_id = org.list_roots()["Roots"][0]["Id"]
ou = org.create_organizational_unit(ParentId=root_id, Name="ml")["OrganizationalUnit"]["Id"]
child_ou = org.create_organizational_unit(ParentId=ou, Name="ml-prod")["OrganizationalUnit"][
    "Id"
]

ids = []
for i in range(members):
    status = org.create_account(AccountName=f"member-{i:02d}", Email=f"member-{i:02d}@example.com")
    ids.append(status["CreateAccountStatus"]["AccountId"])
suspended = org.create_account(AccountName="closed", Email="closed@example.com")[
    "CreateAccountStatus"
]["AccountId"]
org.close_account(AccountId=suspended)
for i, account in enumerate(ids[:28]):
    org.move_account(
        AccountId=account,
        SourceParentId=root_id,
        DestinationParentId=ou if i < 25 else child_ou,
    )

template_body = open(template).read()
member_policies = yaml.safe_load(template_body)["Resources"]["MemberRole"]["Properties"]["Policies"]
sts = boto3.client("sts", **base)
out = []
for i, account in enumerate(ids):
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole",
        RoleSessionName="seed",
    )["Credentials"]
    kw = dict(
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    assert boto3.client("sts", **kw).get_caller_identity()["Account"] == account
    cfn = boto3.client("cloudformation", **kw)
    cfn.create_stack(
        StackName="mlguard-member-role",
        TemplateBody=template_body,
        Parameters=[
            {"ParameterKey": "HubRoleArn", "ParameterValue": hub_role_arn},
            {"ParameterKey": "ExternalId", "ParameterValue": external_id},
        ],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    stack = cfn.describe_stacks(StackName="mlguard-member-role")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    iam = boto3.client("iam", **kw)
    role = iam.get_role(RoleName="mlguard-scan")["Role"]
    assert role["Arn"] == f"arn:aws:iam::{account}:role/mlguard-scan", role["Arn"]
    # moto keeps a CloudFormation role's inline policies as objects, and then fails
    # GetAccountAuthorizationDetails on them: put the same documents back as text.
    for p in member_policies:
        iam.put_role_policy(
            RoleName="mlguard-scan",
            PolicyName=p["PolicyName"],
            PolicyDocument=json.dumps(p["PolicyDocument"]),
        )

    kinds = [0, 1, 2, 3] if lab else [i % 4]
    for kind in kinds:
        if kind == 0:
            boto3.client("s3", **kw).create_bucket(Bucket=f"mlguard-data-{account}")
        elif kind == 1:
            ec2 = boto3.client("ec2", **kw)
            vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
            sg = ec2.create_security_group(
                GroupName=f"open-ssh-{account}", Description="ssh", VpcId=vpc["VpcId"]
            )["GroupId"]
            ec2.authorize_security_group_ingress(
                GroupId=sg,
                IpPermissions=[
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 22,
                        "ToPort": 22,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    }
                ],
            )
        elif kind == 2:
            kms = boto3.client("kms", **kw)
            key = kms.create_key(Description=f"ml key of {account}")["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName=f"alias/ml-{account}", TargetKeyId=key)
        else:
            iam = boto3.client("iam", **kw)
            trust = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "sagemaker.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
            iam.create_role(
                RoleName=f"ml-exec-{account}", AssumeRolePolicyDocument=json.dumps(trust)
            )
            iam.put_role_policy(
                RoleName=f"ml-exec-{account}",
                PolicyName="everything",
                PolicyDocument=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}],
                    }
                ),
            )
    out.append({"id": account, "index": i, "kind": i % 4})

print(
    json.dumps(
        {
            "management": management,
            "members": out,
            "suspended": suspended,
            "ou": ou,
            "child_ou": child_ou,
        }
    )
)
