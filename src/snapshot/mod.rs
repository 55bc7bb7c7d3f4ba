//! The snapshot: the versioned JSON document that is the contract between collection and
//! evaluation. Loading validates it, normalizes policy documents and indexes where each
//! resource starts, so findings can point at a line.

pub mod lines;
pub mod model;
pub mod normalize;
pub mod value;

use std::path::{Path, PathBuf};

pub use lines::LineIndex;
pub use model::{Gap, Metadata};

/// The snapshot format this mlguard reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read snapshot {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: not valid JSON: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}: `schema_version` is missing", path.display())]
    MissingVersion { path: PathBuf },
    #[error("{}:{line}: unknown schema_version {found} (this mlguard reads schema_version {SCHEMA_VERSION})", path.display())]
    UnknownVersion {
        path: PathBuf,
        line: u32,
        found: String,
    },
    #[error("{}:{line}:{column}: {field}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        field: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{}:{line}: {field}: {message}", path.display())]
    Document {
        path: PathBuf,
        field: String,
        line: u32,
        message: String,
    },
}

impl SnapshotError {
    /// A line of advice for the person who ran the command.
    pub fn hint(&self) -> String {
        match self {
            SnapshotError::Read { .. } => "check the path; `mlguard collect -o FILE` writes a snapshot".into(),
            SnapshotError::Syntax { .. } => {
                "the file is not complete JSON; was it truncated while being written? collect it again".into()
            }
            SnapshotError::MissingVersion { .. } => format!(
                "a snapshot starts with {{\"schema_version\": {SCHEMA_VERSION}, \"metadata\": {{...}}}}; run `mlguard schema` for the full format"
            ),
            SnapshotError::UnknownVersion { .. } => format!(
                "this snapshot was written by a different mlguard; collect it again with this one, or use an mlguard that reads it (this one reads schema_version {SCHEMA_VERSION})"
            ),
            SnapshotError::Invalid { .. } | SnapshotError::Document { .. } => {
                "resources keep the AWS API field names and types (as the AWS CLI prints them); run `mlguard schema` for the format".into()
            }
        }
    }
}

/// A validated, normalized snapshot ready for evaluation.
#[derive(Debug, Clone)]
pub struct LoadedSnapshot {
    /// Where it was read from, as given (used in reports); `None` for a collected snapshot
    /// that was never written.
    pub source: Option<PathBuf>,
    pub metadata: Metadata,
    pub gaps: Vec<Gap>,
    /// The normalized document, as the policies see it (`input`).
    pub input: regorus::Value,
    pub lines: LineIndex,
    /// Size of the JSON text.
    pub bytes: usize,
}

impl LoadedSnapshot {
    /// The name reports use for the snapshot file.
    pub fn display_name(&self) -> String {
        self.source
            .as_ref()
            .map(|p| p.display().to_string().replace('\\', "/"))
            .unwrap_or_else(|| "snapshot.json".to_string())
    }
}

/// Reads and loads a snapshot file.
///
/// The file is read three times through the same open handle, each pass holding only what
/// it needs: as text, to check its version and index its lines; streamed, to check the
/// types of the fields mlguard reads; streamed again into the policies' input, its policy
/// documents normalized and its repeated values shared as they are read
/// ([`value`]). The text, the typed view and the input are never in memory together.
pub fn load_file(path: &Path) -> Result<LoadedSnapshot, SnapshotError> {
    use std::io::{Read, Seek};
    let read_error = |source| SnapshotError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(read_error)?;
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(read_error)?;
    check_version(&text, path)?;
    let lines = LineIndex::build(&text);
    let bytes = text.len();
    drop(text);
    let changed = || SnapshotError::Read {
        path: path.to_path_buf(),
        source: std::io::Error::other("the file changed while it was being read"),
    };
    // serde_json reads byte by byte: handed a `BufReader` itself (not a reference, not a
    // wrapper) it takes each byte straight from the buffer. The count sits under the buffer.
    let buffered = |count| {
        std::io::BufReader::with_capacity(
            1 << 18,
            Counted {
                inner: &file,
                count,
            },
        )
    };
    let count = std::cell::Cell::new(0);
    (&file).rewind().map_err(read_error)?;
    let (metadata, gaps) = check_types(
        &mut serde_json::Deserializer::from_reader(buffered(&count)),
        path,
    )?;
    if count.get() != bytes {
        return Err(changed());
    }
    let checked = Checked {
        metadata,
        gaps,
        lines,
    };
    let count = std::cell::Cell::new(0);
    (&file).rewind().map_err(read_error)?;
    let input = value::snapshot_from_reader(buffered(&count))
        .map_err(|e| read_failed(path, &checked.lines, e))?;
    if count.get() != bytes {
        return Err(changed());
    }
    let mut snap = finish(checked, input, bytes);
    snap.source = Some(path.to_path_buf());
    Ok(snap)
}

/// Counts the bytes read through it.
struct Counted<'a, R> {
    inner: R,
    count: &'a std::cell::Cell<usize>,
}

impl<R: std::io::Read> std::io::Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n);
        Ok(n)
    }
}

#[derive(serde::Deserialize)]
struct VersionProbe {
    schema_version: Option<serde_json::Value>,
}

/// What checking the text yields: the typed parts mlguard reads itself, and the line index.
struct Checked {
    metadata: Metadata,
    gaps: Vec<Gap>,
    lines: LineIndex,
}

/// Loads a snapshot from its JSON text; `name` is used in error messages.
pub fn load_str(text: &str, name: &Path) -> Result<LoadedSnapshot, SnapshotError> {
    let checked = check(text, name)?;
    let input = value::snapshot_from_str(text).map_err(|e| read_failed(name, &checked.lines, e))?;
    Ok(finish(checked, input, text.len()))
}

/// Checks the text: well-formed JSON, a version mlguard reads, and the types of the fields
/// it reads (with the path and position of the first mistake); and indexes its lines.
fn check(text: &str, name: &Path) -> Result<Checked, SnapshotError> {
    check_version(text, name)?;
    let (metadata, gaps) = check_types(&mut serde_json::Deserializer::from_str(text), name)?;
    Ok(Checked {
        metadata,
        gaps,
        lines: LineIndex::build(text),
    })
}

/// 1. Well-formed JSON, and a version we read, before anything else.
fn check_version(text: &str, name: &Path) -> Result<(), SnapshotError> {
    let path = name.to_path_buf();
    let probe: VersionProbe =
        serde_json::from_str(text).map_err(|e| syntax_or_invalid(&path, e, "(document)"))?;
    match probe.schema_version {
        None => Err(SnapshotError::MissingVersion { path }),
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(u64::from(SCHEMA_VERSION)) => {
            Ok(())
        }
        Some(other) => {
            let line = text
                .find("\"schema_version\"")
                .map(|at| text[..at].matches('\n').count() as u32 + 1)
                .unwrap_or(1);
            Err(SnapshotError::UnknownVersion {
                path,
                line,
                found: other.to_string(),
            })
        }
    }
}

/// 2. Types of the fields mlguard reads, with the path and position of the first mistake.
///
/// The typed view is dropped here: only metadata and gaps are kept.
fn check_types<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    name: &Path,
) -> Result<(Metadata, Vec<Gap>), SnapshotError> {
    let typed: model::Snapshot = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let field = e.path().to_string();
        syntax_or_invalid(name, e.into_inner(), &field)
    })?;
    de.end()
        .map_err(|e| syntax_or_invalid(name, e, "(document)"))?;
    Ok((typed.metadata, typed.gaps))
}

/// 3. The document as the policies see it: normalized in place.
fn finish(checked: Checked, input: regorus::Value, bytes: usize) -> LoadedSnapshot {
    let Checked {
        metadata,
        gaps,
        lines,
    } = checked;
    LoadedSnapshot {
        source: None,
        metadata,
        gaps,
        input,
        lines,
        bytes,
    }
}

/// The JSON checked, reading it as the policies see it can still fail on a policy document.
fn read_failed(path: &Path, lines: &LineIndex, e: value::ReadError) -> SnapshotError {
    match e {
        value::ReadError::Json(e) => syntax_or_invalid(path, e, "(document)"),
        value::ReadError::Document(e) => SnapshotError::Document {
            path: path.to_path_buf(),
            line: lines.line_of(&e.path).unwrap_or(1),
            field: e.path.join("."),
            message: e.message,
        },
    }
}

fn syntax_or_invalid(path: &Path, e: serde_json::Error, field: &str) -> SnapshotError {
    use serde_json::error::Category;
    let message = e.to_string();
    // serde_json appends " at line L column C"; the error carries both separately.
    let message = message
        .rsplit_once(" at line ")
        .map(|(m, _)| m.to_string())
        .unwrap_or(message);
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => SnapshotError::Syntax {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message,
        },
        Category::Data => SnapshotError::Invalid {
            path: path.to_path_buf(),
            field: field.to_string(),
            line: e.line(),
            column: e.column(),
            message,
        },
    }
}

/// The JSON Schema of the snapshot format (`mlguard schema`, `docs/snapshot.schema.json`).
pub fn json_schema() -> serde_json::Value {
    let mut schema =
        serde_json::to_value(schemars::schema_for!(model::Snapshot)).unwrap_or_default();
    if let Some(obj) = schema.as_object_mut() {
        obj.insert(
            "$id".into(),
            "https://mlguard.dev/schemas/snapshot-v1.json".into(),
        );
        obj.insert("title".into(), "mlguard snapshot, schema_version 1".into());
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<LoadedSnapshot, SnapshotError> {
        load_str(text, Path::new("snap.json"))
    }

    const MINIMAL: &str = r#"{"schema_version": 1, "metadata": {"account_id": "123456789012"}}"#;

    #[test]
    fn minimal_snapshot_loads() {
        let s = load(MINIMAL).expect("loads");
        assert_eq!(s.metadata.account_id, "123456789012");
        assert_eq!(s.metadata.partition, "aws");
    }

    #[test]
    fn truncated_json_names_position() {
        let e = load("{\"schema_version\": 1,\n \"metadata\": {").expect_err("fails");
        assert!(matches!(e, SnapshotError::Syntax { line: 2, .. }), "{e}");
        assert!(e.to_string().starts_with("snap.json:2:"), "{e}");
    }

    #[test]
    fn version_is_checked_first() {
        assert!(matches!(
            load(r#"{"metadata": {}}"#),
            Err(SnapshotError::MissingVersion { .. })
        ));
        let e = load("{\n\"schema_version\": 2, \"iam\": 5}").expect_err("fails");
        assert!(
            matches!(e, SnapshotError::UnknownVersion { line: 2, .. }),
            "{e}"
        );
        assert!(matches!(
            load(r#"{"schema_version": "1"}"#),
            Err(SnapshotError::UnknownVersion { .. })
        ));
    }

    #[test]
    fn wrong_type_names_field_and_position() {
        let text = r#"{"schema_version": 1, "metadata": {"account_id": "1"},
"regions": {"us-east-1": {"ec2": {"security_groups": [{"GroupId": "sg-1", "GroupName": "a",
  "IpPermissions": [{"IpProtocol": "tcp", "FromPort": "22"}]}]}}}}"#;
        let e = load(text).expect_err("fails");
        let msg = e.to_string();
        assert!(
            msg.contains("regions.us-east-1.ec2.security_groups[0].IpPermissions[0].FromPort"),
            "{msg}"
        );
        assert!(msg.starts_with("snap.json:3:"), "{msg}");
    }

    #[test]
    fn bad_policy_document_names_field_and_line() {
        let text = "{\"schema_version\": 1, \"metadata\": {\"account_id\": \"1\"},\n\"iam\": {\"roles\": [\n{\"RoleName\": \"r\", \"Arn\": \"arn:aws:iam::1:role/r\",\n \"AssumeRolePolicyDocument\": {\"Statement\": [{\"Action\": 3}]}}]}}";
        let e = load(text).expect_err("fails");
        assert!(matches!(e, SnapshotError::Document { line: 3, .. }), "{e}");
        assert!(
            e.to_string()
                .contains("iam.roles.0.AssumeRolePolicyDocument.Statement.0.Action"),
            "{e}"
        );
    }

    #[test]
    fn unknown_top_level_key_is_refused() {
        let e = load(r#"{"schema_version": 1, "metadata": {"account_id": "1"}, "iamm": {}}"#)
            .expect_err("fails");
        assert!(e.to_string().contains("unknown field `iamm`"), "{e}");
    }
}
