//! The policy documents mlguard writes (trust policies, the scoped execution-role policy,
//! the permissions boundary, key policies, TLS-only bucket statements), and the few reads of
//! existing documents the fixes need. Documents read from a snapshot are normalized (see
//! `snapshot::normalize`): every list field is an array.

use serde_json::{Value, json};

pub const SAGEMAKER: &str = "sagemaker.amazonaws.com";

/// Service principals that assume roles without a source resource (instance profiles,
/// function roles): LP-002 does not ask them for a source condition, so neither does the fix.
const NO_SOURCE_CONTEXT: &[&str] = &[
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "edgelambda.amazonaws.com",
];

/// The statements of a (normalized) document.
pub fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(obj @ Value::Object(_)) => vec![obj],
        _ => Vec::new(),
    }
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

pub fn allows(stmt: &Value) -> bool {
    stmt.get("Effect").and_then(Value::as_str) == Some("Allow")
}

pub fn actions(stmt: &Value) -> Vec<&str> {
    strings(stmt.get("Action"))
}

pub fn resources(stmt: &Value) -> Vec<&str> {
    strings(stmt.get("Resource"))
}

fn principal_values<'a>(stmt: &'a Value, kind: &str) -> Vec<&'a str> {
    match stmt.get("Principal") {
        Some(Value::String(s)) if s == "*" && kind == "AWS" => vec!["*"],
        Some(p) => strings(p.get(kind)),
        None => Vec::new(),
    }
}

/// An Allow that lets any AWS principal in (`*`, or NotPrincipal).
pub fn any_principal(stmt: &Value) -> bool {
    allows(stmt)
        && (principal_values(stmt, "AWS").contains(&"*") || stmt.get("NotPrincipal").is_some())
}

const RESTRICTING_KEYS: &[&str] = &[
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:userid",
    "sts:externalid",
    "kms:calleraccount",
    "kms:viaservice",
];

fn conditions(stmt: &Value) -> Vec<(&str, &str, Vec<&str>)> {
    let mut out = Vec::new();
    if let Some(Value::Object(ops)) = stmt.get("Condition") {
        for (op, keys) in ops {
            if let Value::Object(keys) = keys {
                for (key, values) in keys {
                    out.push((op.as_str(), key.as_str(), strings(Some(values))));
                }
            }
        }
    }
    out
}

/// The statement has a condition that pins the caller (as `lib.iam.restricting_condition`).
pub fn restricting_condition(stmt: &Value) -> bool {
    conditions(stmt).iter().any(|(op, key, values)| {
        *op != "Null"
            && !op.starts_with("StringNot")
            && !op.starts_with("ArnNot")
            && RESTRICTING_KEYS.contains(&key.to_ascii_lowercase().as_str())
            && values.iter().any(|v| *v != "*")
    })
}

fn pinning_operator(op: &str) -> bool {
    let op = op
        .strip_prefix("ForAnyValue:")
        .unwrap_or(op)
        .to_ascii_lowercase();
    matches!(
        op.as_str(),
        "stringequals" | "stringequalsignorecase" | "stringlike" | "arnequals" | "arnlike"
    )
}

/// The statement pins the source of a service's request (as `lib.iam.source_condition`).
pub fn source_condition(stmt: &Value) -> bool {
    conditions(stmt).iter().any(|(op, key, values)| {
        let key = key.to_ascii_lowercase();
        pinning_operator(op)
            && matches!(
                key.as_str(),
                "aws:sourceaccount" | "aws:sourcearn" | "aws:sourceorgid" | "aws:sourceorgpaths"
            )
            && values.iter().any(|v| {
                if key == "aws:sourcearn" {
                    let fields: Vec<&str> = v.split(':').collect();
                    fields.len() >= 6
                        && (concrete(fields[4]) || (fields[2] == "s3" && concrete(fields[5])))
                } else {
                    concrete(v)
                }
            })
    })
}

fn concrete(v: &str) -> bool {
    !v.trim_matches(|c| c == '*' || c == '?').is_empty()
}

/// The statement lets principals call sts:AssumeRole.
fn allows_assume_role(stmt: &Value) -> bool {
    allows(stmt)
        && actions(stmt).iter().any(|a| {
            let a = a.to_ascii_lowercase();
            a == "*" || a == "sts:*" || a == "sts:assumerole" || glob_action(&a, "sts:assumerole")
        })
}

fn glob_action(pattern: &str, action: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) if !prefix.contains(['*', '?']) => action.starts_with(prefix),
        _ => pattern == action,
    }
}

/// Service principals a trust statement trusts that LP-002 asks a source condition for.
pub fn judged_services(stmt: &Value) -> Vec<&str> {
    principal_values(stmt, "Service")
        .into_iter()
        .filter(|p| !NO_SOURCE_CONTEXT.contains(&p.to_ascii_lowercase().as_str()))
        .collect()
}

/// The role trusts sagemaker.amazonaws.com.
pub fn trusts_sagemaker(trust: &Value) -> bool {
    statements(trust)
        .iter()
        .any(|s| allows(s) && principal_values(s, "Service").contains(&SAGEMAKER))
}

/// `{"StringEquals": {"aws:SourceAccount": account}}` added to a statement's conditions.
fn with_condition(stmt: &Value, key: &str, value: &str) -> Value {
    let mut s = stmt.clone();
    if !s.get("Condition").is_some_and(Value::is_object) {
        s["Condition"] = json!({});
    }
    if !s["Condition"]
        .get("StringEquals")
        .is_some_and(Value::is_object)
    {
        s["Condition"]["StringEquals"] = json!({});
    }
    s["Condition"]["StringEquals"][key] = json!([value]);
    s
}

/// The trust policy of a SageMaker execution role: the service principal, pinned to the
/// account with aws:SourceAccount.
pub fn sagemaker_trust(account: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": SAGEMAKER},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}}
        }]
    })
}

/// LP-002's fix: every service trust statement without a source condition gets
/// aws:SourceAccount = the account; principals and actions stay.
pub fn add_source_account(trust: &Value, account: &str) -> Value {
    map_statements(trust, |s| {
        if allows_assume_role(s) && !judged_services(s).is_empty() && !source_condition(s) {
            with_condition(s, "aws:SourceAccount", account)
        } else {
            s.clone()
        }
    })
}

/// LP-001's fix for a role outside the ML workload: every statement open to any principal
/// gets aws:PrincipalAccount = the account (only the account's own principals stay trusted).
pub fn pin_open_statements(doc: &Value, account: &str) -> Value {
    map_statements(doc, |s| {
        if any_principal(s) && !restricting_condition(s) {
            with_condition(s, "aws:PrincipalAccount", account)
        } else {
            s.clone()
        }
    })
}

fn map_statements(doc: &Value, f: impl Fn(&Value) -> Value) -> Value {
    let mut out = doc.clone();
    out["Statement"] = Value::Array(statements(doc).into_iter().map(f).collect());
    out
}

// --- permissions -------------------------------------------------------------------------

/// The inline policy mlguard puts on ML execution roles in place of broad ones.
pub const SCOPED_POLICY_NAME: &str = "mlguard-scoped-access";

/// A least-privilege policy for a SageMaker execution role: read and write the named buckets,
/// write its CloudWatch Logs, and use the named KMS keys.
pub fn scoped_policy(partition: &str, account: &str, buckets: &[String], keys: &[String]) -> Value {
    let mut statements = Vec::new();
    if !buckets.is_empty() {
        statements.push(json!({
            "Sid": "ListMlBuckets",
            "Effect": "Allow",
            "Action": ["s3:GetBucketLocation", "s3:ListBucket"],
            "Resource": buckets.iter().map(|b| format!("arn:{partition}:s3:::{b}")).collect::<Vec<_>>()
        }));
        statements.push(json!({
            "Sid": "ReadWriteMlData",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
            "Resource": buckets.iter().map(|b| format!("arn:{partition}:s3:::{b}/*")).collect::<Vec<_>>()
        }));
    }
    statements.push(json!({
        "Sid": "WriteSageMakerLogs",
        "Effect": "Allow",
        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        "Resource": [
            format!("arn:{partition}:logs:*:{account}:log-group:/aws/sagemaker/*"),
            format!("arn:{partition}:logs:*:{account}:log-group:/aws/sagemaker/*:log-stream:*")
        ]
    }));
    if !keys.is_empty() {
        statements.push(json!({
            "Sid": "UseMlKeys",
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
            "Resource": keys
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The permissions boundary for ML execution roles: the services and actions an ML role may
/// ever use, whatever is attached to it later.
pub fn boundary_policy(partition: &str, account: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "MlServices",
                "Effect": "Allow",
                "Action": ["sagemaker:*", "s3:*", "logs:*", "cloudwatch:PutMetricData", "cloudwatch:GetMetricData",
                           "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
                           "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:CreateGrant",
                           "ec2:Describe*", "ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission",
                           "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission", "sts:GetCallerIdentity"],
                "Resource": "*"
            },
            {
                "Sid": "PassOnlyToSageMaker",
                "Effect": "Allow",
                "Action": ["iam:GetRole", "iam:PassRole"],
                "Resource": format!("arn:{partition}:iam::{account}:role/*"),
                "Condition": {"StringEquals": {"iam:PassedToService": SAGEMAKER}}
            }
        ]
    })
}

/// The key policy of a key mlguard creates: the account administers it through IAM, and
/// VPC flow logs may encrypt with it (logs delivered to an SSE-KMS bucket).
pub fn key_policy(partition: &str, account: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            root_statement(partition, account),
            {
                "Sid": "FlowLogDelivery",
                "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account}}
            }
        ]
    })
}

fn root_statement(partition: &str, account: &str) -> Value {
    json!({
        "Sid": "EnableIamUserPermissions",
        "Effect": "Allow",
        "Principal": {"AWS": format!("arn:{partition}:iam::{account}:root")},
        "Action": "kms:*",
        "Resource": "*"
    })
}

/// DE-002's fix: the key policy without the statements open to any principal. When no
/// statement is left that lets the account administer the key, the default root statement
/// is added, so the key never becomes unmanageable.
pub fn restrict_key_policy(doc: &Value, partition: &str, account: &str) -> Value {
    let kept: Vec<Value> = statements(doc)
        .into_iter()
        .filter(|s| !any_principal(s) || restricting_condition(s))
        .cloned()
        .collect();
    let root = format!("arn:{partition}:iam::{account}:root");
    let administered = kept.iter().any(|s| {
        allows(s)
            && principal_values(s, "AWS")
                .iter()
                .any(|p| *p == root || *p == account)
            && actions(s).iter().any(|a| *a == "kms:*" || *a == "*")
    });
    let mut out = doc.clone();
    let mut list = kept;
    if !administered {
        list.insert(0, root_statement(partition, account));
    }
    out["Statement"] = Value::Array(list);
    out
}

/// The statement DE-010 looks for: deny every S3 action on the bucket and its objects over
/// plain HTTP.
pub fn tls_only_statement(partition: &str, bucket: &str) -> Value {
    json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [format!("arn:{partition}:s3:::{bucket}"), format!("arn:{partition}:s3:::{bucket}/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    })
}

/// The bucket policy with the TLS-only statement added (a new policy when there was none).
pub fn with_tls_only(existing: Option<&Value>, partition: &str, bucket: &str) -> Value {
    let mut doc = existing
        .filter(|d| d.is_object())
        .cloned()
        .unwrap_or_else(|| json!({"Version": "2012-10-17", "Statement": []}));
    let mut list: Vec<Value> = statements(&doc).into_iter().cloned().collect();
    list.push(tls_only_statement(partition, bucket));
    doc["Statement"] = Value::Array(list);
    doc
}

// --- broad policies ----------------------------------------------------------------------

/// Actions that let the holder raise permissions (LP-008's list).
const ESCALATION: &[&str] = &[
    "iam:createpolicyversion",
    "iam:setdefaultpolicyversion",
    "iam:attachrolepolicy",
    "iam:attachuserpolicy",
    "iam:attachgrouppolicy",
    "iam:putrolepolicy",
    "iam:putuserpolicy",
    "iam:putgrouppolicy",
    "iam:updateassumerolepolicy",
    "iam:putrolepermissionsboundary",
    "iam:deleterolepermissionsboundary",
    "iam:putuserpermissionsboundary",
    "iam:deleteuserpermissionsboundary",
    "iam:createaccesskey",
    "iam:createloginprofile",
    "iam:updateloginprofile",
    "iam:addusertogroup",
    "lambda:updatefunctioncode",
    "glue:updatedevendpoint",
];

/// Data-plane actions whose grant on every resource LP-009 reports.
const DATA: &[&str] = &[
    "s3:getobject",
    "s3:putobject",
    "s3:deleteobject",
    "kms:decrypt",
    "kms:encrypt",
    "kms:generatedatakey",
];

/// The name of an AWS-managed policy that grants a whole service or most of the account
/// (AdministratorAccess, and LP-007's list).
pub fn broad_managed_name(arn: &str) -> bool {
    let fields: Vec<&str> = arn.split(':').collect();
    if fields.len() != 6 || fields[2] != "iam" || fields[4] != "aws" {
        return false;
    }
    let name = fields[5].rsplit('/').next().unwrap_or_default();
    name == "AdministratorAccess"
        || name.contains("FullAccess")
        || name.starts_with("AdministratorAccess-")
        || matches!(
            name,
            "PowerUserAccess"
                | "ReadOnlyAccess"
                | "SecretsManagerReadWrite"
                | "AWSKeyManagementServicePowerUser"
                | "DataScientist"
                | "SystemAdministrator"
                | "DatabaseAdministrator"
                | "NetworkAdministrator"
        )
}

fn every_resource(r: &str) -> bool {
    if r == "*" {
        return true;
    }
    let f: Vec<&str> = r.split(':').collect();
    f.len() == 6
        && ((f[2] == "*" && f[5] == "*")
            || (f[2] == "iam" && matches!(f[5], "*" | "role/*"))
            || (f[2] == "s3" && matches!(f[5], "*" | "*/*"))
            || (f[2] == "kms" && matches!(f[5], "*" | "key/*")))
}

/// Whether a permission document is one the least-privilege rules object to: an Allow with
/// NotAction or NotResource, with a wildcard action, with an escalation action, or with
/// iam:PassRole or a data action on every resource.
pub fn broad_document(doc: &Value) -> bool {
    statements(doc).iter().any(|s| {
        if !allows(s) {
            return false;
        }
        if s.get("NotAction").is_some() || s.get("NotResource").is_some() {
            return true;
        }
        let everywhere = resources(s).iter().any(|r| every_resource(r));
        actions(s).iter().any(|a| {
            let a = a.to_ascii_lowercase();
            a.contains(['*', '?'])
                || ESCALATION.contains(&a.as_str())
                || (everywhere && (a == "iam:passrole" || DATA.contains(&a.as_str())))
        })
    })
}

/// Bucket names a document names concretely (`arn:aws:s3:::name` or `.../key`, no wildcard
/// in the name).
pub fn named_buckets(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for s in statements(doc) {
        for r in resources(s) {
            if let Some(rest) = r.split_once(":s3:::").map(|(_, rest)| rest) {
                let name = rest.split('/').next().unwrap_or_default();
                if !name.is_empty() && !name.contains(['*', '?', '$']) {
                    out.push(name.to_string());
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remediate::model::normalize_document;

    #[test]
    fn trust_fixes() {
        let open = normalize_document(
            &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}),
        );
        assert!(any_principal(statements(&open)[0]));
        let pinned = pin_open_statements(&open, "123456789012");
        assert!(restricting_condition(statements(&pinned)[0]));
        let service = normalize_document(
            &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": ["sagemaker.amazonaws.com", "ec2.amazonaws.com"]}, "Action": "sts:AssumeRole"}]}),
        );
        assert!(!source_condition(statements(&service)[0]));
        let fixed = add_source_account(&service, "123456789012");
        assert!(source_condition(statements(&fixed)[0]));
        assert_eq!(
            fixed["Statement"][0]["Principal"],
            service["Statement"][0]["Principal"]
        );
        assert!(source_condition(
            statements(&normalize_document(&sagemaker_trust("123456789012")))[0]
        ));
    }

    #[test]
    fn key_policy_keeps_an_administrator() {
        let open = normalize_document(
            &json!({"Version": "2012-10-17", "Statement": [{"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}),
        );
        let fixed = restrict_key_policy(&open, "aws", "123456789012");
        let list = statements(&fixed);
        assert_eq!(list.len(), 1);
        assert_eq!(list[0]["Sid"], "EnableIamUserPermissions");
        assert!(!any_principal(list[0]));
    }

    #[test]
    fn what_counts_as_broad() {
        assert!(broad_managed_name(
            "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
        ));
        assert!(broad_managed_name(
            "arn:aws:iam::aws:policy/AdministratorAccess"
        ));
        assert!(!broad_managed_name(
            "arn:aws:iam::123456789012:policy/AmazonSageMakerFullAccess"
        ));
        let scoped = normalize_document(&scoped_policy(
            "aws",
            "123456789012",
            &["ml-data".into()],
            &["arn:aws:kms:us-east-1:123456789012:key/k".into()],
        ));
        assert!(!broad_document(&scoped));
        assert_eq!(named_buckets(&scoped), vec!["ml-data"]);
        let wildcard = normalize_document(
            &json!({"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b"}}),
        );
        assert!(broad_document(&wildcard));
        let data = normalize_document(
            &json!({"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}),
        );
        assert!(broad_document(&data));
    }
}
