//! Normalization of policy documents, applied to every snapshot on load (collected or
//! hand-written), so policies can rely on one shape:
//!
//! - a document given as a string (as the IAM API returns it, URL-encoded, or plain JSON
//!   text as EC2 returns endpoint policies) is decoded into an object;
//! - `Statement` is an array;
//! - `Action`, `NotAction`, `Resource`, `NotResource` are arrays;
//! - each `Principal` / `NotPrincipal` value is an array, and `"Principal": "*"` becomes
//!   `{"AWS": ["*"]}`;
//! - each condition value (`Condition.<operator>.<key>`) is an array.

use regorus::Value;
use std::collections::BTreeMap;

/// A policy document that is not a valid IAM policy document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentError {
    /// Path of the offending value, e.g. `iam/roles/2/AssumeRolePolicyDocument/Statement/0/Action`.
    pub path: Vec<String>,
    pub message: String,
}

fn key(k: &str) -> Value {
    Value::from(k)
}

fn err(path: &[String], extra: &[&str], message: impl Into<String>) -> DocumentError {
    let mut p = path.to_vec();
    p.extend(extra.iter().map(|s| s.to_string()));
    DocumentError {
        path: p,
        message: message.into(),
    }
}

/// Where a schema-1 snapshot keeps policy documents (`*`: any array item or region). The
/// snapshot reader ([`super::value`]) normalizes each as it reads it.
pub const DOCUMENTS: [&[&str]; 6] = [
    &["iam", "roles", "*", "AssumeRolePolicyDocument"],
    &["iam", "roles", "*", "RolePolicyList", "*", "PolicyDocument"],
    &["iam", "policies", "*", "PolicyVersionList", "*", "Document"],
    &["s3", "buckets", "*", "Policy"],
    &["regions", "*", "kms", "keys", "*", "Policy"],
    &[
        "regions",
        "*",
        "ec2",
        "vpc_endpoints",
        "*",
        "PolicyDocument",
    ],
];

/// Normalizes every policy document of a snapshot read without normalization: the
/// reference the reader is tested against.
#[cfg(test)]
pub(crate) fn normalize_snapshot(root: &mut Value) -> Result<(), DocumentError> {
    fn visit(v: &mut Value, pattern: &[&str], path: &mut Vec<String>) -> Result<(), DocumentError> {
        let Some((first, rest)) = pattern.split_first() else {
            return normalize_document(v, path);
        };
        match v {
            Value::Object(_) => {
                let Ok(obj) = v.as_object_mut() else {
                    return Ok(());
                };
                for (k, child) in obj.iter_mut() {
                    let k = k.as_string().map(|s| s.to_string()).unwrap_or_default();
                    if *first == "*" || k == *first {
                        path.push(k);
                        visit(child, rest, path)?;
                        path.pop();
                    }
                }
            }
            Value::Array(_) if *first == "*" => {
                let Ok(items) = v.as_array_mut() else {
                    return Ok(());
                };
                for (i, child) in items.iter_mut().enumerate() {
                    path.push(i.to_string());
                    visit(child, rest, path)?;
                    path.pop();
                }
            }
            _ => {}
        }
        Ok(())
    }
    for pattern in DOCUMENTS {
        visit(root, pattern, &mut Vec::new())?;
    }
    Ok(())
}

/// Decodes (when given as text) and normalizes one policy document in place. `null` is left
/// as is (an absent document).
pub fn normalize_document(doc: &mut Value, path: &[String]) -> Result<(), DocumentError> {
    if let Value::String(text) = doc {
        *doc = decode_document(text).map_err(|m| err(path, &[], m))?;
    }
    match doc {
        Value::Null | Value::Undefined => return Ok(()),
        Value::Object(_) => {}
        _ => {
            return Err(err(
                path,
                &[],
                "a policy document must be an object or its JSON text",
            ));
        }
    }
    let Ok(obj) = doc.as_object_mut() else {
        return Ok(());
    };
    let Some(statement) = obj.get_mut(&key("Statement")) else {
        return Ok(());
    };
    if let Value::Object(_) = statement {
        let single = std::mem::replace(statement, Value::Null);
        *statement = Value::from(vec![single]);
    }
    let Ok(statements) = statement.as_array_mut() else {
        return Err(err(
            path,
            &["Statement"],
            "`Statement` must be an object or an array of objects",
        ));
    };
    for (i, stmt) in statements.iter_mut().enumerate() {
        let i = i.to_string();
        let Ok(stmt) = stmt.as_object_mut() else {
            return Err(err(
                path,
                &["Statement", &i],
                "each statement must be an object",
            ));
        };
        for field in ["Action", "NotAction", "Resource", "NotResource"] {
            if let Some(v) = stmt.get_mut(&key(field)) {
                to_string_array(v).map_err(|m| err(path, &["Statement", &i, field], m))?;
            }
        }
        for field in ["Principal", "NotPrincipal"] {
            if let Some(v) = stmt.get_mut(&key(field)) {
                normalize_principal(v).map_err(|m| err(path, &["Statement", &i, field], m))?;
            }
        }
        if let Some(cond) = stmt.get_mut(&key("Condition")) {
            normalize_condition(cond).map_err(|m| err(path, &["Statement", &i, "Condition"], m))?;
        }
    }
    Ok(())
}

fn decode_document(text: &str) -> Result<Value, String> {
    if let Ok(v) = Value::from_json_str(text) {
        return Ok(v);
    }
    for candidate in [text.to_string(), text.replace('+', " ")] {
        if let Ok(decoded) = percent_encoding::percent_decode_str(&candidate).decode_utf8()
            && let Ok(v) = Value::from_json_str(&decoded)
        {
            return Ok(v);
        }
    }
    Err("the policy document is neither JSON nor URL-encoded JSON".to_string())
}

fn to_string_array(v: &mut Value) -> Result<(), String> {
    match v {
        Value::String(_) => {
            let s = std::mem::replace(v, Value::Null);
            *v = Value::from(vec![s]);
            Ok(())
        }
        Value::Array(items) => {
            if items.iter().all(|x| matches!(x, Value::String(_))) {
                Ok(())
            } else {
                Err("must be a string or an array of strings".to_string())
            }
        }
        _ => Err("must be a string or an array of strings".to_string()),
    }
}

fn normalize_principal(v: &mut Value) -> Result<(), String> {
    if let Value::String(s) = v {
        if s.as_ref() == "*" {
            let mut m = BTreeMap::new();
            m.insert(key("AWS"), Value::from(vec![Value::from("*")]));
            *v = Value::from(m);
            return Ok(());
        }
        return Err("a principal must be \"*\" or an object such as {\"AWS\": [...]}".to_string());
    }
    let Ok(obj) = v.as_object_mut() else {
        return Err("a principal must be \"*\" or an object such as {\"AWS\": [...]}".to_string());
    };
    for (_, value) in obj.iter_mut() {
        to_string_array(value)?;
    }
    Ok(())
}

fn normalize_condition(v: &mut Value) -> Result<(), String> {
    let Ok(operators) = v.as_object_mut() else {
        return Err("`Condition` must be an object of operators".to_string());
    };
    for (_, keys) in operators.iter_mut() {
        let Ok(keys) = keys.as_object_mut() else {
            return Err("each condition operator must map keys to values".to_string());
        };
        for (_, value) in keys.iter_mut() {
            if !matches!(value, Value::Array(_)) {
                let single = std::mem::replace(value, Value::Null);
                *value = Value::from(vec![single]);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(json: &str) -> serde_json::Value {
        let mut v = Value::from_json_str(json).expect("valid json");
        normalize_document(&mut v, &["doc".to_string()]).expect("normalizes");
        serde_json::to_value(&v).expect("serializes")
    }

    #[test]
    fn scalars_become_arrays_and_star_principal_expands() {
        let out = norm(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole",
                "Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"123"}}}}"#,
        );
        assert_eq!(
            out,
            serde_json::json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},
                "Action":["sts:AssumeRole"],"Resource":["*"],
                "Condition":{"StringEquals":{"aws:SourceAccount":["123"]}}}]})
        );
    }

    #[test]
    fn principal_values_become_arrays() {
        let out = norm(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"sagemaker.amazonaws.com"},"NotAction":["a","b"]}]}"#,
        );
        assert_eq!(
            out["Statement"][0]["Principal"]["Service"],
            serde_json::json!(["sagemaker.amazonaws.com"])
        );
        assert_eq!(
            out["Statement"][0]["NotAction"],
            serde_json::json!(["a", "b"])
        );
    }

    #[test]
    fn url_encoded_documents_are_decoded() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        let out = norm(&serde_json::to_string(encoded).expect("string"));
        assert_eq!(out["Statement"][0]["Action"], serde_json::json!(["s3:*"]));
        let plus = "%7B%22Statement%22%3A+%5B%5D%7D";
        let out = norm(&serde_json::to_string(plus).expect("string"));
        assert_eq!(out, serde_json::json!({"Statement": []}));
    }

    #[test]
    fn bad_documents_are_errors_with_paths() {
        let mut v =
            Value::from_json_str(r#"{"Statement":[{"Effect":"Allow","Action":5}]}"#).expect("json");
        let e = normalize_document(&mut v, &["x".to_string()]).expect_err("must fail");
        assert_eq!(e.path, vec!["x", "Statement", "0", "Action"]);
        let mut v = Value::from("not a policy %%");
        assert!(normalize_document(&mut v, &["x".to_string()]).is_err());
        let mut v =
            Value::from_json_str(r#"{"Statement":[{"Principal":"someone"}]}"#).expect("json");
        assert!(normalize_document(&mut v, &["x".to_string()]).is_err());
    }
}
