//! From AWS SDK structs to snapshot JSON: the AWS API field names (PascalCase, as the AWS CLI
//! prints them), timestamps as RFC 3339 strings, enums as the strings the API sent.

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde_json::{Map, Value};

/// Builds one JSON object field by field. Absent scalars are left out; list fields are always
/// written (an empty list when the API sent none), as the AWS CLI prints them.
#[derive(Debug, Default)]
pub(crate) struct Obj(Map<String, Value>);

impl Obj {
    pub fn new() -> Obj {
        Obj(Map::new())
    }

    /// A string.
    pub fn s(mut self, key: &str, value: Option<&str>) -> Obj {
        if let Some(v) = value {
            self.0.insert(key.to_string(), Value::String(v.to_string()));
        }
        self
    }

    /// A boolean.
    pub fn b(mut self, key: &str, value: Option<bool>) -> Obj {
        if let Some(v) = value {
            self.0.insert(key.to_string(), Value::Bool(v));
        }
        self
    }

    /// An integer.
    pub fn n(mut self, key: &str, value: Option<impl Into<i64>>) -> Obj {
        if let Some(v) = value {
            self.0.insert(key.to_string(), Value::from(v.into()));
        }
        self
    }

    /// A floating-point number (written only when finite).
    pub fn f(mut self, key: &str, value: Option<f32>) -> Obj {
        if let Some(n) = value.and_then(|v| serde_json::Number::from_f64(f64::from(v))) {
            self.0.insert(key.to_string(), Value::Number(n));
        }
        self
    }

    /// A timestamp, as RFC 3339.
    pub fn t(mut self, key: &str, value: Option<&DateTime>) -> Obj {
        if let Some(v) = value {
            self.0.insert(key.to_string(), Value::String(time(v)));
        }
        self
    }

    /// An SDK enum, as the string the API sent (unknown values included).
    pub fn e<E: AsRef<str>>(self, key: &str, value: Option<&E>) -> Obj {
        self.s(key, value.map(AsRef::as_ref))
    }

    /// A nested value (left out when `None` or null).
    pub fn v(mut self, key: &str, value: Option<Value>) -> Obj {
        if let Some(v) = value.filter(|v| !v.is_null()) {
            self.0.insert(key.to_string(), v);
        }
        self
    }

    /// A list of strings (SDK enums included).
    pub fn strs<S: AsRef<str>>(mut self, key: &str, items: &[S]) -> Obj {
        let list = items
            .iter()
            .map(|s| Value::String(s.as_ref().to_string()))
            .collect();
        self.0.insert(key.to_string(), Value::Array(list));
        self
    }

    /// A list of objects.
    pub fn list<T>(mut self, key: &str, items: &[T], f: impl Fn(&T) -> Value) -> Obj {
        self.0
            .insert(key.to_string(), Value::Array(items.iter().map(f).collect()));
        self
    }

    /// A list of objects in a canonical order (by their JSON text): for lists whose API order
    /// means nothing and changes when an item is removed and added back (security group
    /// rules, network ACL entries, routes), so the same state gives the same snapshot.
    pub fn sorted_list<T>(mut self, key: &str, items: &[T], f: impl Fn(&T) -> Value) -> Obj {
        let mut list: Vec<Value> = items.iter().map(f).collect();
        list.sort_by_cached_key(Value::to_string);
        self.0.insert(key.to_string(), Value::Array(list));
        self
    }

    /// `Tags` as `[{Key, Value}]`, sorted by key.
    pub fn tags<'a>(
        self,
        tags: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>)>,
    ) -> Obj {
        self.tags_as("Tags", "Key", "Value", tags)
    }

    /// A tag list with the given field names (KMS spells them `TagKey`/`TagValue`), sorted by key.
    pub fn tags_as<'a>(
        mut self,
        field: &str,
        key: &str,
        value: &str,
        tags: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>)>,
    ) -> Obj {
        let mut pairs: Vec<(&str, Option<&str>)> = tags
            .into_iter()
            .filter_map(|(k, v)| Some((k?, v)))
            .collect();
        pairs.sort();
        let list = pairs
            .into_iter()
            .map(|(k, v)| Obj::new().s(key, Some(k)).s(value, v).build())
            .collect();
        self.0.insert(field.to_string(), Value::Array(list));
        self
    }

    /// Merges the fields of another object (its values win).
    pub fn merge(mut self, other: Value) -> Obj {
        if let Value::Object(map) = other {
            self.0.extend(map);
        }
        self
    }

    pub fn build(self) -> Value {
        Value::Object(self.0)
    }
}

/// RFC 3339, UTC (`2026-11-26T04:51:53Z`, with fractional seconds when the API sent them).
pub(crate) fn time(t: &DateTime) -> String {
    t.fmt(Format::DateTime)
        .unwrap_or_else(|_| t.secs().to_string())
}

/// Decodes a policy document as the AWS APIs return it: JSON text, or URL-encoded JSON text
/// (IAM). `None` when it is neither.
pub(crate) fn policy_document(text: &str) -> Option<Value> {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return v.is_object().then_some(v);
    }
    for candidate in [text.to_string(), text.replace('+', " ")] {
        if let Ok(decoded) = percent_encoding::percent_decode_str(&candidate).decode_utf8()
            && let Ok(v) = serde_json::from_str::<Value>(&decoded)
        {
            return v.is_object().then_some(v);
        }
    }
    tracing::warn!(
        "a policy document is neither JSON nor URL-encoded JSON; it is left out of the snapshot"
    );
    None
}

/// Sorts resource objects by a string field (their id or ARN).
pub(crate) fn sort_by_field(items: &mut [Value], field: &str) {
    items.sort_by(|a, b| {
        a[field]
            .as_str()
            .unwrap_or_default()
            .cmp(b[field].as_str().unwrap_or_default())
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_leave_out_absent_scalars_and_keep_lists() {
        let v = Obj::new()
            .s("A", Some("x"))
            .s("B", None)
            .b("C", Some(false))
            .n("D", Some(3i32))
            .n("E", None::<i32>)
            .strs("F", &[] as &[String])
            .tags([
                (Some("b"), Some("2")),
                (Some("a"), None),
                (None, Some("dropped")),
            ])
            .build();
        assert_eq!(
            v,
            json!({"A": "x", "C": false, "D": 3, "F": [], "Tags": [{"Key": "a"}, {"Key": "b", "Value": "2"}]})
        );
    }

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(
            time(&DateTime::from_secs(1_795_000_000)),
            "2026-11-18T11:06:40Z"
        );
    }

    #[test]
    fn policy_documents_decode_from_json_or_url_encoding() {
        let plain = r#"{"Version":"2012-10-17","Statement":[]}"#;
        assert_eq!(
            policy_document(plain),
            Some(json!({"Version": "2012-10-17", "Statement": []}))
        );
        let encoded = "%7B%22Version%22%3A%20%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        assert_eq!(
            policy_document(encoded),
            Some(json!({"Version": "2012-10-17", "Statement": []}))
        );
        let plus = "%7B%22Sid%22%3A+%22a+b%22%7D";
        assert_eq!(policy_document(plus), Some(json!({"Sid": "a b"})));
        assert_eq!(policy_document("not a policy"), None);
        assert_eq!(policy_document("[1]"), None);
    }
}
