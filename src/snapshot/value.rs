//! The snapshot as the policies see it: JSON read into a regorus value in which every
//! distinct string, object and array is stored once.
//!
//! A collected account repeats the same strings over and over: object keys, and values such
//! as `"Allow"`, `"2012-10-17"`, `"tcp"`, region names, the account id, the ARNs of the few
//! managed policies and KMS keys that thousands of resources name. It repeats whole values
//! too: tags, trust-policy statements, conditions, principals, security-group rules,
//! encryption settings. regorus values are reference-counted, immutable (a change copies)
//! and compared by content, so one copy can stand for all of them and the policies see the
//! same document.
//!
//! Sharing happens as the document is read, bottom up: a value's children are shared before
//! it is, so two equal values have the very same children, and finding an equal value seen
//! before hashes and compares one level only (children by address). The tables live only
//! while the document is read. Reading a snapshot also normalizes its policy documents
//! ([`super::normalize`]) where they stand, each before it is shared, so the whole document
//! never exists twice.
use super::normalize::{self, DocumentError};
use regorus::Value;
use serde::de::{DeserializeSeed, Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Strings longer than this are not looked up: long strings (descriptions, documents as
/// text) rarely repeat, and hashing them costs more than it saves. Values holding them are
/// still shared (such strings are compared by content).
const MAX_SHARED_LEN: usize = 160;

/// What went wrong reading a document.
#[derive(Debug)]
pub enum ReadError {
    /// Not JSON (syntax, or the input ended).
    Json(serde_json::Error),
    /// A policy document of the snapshot that is not a valid IAM policy document.
    Document(DocumentError),
}

impl From<serde_json::Error> for ReadError {
    fn from(e: serde_json::Error) -> ReadError {
        ReadError::Json(e)
    }
}

/// Every distinct string and every distinct object or array read so far.
#[derive(Default)]
struct Table {
    strings: HashSet<Arc<str>>,
    /// Hashed mostly from addresses and numbers, with a fast hash seeded per process (the
    /// strings, whose content comes from the account, keep std's keyed hash).
    nodes: HashSet<Node, foldhash::fast::RandomState>,
}

impl Table {
    fn string(&mut self, s: &str) -> Value {
        self.string_or(s, || Arc::from(s))
    }

    /// The string equal to `s` seen before, or `made()` (kept for the next time).
    fn string_or(&mut self, s: &str, made: impl FnOnce() -> Arc<str>) -> Value {
        if s.len() > MAX_SHARED_LEN {
            return Value::String(made());
        }
        if let Some(shared) = self.strings.get(s) {
            return Value::String(shared.clone());
        }
        let shared = made();
        self.strings.insert(shared.clone());
        Value::String(shared)
    }

    /// The value equal to `value` seen before, or `value` (whose children are shared).
    fn node(&mut self, value: Value) -> Value {
        let node = Node(value);
        if let Some(shared) = self.nodes.get(&node) {
            return shared.0.clone();
        }
        let value = node.0.clone();
        self.nodes.insert(node);
        value
    }

    /// Shares a value built elsewhere, all the way down.
    fn share(&mut self, value: Value) -> Value {
        match value {
            Value::String(s) => {
                let text = s.clone();
                self.string_or(&text, || s)
            }
            Value::Array(items) => {
                let items: Vec<Value> = Arc::unwrap_or_clone(items)
                    .into_iter()
                    .map(|v| self.share(v))
                    .collect();
                self.node(Value::from(items))
            }
            Value::Object(fields) => {
                let fields: BTreeMap<Value, Value> = Arc::unwrap_or_clone(fields)
                    .into_iter()
                    .map(|(k, v)| (self.share(k), self.share(v)))
                    .collect();
                self.node(Value::from(fields))
            }
            other => other,
        }
    }
}

/// An object or array whose children are shared: equal when its children are the same.
struct Node(Value);

impl Hash for Node {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match &self.0 {
            Value::Array(items) => {
                0u8.hash(state);
                items.len().hash(state);
                for item in items.iter() {
                    hash_child(item, state);
                }
            }
            Value::Object(fields) => {
                1u8.hash(state);
                fields.len().hash(state);
                for (k, v) in fields.iter() {
                    hash_child(k, state);
                    hash_child(v, state);
                }
            }
            other => hash_child(other, state),
        }
    }
}

impl PartialEq for Node {
    fn eq(&self, other: &Node) -> bool {
        match (&self.0, &other.0) {
            (Value::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| same_child(x, y))
            }
            (Value::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b.iter())
                        .all(|((ka, va), (kb, vb))| same_child(ka, kb) && same_child(va, vb))
            }
            (a, b) => same_child(a, b),
        }
    }
}

impl Eq for Node {}

fn hash_child<H: Hasher>(value: &Value, state: &mut H) {
    match value {
        Value::Null => 0u8.hash(state),
        Value::Bool(b) => (1u8, b).hash(state),
        // Numbers equal as Rego numbers (1 and 1.0) hash the same.
        Value::Number(n) => {
            let bits = n.as_f64().map(|f| if f == 0.0 { 0 } else { f.to_bits() });
            (2u8, bits).hash(state);
        }
        Value::String(s) if s.len() > MAX_SHARED_LEN => (3u8, &**s).hash(state),
        Value::String(s) => (3u8, Arc::as_ptr(s).cast::<u8>() as usize).hash(state),
        Value::Array(a) => (4u8, Arc::as_ptr(a) as usize).hash(state),
        Value::Set(s) => (5u8, Arc::as_ptr(s) as usize).hash(state),
        Value::Object(o) => (6u8, Arc::as_ptr(o) as usize).hash(state),
        Value::Undefined => 7u8.hash(state),
    }
}

/// The same shared child: by address for shared strings, arrays, sets and objects.
fn same_child(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => {
            Arc::ptr_eq(x, y) || (x.len() > MAX_SHARED_LEN && x == y)
        }
        (Value::Array(x), Value::Array(y)) => Arc::ptr_eq(x, y),
        (Value::Set(x), Value::Set(y)) => Arc::ptr_eq(x, y),
        (Value::Object(x), Value::Object(y)) => Arc::ptr_eq(x, y),
        (Value::Null | Value::Bool(_) | Value::Number(_) | Value::Undefined, _) => a == b,
        _ => false,
    }
}

/// One step of the path from the root to the value being read.
enum Step {
    Key(Arc<str>),
    Index(usize),
}

struct State {
    table: Table,
    /// Normalize the policy documents of a snapshot ([`normalize::DOCUMENTS`]).
    snapshot: bool,
    /// How deep the value being read is.
    depth: usize,
    /// The path to it while it can still lead to a policy document (no deeper than the
    /// longest place in [`normalize::DOCUMENTS`]).
    path: Vec<Step>,
    tracked: usize,
    /// Reading a policy document: it is shared once it is normalized.
    in_document: bool,
    /// The invalid policy document that stopped the read.
    document_error: Option<DocumentError>,
}

impl State {
    fn new(snapshot: bool) -> State {
        State {
            table: Table::default(),
            snapshot,
            depth: 0,
            path: Vec::new(),
            tracked: normalize::DOCUMENTS
                .iter()
                .map(|p| p.len())
                .max()
                .unwrap_or(0),
            in_document: false,
            document_error: None,
        }
    }

    /// An object or array just read.
    fn finish(&mut self, value: Value) -> Value {
        if self.in_document {
            value
        } else {
            self.table.node(value)
        }
    }

    fn enter(&mut self, step: impl FnOnce() -> Step) {
        if self.snapshot
            && !self.in_document
            && self.path.len() == self.depth
            && self.depth < self.tracked
        {
            self.path.push(step());
        }
        self.depth += 1;
    }

    fn leave(&mut self) {
        self.depth -= 1;
        if self.path.len() > self.depth {
            self.path.pop();
        }
    }

    /// At one of [`normalize::DOCUMENTS`]. The path is whole only in a snapshot, outside
    /// documents and no deeper than a document can be, so this is false anywhere else.
    fn at_document(&self) -> bool {
        self.path.len() == self.depth
            && normalize::DOCUMENTS.iter().any(|pattern| {
                pattern.len() == self.path.len()
                    && pattern.iter().zip(&self.path).all(|(p, step)| match step {
                        Step::Key(k) => *p == "*" || **k == **p,
                        Step::Index(_) => *p == "*",
                    })
            })
    }

    fn path_strings(&self) -> Vec<String> {
        self.path
            .iter()
            .map(|step| match step {
                Step::Key(k) => k.to_string(),
                Step::Index(i) => i.to_string(),
            })
            .collect()
    }
}

struct Seed<'a>(&'a mut State);

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
        Ok(self.0.table.string(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let state = self.0;
        let mut items = Vec::new();
        loop {
            let index = items.len();
            state.enter(|| Step::Index(index));
            let item = seq.next_element_seed(Seed(&mut *state))?;
            state.leave();
            match item {
                Some(v) => items.push(v),
                None => break,
            }
        }
        items.shrink_to_fit();
        Ok(state.finish(Value::from(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let state = self.0;
        let mut fields = BTreeMap::new();
        while let Some(key) = map.next_key_seed(Key(&mut *state))? {
            let Value::String(name) = &key else {
                return Err(A::Error::custom("object keys are strings"));
            };
            state.enter(|| Step::Key(name.clone()));
            let value = if state.at_document() {
                state.in_document = true;
                let read = map.next_value_seed(Seed(&mut *state));
                state.in_document = false;
                let mut document = read?;
                if let Err(e) = normalize::normalize_document(&mut document, &state.path_strings())
                {
                    state.document_error = Some(e);
                    return Err(A::Error::custom("invalid policy document"));
                }
                state.table.share(document)
            } else {
                map.next_value_seed(Seed(&mut *state))?
            };
            state.leave();
            fields.insert(key, value);
        }
        // regorus stores the finished object as one sorted slice of its exact size.
        Ok(state.finish(Value::from(fields)))
    }
}

/// An object key: always a string.
struct Key<'a>(&'a mut State);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for Key<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(self.0.table.string(s))
    }
}

fn read<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
    snapshot: bool,
) -> Result<Value, ReadError> {
    let mut state = State::new(snapshot);
    let value =
        Seed(&mut state)
            .deserialize(&mut de)
            .map_err(|e| match state.document_error.take() {
                Some(document) => ReadError::Document(document),
                None => ReadError::Json(e),
            })?;
    de.end()?;
    Ok(value)
}

/// Reads a JSON document from text (any document: nothing is normalized).
#[cfg(test)]
fn from_str(text: &str) -> Result<Value, serde_json::Error> {
    read(serde_json::Deserializer::from_str(text), false).map_err(|e| match e {
        ReadError::Json(e) => e,
        // Only a snapshot's documents are checked.
        ReadError::Document(d) => serde_json::Error::custom(d.message),
    })
}

/// Reads a snapshot from text, normalizing its policy documents.
pub fn snapshot_from_str(text: &str) -> Result<Value, ReadError> {
    read(serde_json::Deserializer::from_str(text), true)
}

/// Reads a snapshot from a reader (buffer it), normalizing its policy documents.
pub fn snapshot_from_reader(reader: impl std::io::Read) -> Result<Value, ReadError> {
    read(serde_json::Deserializer::from_reader(reader), true)
}

/// Stores each distinct string, object and array of `value` once.
#[cfg(test)]
fn share(value: Value) -> Value {
    Table::default().share(value)
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
        }
        let odd = r#"{"a": [1, -2, 3.5, 1e300, null, true, "x", {"b": {}}], "a": "last", "é": "\u00e9\ud83d\ude00"}"#;
        assert_eq!(
            from_str(odd).expect("parses"),
            Value::from_json_str(odd).expect("parses")
        );
    }

    /// Every snapshot under fixtures/: read as regorus reads it and then normalized, or
    /// normalized as it is read, the same value (text or streamed).
    #[test]
    fn snapshots_read_normalized_equal_normalized_after_reading() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut files = Vec::new();
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("fixtures") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "json") {
                    files.push(path);
                }
            }
        }
        let mut documents = 0;
        for path in &files {
            let text = std::fs::read_to_string(path).expect("fixture");
            let Ok(mut reference) = Value::from_json_str(&text) else {
                continue;
            };
            if !matches!(&reference["schema_version"], Value::Number(_)) {
                continue;
            }
            let expected = normalize::normalize_snapshot(&mut reference);
            let ours = snapshot_from_str(&text);
            let streamed = snapshot_from_reader(text.as_bytes());
            match (expected, ours, streamed) {
                (Ok(()), Ok(ours), Ok(streamed)) => {
                    assert_eq!(ours, reference, "{}", path.display());
                    assert_eq!(streamed, reference, "{}", path.display());
                    documents += 1;
                }
                (Err(e), Err(ReadError::Document(a)), Err(ReadError::Document(b))) => {
                    assert_eq!(a, e, "{}", path.display());
                    assert_eq!(b, e, "{}", path.display());
                }
                (e, a, b) => panic!("{}: {e:?} / {a:?} / {b:?}", path.display()),
            }
        }
        assert!(documents > 50, "only {documents} snapshots read");
    }

    #[test]
    fn an_invalid_document_names_its_path() {
        let text = r#"{"schema_version": 1, "iam": {"roles": [{}, {"AssumeRolePolicyDocument":
            {"Statement": [{"Effect": "Allow", "Action": 5}]}}]}}"#;
        let Err(ReadError::Document(e)) = snapshot_from_str(text) else {
            panic!("a document error expected");
        };
        assert_eq!(
            e.path,
            [
                "iam",
                "roles",
                "1",
                "AssumeRolePolicyDocument",
                "Statement",
                "0",
                "Action"
            ]
        );
        // Elsewhere the same value is no policy document.
        let text = r#"{"iam": {"users": [{"AssumeRolePolicyDocument": {"Statement": 5}}]}}"#;
        assert!(snapshot_from_str(text).is_ok());
    }

    #[test]
    fn sharing_keeps_the_document_and_shares_repeated_values() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let text =
            std::fs::read_to_string(root.join("fixtures/lab-insecure.json")).expect("fixture");
        let original = Value::from_json_str(&text).expect("parses");
        assert_eq!(share(original.clone()), original);
        assert_eq!(from_str(&text).expect("parses"), original);

        // Numbers, booleans and nulls count; 1 and 1.0 are the same Rego number.
        let v = from_str(
                r#"[{"Tags": [{"Key": "team", "Value": "ml"}], "Port": 443, "On": true, "X": null},
                    {"On": true, "Port": 443, "Tags": [{"Key": "team", "Value": "ml"}], "X": null},
                    {"Tags": [{"Key": "team", "Value": "ml"}], "Port": 443.0, "On": true, "X": null},
                    {"Tags": [{"Key": "team", "Value": "ml"}], "Port": 80, "On": true, "X": null},
                    {"Tags": [{"Key": "team", "Value": "ML"}], "Port": 443, "On": true, "X": null},
                    [], [], {}, {}]"#,
        )
        .expect("parses");
        let ptr = |v: &Value| match v {
            Value::Object(o) => Arc::as_ptr(o) as usize,
            Value::Array(a) => Arc::as_ptr(a) as usize,
            _ => panic!("object or array expected"),
        };
        assert_eq!(ptr(&v[0]), ptr(&v[1]));
        assert_eq!(ptr(&v[0]), ptr(&v[2]));
        assert_ne!(ptr(&v[0]), ptr(&v[3]));
        assert_ne!(ptr(&v[0]), ptr(&v[4]));
        assert_eq!(ptr(&v[0]["Tags"]), ptr(&v[3]["Tags"]));
        assert_ne!(ptr(&v[0]["Tags"]), ptr(&v[4]["Tags"]));
        assert_eq!(ptr(&v[5]), ptr(&v[6]));
        assert_eq!(ptr(&v[7]), ptr(&v[8]));
        assert_eq!(v[3]["Port"], Value::from(80u64));

        // A shared value changed through one path leaves the others as they were.
        let mut v = v;
        let item = v.as_array_mut().expect("array").get_mut(1).expect("item");
        let tags = item.as_object_mut().expect("object");
        let tags = tags.get_mut(&Value::from("Tags")).expect("tags");
        let tag = tags.as_array_mut().expect("array").get_mut(0).expect("tag");
        tag.as_object_mut()
            .expect("object")
            .insert(Value::from("Value"), Value::from("changed"));
        assert_eq!(v[0]["Tags"][0]["Value"], Value::from("ml"));
        assert_eq!(v[1]["Tags"][0]["Value"], Value::from("changed"));
    }

    #[test]
    fn trailing_garbage_is_an_error() {
        assert!(from_str("{} x").is_err());
        assert!(snapshot_from_reader(&b"[1] ]"[..]).is_err());
    }
}
