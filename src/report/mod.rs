//! Reports: each format implements [`Emitter`] over the same [`AuditReport`].

pub mod asff;
pub mod compliance;
pub mod csv;
pub(crate) mod escape;
pub mod html;
pub mod json;
pub mod ocsf;
pub mod sarif;
pub mod table;

use crate::audit::AuditReport;
use crate::findings::Severity;
use std::io::Write;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write report: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot serialize report: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write the CSV report: {0}")]
    Csv(#[from] ::csv::Error),
    #[error("{0}")]
    Evidence(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Terminal tables grouped by pillar.
    Table,
    /// Versioned JSON (docs/report-json.md).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// OCSF 1.3 Compliance Findings (class 2003), a JSON array, for Amazon Security Lake and SIEMs.
    Ocsf,
    /// AWS Security Finding Format, a JSON array for Security Hub's BatchImportFindings.
    Asff,
    /// One self-contained HTML page with scores, filters and remediation.
    Html,
    /// Framework evidence, one row per (control, rule, resource) (docs/frameworks.md).
    Csv,
}

impl Format {
    pub const ALL: &'static [Format] = &[
        Format::Table,
        Format::Json,
        Format::Sarif,
        Format::Ocsf,
        Format::Asff,
        Format::Html,
        Format::Csv,
    ];

    /// One line for `--help`.
    pub fn description(self) -> &'static str {
        match self {
            Format::Table => "Terminal tables grouped by pillar",
            Format::Json => "Versioned JSON (docs/report-json.md)",
            Format::Sarif => "SARIF 2.1.0 for GitHub code scanning",
            Format::Ocsf => {
                "OCSF 1.3 Compliance Findings (class 2003), a JSON array, for Amazon Security Lake and SIEMs"
            }
            Format::Asff => {
                "AWS Security Finding Format, a JSON array for Security Hub's BatchImportFindings"
            }
            Format::Html => "One self-contained HTML page with scores, filters and remediation",
            Format::Csv => {
                "Framework evidence, one row per (control, rule, resource) (docs/frameworks.md)"
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Ocsf => "ocsf",
            Format::Asff => "asff",
            Format::Html => "html",
            Format::Csv => "csv",
        }
    }
}

/// What emitters need beyond the report itself.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// ANSI colours in the table.
    pub color: bool,
    /// The `--fail-on` threshold (`None`: never fail).
    pub fail_on: Option<Severity>,
    pub tool_version: &'static str,
    /// Most results one SARIF run holds (GitHub code scanning rejects more than 25,000).
    pub sarif_max_results: usize,
    /// `--framework` (or `--format csv`): framework evidence, shown in the table, JSON,
    /// HTML and CSV.
    pub evidence: Option<std::sync::Arc<compliance::Evidence>>,
    /// `--fix-cost`: what the remediation plan of the findings adds to the monthly bill,
    /// shown in the table and HTML.
    pub fix_cost: Option<std::sync::Arc<crate::remediate::cost::FixCost>>,
}

impl Default for Ctx {
    fn default() -> Self {
        Ctx {
            color: false,
            fail_on: Some(Severity::High),
            tool_version: env!("CARGO_PKG_VERSION"),
            sarif_max_results: sarif::GITHUB_MAX_RESULTS,
            evidence: None,
            fix_cost: None,
        }
    }
}

/// Writes `value` as pretty JSON and a final newline: the body of every JSON emitter.
pub(crate) fn emit_json<T: serde::Serialize>(
    out: &mut dyn Write,
    value: &T,
) -> Result<(), ReportError> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Writes the items as a pretty JSON array and a final newline, byte for byte as
/// [`emit_json`] writes the same items collected, but one item at a time: a report with
/// hundreds of thousands of findings is never in memory as a whole.
pub(crate) fn emit_json_array<T: serde::Serialize>(
    out: &mut dyn Write,
    items: impl ExactSizeIterator<Item = T>,
) -> Result<(), ReportError> {
    struct Items<I>(std::cell::RefCell<Option<I>>);
    impl<I: ExactSizeIterator<Item = T>, T: serde::Serialize> serde::Serialize for Items<I> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use serde::ser::Error as _;
            let items = self
                .0
                .borrow_mut()
                .take()
                .ok_or_else(|| S::Error::custom("items already written"))?;
            serializer.collect_seq(items)
        }
    }
    emit_json(out, &Items(std::cell::RefCell::new(Some(items))))
}

pub trait Emitter {
    fn emit(&self, out: &mut dyn Write, report: &AuditReport, ctx: &Ctx)
    -> Result<(), ReportError>;
}

pub fn emitter(format: Format) -> Box<dyn Emitter> {
    match format {
        Format::Table => Box::new(table::Table),
        Format::Json => Box::new(json::JsonV1),
        Format::Sarif => Box::new(sarif::Sarif),
        Format::Ocsf => Box::new(ocsf::Ocsf),
        Format::Asff => Box::new(asff::Asff),
        Format::Html => Box::new(html::Html),
        Format::Csv => Box::new(csv::Csv),
    }
}

/// Renders a report to bytes.
pub fn render(format: Format, report: &AuditReport, ctx: &Ctx) -> Result<Vec<u8>, ReportError> {
    let mut buf = Vec::new();
    emitter(format).emit(&mut buf, report, ctx)?;
    Ok(buf)
}

#[cfg(test)]
use crate::io::parse_file_mode;
pub use crate::io::{
    Access, AtomicFile, FILE_MODE_ENV, account_data_mode, open_options, write_atomic,
    write_atomic_as,
};

/// The region findings about global resources (IAM) are filed under in formats that need a
/// real one (ASFF, OCSF): the first region collected, else `us-east-1`.
pub fn home_region(report: &AuditReport) -> &str {
    report
        .metadata
        .regions
        .first()
        .map_or("us-east-1", String::as_str)
}

/// The snapshot's `collected_at` as RFC 3339 UTC (`2026-11-26T00:00:00Z`); the Unix epoch
/// when it is missing or unreadable, so the output stays deterministic.
pub fn collected_at(report: &AuditReport) -> chrono::DateTime<chrono::Utc> {
    report
        .metadata
        .collected_at
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map_or(chrono::DateTime::UNIX_EPOCH, |t| {
            t.with_timezone(&chrono::Utc)
        })
}

/// At most `max` characters of `text`, ending in `…` when cut.
pub fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_modes_are_octal_up_to_0777() {
        assert_eq!(super::parse_file_mode("0600"), Some(0o600));
        assert_eq!(super::parse_file_mode("640"), Some(0o640));
        assert_eq!(super::parse_file_mode("0o644"), Some(0o644));
        assert_eq!(super::parse_file_mode(" 0777 "), Some(0o777));
        for bad in [
            "",
            "0o",
            "rw-------",
            "0800",
            "1777",
            "01000",
            "-600",
            "06000",
        ] {
            assert_eq!(super::parse_file_mode(bad), None, "{bad:?}");
        }
    }

    use super::*;

    #[test]
    fn truncates_on_characters() {
        assert_eq!(truncate_chars("abc", 3), "abc");
        assert_eq!(truncate_chars("abcd", 3), "ab…");
        assert_eq!(truncate_chars("ééééé", 4).chars().count(), 4);
    }

    #[test]
    fn streamed_arrays_are_written_as_whole_ones() {
        let render = |items: &[serde_json::Value]| {
            let mut whole = Vec::new();
            emit_json(&mut whole, &items).expect("writes");
            let mut streamed = Vec::new();
            emit_json_array(&mut streamed, items.iter()).expect("writes");
            (
                String::from_utf8(whole).expect("utf-8"),
                String::from_utf8(streamed).expect("utf-8"),
            )
        };
        for items in [
            vec![],
            vec![serde_json::json!({"a": [1, {"b": null}], "c": "é"})],
            vec![
                serde_json::json!(1),
                serde_json::json!({}),
                serde_json::json!([]),
            ],
        ] {
            let (whole, streamed) = render(&items);
            assert_eq!(streamed, whole);
        }
    }
}
