//! Reports: each format implements [`Emitter`] over the same [`AuditReport`].

pub mod json;
pub mod sarif;
pub mod table;

use crate::audit::AuditReport;
use crate::findings::Severity;
use std::io::Write;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write report: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot serialize report: {0}")]
    Json(#[from] serde_json::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Terminal tables grouped by pillar.
    Table,
    /// Versioned JSON (docs/report-json.md).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
}

/// What emitters need beyond the report itself.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// ANSI colours in the table.
    pub color: bool,
    /// The `--fail-on` threshold (`None`: never fail).
    pub fail_on: Option<Severity>,
    pub tool_version: &'static str,
}

impl Default for Ctx {
    fn default() -> Self {
        Ctx {
            color: false,
            fail_on: Some(Severity::High),
            tool_version: env!("CARGO_PKG_VERSION"),
        }
    }
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
    }
}

/// Renders a report to bytes.
pub fn render(format: Format, report: &AuditReport, ctx: &Ctx) -> Result<Vec<u8>, ReportError> {
    let mut buf = Vec::new();
    emitter(format).emit(&mut buf, report, ctx)?;
    Ok(buf)
}

/// Writes a file atomically: a temporary file beside it, synced, then renamed over it, so a
/// reader never sees half a report and a failure leaves no partial file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".mlguard-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
