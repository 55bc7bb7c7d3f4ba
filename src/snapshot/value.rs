//! The snapshot as the policies see it: JSON read into a regorus value, with every string
//! shared.
//!
//! A collected account repeats the same strings over and over: object keys, and values such
//! as `"Allow"`, `"2012-10-17"`, `"tcp"`, region names, the account id, the ARNs of the few
//! managed policies and KMS keys that thousands of resources name. Reading them through one
//! table for the whole document stores each distinct string once (regorus strings are
//! reference-counted, so sharing is free for the policies), and arrays are kept at their
//! exact length. The table lives only while the document is read.

use regorus::Value;
use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::Arc;

/// Strings longer than this are not looked up: long strings (descriptions, documents as
/// text) rarely repeat, and hashing them costs more than it saves.
const MAX_SHARED_LEN: usize = 160;

struct Strings {
    seen: HashSet<Arc<str>>,
    /// One empty array and one empty object for all of them (regorus copies a shared value
    /// before changing it).
    empty_array: Value,
    empty_object: Value,
}

impl Default for Strings {
    fn default() -> Self {
        Strings {
            seen: HashSet::new(),
            empty_array: Value::new_array(),
            empty_object: Value::new_object(),
        }
    }
}

impl Strings {
    fn get(&mut self, s: &str) -> Value {
        if s.len() > MAX_SHARED_LEN {
            return Value::String(Arc::from(s));
        }
        if let Some(shared) = self.seen.get(s) {
            return Value::String(shared.clone());
        }
        let shared: Arc<str> = Arc::from(s);
        self.seen.insert(shared.clone());
        Value::String(shared)
    }
}

struct Seed<'a>(&'a mut Strings);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        if !v.is_finite() {
            return Err(E::custom(format!("invalid non-finite number: {v}")));
        }
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(self.0.get(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let strings = self.0;
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(Seed(&mut *strings))? {
            items.push(v);
        }
        if items.is_empty() {
            return Ok(strings.empty_array.clone());
        }
        items.shrink_to_fit();
        Ok(Value::from(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let strings = self.0;
        let mut fields = BTreeMap::new();
        while let Some(key) = map.next_key_seed(Key(&mut *strings))? {
            let value = map.next_value_seed(Seed(&mut *strings))?;
            fields.insert(key, value);
        }
        if fields.is_empty() {
            return Ok(strings.empty_object.clone());
        }
        // regorus stores the finished object as one sorted slice of its exact size.
        Ok(Value::from(fields))
    }
}

/// An object key: always a string.
struct Key<'a>(&'a mut Strings);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(self.0.get(s))
    }
}

/// Reads a JSON document from text.
pub fn from_str(text: &str) -> Result<Value, serde_json::Error> {
    let mut strings = Strings::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Seed(&mut strings).deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Reads a JSON document from a reader (buffer it).
pub fn from_reader(reader: impl std::io::Read) -> Result<Value, serde_json::Error> {
    let mut strings = Strings::default();
    let mut de = serde_json::Deserializer::from_reader(reader);
    let value = Seed(&mut strings).deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// A JSON document that is not valid (only after it was checked, if the file changed).
pub fn invalid(message: impl fmt::Display) -> serde_json::Error {
    serde_json::Error::custom(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_same_value_as_regorus() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for name in ["fixtures/lab-insecure.json", "fixtures/lab-hardened.json"] {
            let text = std::fs::read_to_string(root.join(name)).expect("fixture");
            let ours = from_str(&text).expect("parses");
            let theirs = Value::from_json_str(&text).expect("parses");
            assert_eq!(ours, theirs, "{name}");
            let streamed = from_reader(text.as_bytes()).expect("parses");
            assert_eq!(streamed, theirs, "{name}");
        }
        let odd = r#"{"a": [1, -2, 3.5, 1e300, null, true, "x", {"b": {}}], "a": "last", "é": "\u00e9\ud83d\ude00"}"#;
        assert_eq!(
            from_str(odd).expect("parses"),
            Value::from_json_str(odd).expect("parses")
        );
    }

    #[test]
    fn repeated_strings_are_shared() {
        let v = from_str(r#"[{"Effect": "Allow"}, {"Effect": "Allow"}]"#).expect("parses");
        let (Value::String(a), Value::String(b)) = (&v[0]["Effect"], &v[1]["Effect"]) else {
            panic!("strings expected");
        };
        assert!(Arc::ptr_eq(a, b));
    }

    #[test]
    fn trailing_garbage_is_an_error() {
        assert!(from_str("{} x").is_err());
        assert!(from_reader(&b"[1] ]"[..]).is_err());
    }
}
