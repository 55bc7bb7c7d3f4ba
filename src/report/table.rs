//! Terminal tables: one per pillar with its score, then a summary line.

use super::compliance::{self, Evidence, FrameworkView, RowIndex};
use super::{Ctx, Emitter, ReportError};
use crate::audit::AuditReport;
use crate::findings::{Pillar, Severity, Status};
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table as Grid, presets};
use std::io::Write;

pub struct Table;

/// Longest finding message the table shows whole. Every row is padded to its column's widest
/// cell, so one very long message (a region's whole footprint) would widen every row of the
/// table; the other formats carry messages whole.
const MAX_MESSAGE_CHARS: usize = 1000;

fn severity_cell(sev: Severity, status: Status, color: bool) -> Cell {
    let label = match status {
        Status::Fail => sev.as_str().to_string(),
        Status::NotAssessed => "not assessed".to_string(),
        Status::Suppressed => format!("{} (suppressed)", sev.as_str()),
    };
    let cell = Cell::new(label);
    if !color || status != Status::Fail {
        return cell;
    }
    match sev {
        Severity::Critical => cell.fg(Color::Red).add_attribute(Attribute::Bold),
        Severity::High => cell.fg(Color::Red),
        Severity::Medium => cell.fg(Color::Yellow),
        Severity::Low => cell.fg(Color::Cyan),
        Severity::Info => cell.add_attribute(Attribute::Dim),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Emitter for Table {
    fn emit(
        &self,
        out: &mut dyn Write,
        report: &AuditReport,
        ctx: &Ctx,
    ) -> Result<(), ReportError> {
        let m = &report.metadata;
        let regions = if m.regions.is_empty() {
            "no regions".to_string()
        } else {
            m.regions.join(", ")
        };
        writeln!(
            out,
            "mlguard {} audit of account {} ({}) from {}{}",
            ctx.tool_version,
            m.account_id,
            regions,
            report.source,
            m.collected_at
                .as_ref()
                .map(|c| format!(", collected {c}"))
                .unwrap_or_default()
        )?;
        for pillar in Pillar::ALL {
            let Some(score) = report.scores.pillars.get(&pillar) else {
                continue;
            };
            let findings: Vec<_> = report
                .findings
                .iter()
                .filter(|f| f.pillar == pillar)
                .collect();
            let judged = score.passed + score.failed;
            write!(
                out,
                "\n{}: score {:.1}% ({} of {} checks pass",
                pillar.title(),
                score.score,
                score.passed,
                judged
            )?;
            if score.not_assessed > 0 {
                write!(out, ", {} not assessed", score.not_assessed)?;
            }
            if score.suppressed > 0 {
                write!(out, ", {} suppressed", score.suppressed)?;
            }
            writeln!(out, ")")?;
            if findings.is_empty() {
                writeln!(out, "  no findings")?;
                continue;
            }
            let mut grid = Grid::new();
            grid.load_style(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Disabled);
            if ctx.color {
                grid.enforce_styling();
            } else {
                grid.force_no_tty();
            }
            grid.set_header(vec!["Severity", "Rule", "Resource", "Finding"]);
            for f in findings {
                grid.add_row(vec![
                    severity_cell(f.severity, f.status, ctx.color),
                    Cell::new(&f.rule_id),
                    Cell::new(&f.resource.arn),
                    Cell::new(match &f.suppression {
                        Some(sup) => format!(
                            "{}\nsuppressed by {}: {}{}",
                            super::truncate_chars(&f.message, MAX_MESSAGE_CHARS),
                            sup.source,
                            sup.reason,
                            sup.expires
                                .as_deref()
                                .map(|e| format!(" (until {e})"))
                                .unwrap_or_default()
                        ),
                        None => super::truncate_chars(&f.message, MAX_MESSAGE_CHARS),
                    }),
                ]);
            }
            writeln!(out, "{grid}")?;
        }
        let failed = report.count(Status::Fail);
        let by_sev: Vec<String> = report
            .failed_by_severity()
            .iter()
            .map(|(sev, n)| format!("{n} {sev}"))
            .collect();
        if let Some(evidence) = ctx.evidence.as_deref().filter(|e| !e.frameworks.is_empty()) {
            let index = RowIndex::new(report, evidence);
            write_evidence_header(out, report, evidence, ctx)?;
            for key in &evidence.frameworks {
                let view = compliance::view(report, &index, key).map_err(ReportError::Evidence)?;
                write_framework(out, &view)?;
            }
        }
        if let Some(fix) = ctx.fix_cost.as_deref() {
            out.write_all(crate::remediate::cost::render_fix_cost(fix).as_bytes())?;
        }
        write!(
            out,
            "\nSummary: {} failed",
            plural(failed, "finding", "findings")
        )?;
        if !by_sev.is_empty() {
            write!(out, " ({})", by_sev.join(", "))?;
        }
        write!(
            out,
            ", {} not assessed, {} suppressed across {}; overall score {:.1}%",
            report.count(Status::NotAssessed),
            report.count(Status::Suppressed),
            plural(report.rules.len(), "rule", "rules"),
            report.scores.overall
        )?;
        if !report.gaps.is_empty() {
            write!(
                out,
                "; snapshot incomplete: {}",
                plural(report.gaps.len(), "gap", "gaps")
            )?;
        }
        writeln!(out, ".")?;
        writeln!(out, "Findings: {}.", report.registry())?;
        if let Some(b) = &report.baseline {
            writeln!(
                out,
                "Baseline {}: {} new (shown), {} unchanged, {} fixed.",
                b.file, b.new, b.unchanged, b.fixed
            )?;
        }
        match ctx.fail_on {
            Some(t) => {
                let gating = report.gating(ctx.fail_on);
                if gating > 0 {
                    writeln!(
                        out,
                        "{} at or above {t}: failing (exit 1).",
                        plural(gating, "finding", "findings")
                    )?;
                } else {
                    writeln!(out, "Nothing at or above {t}: passing.")?;
                }
            }
            None => writeln!(out, "--fail-on none: findings do not fail the run.")?,
        }
        if failed > 0 {
            writeln!(
                out,
                "Run `mlguard rules explain <RULE>` for the why and the fix."
            )?;
        }
        Ok(())
    }
}

fn write_evidence_header(
    out: &mut dyn Write,
    report: &AuditReport,
    evidence: &Evidence,
    ctx: &Ctx,
) -> Result<(), ReportError> {
    writeln!(
        out,
        "\nEvidence: account {}, collected {}, audited on {}, mlguard {}\n  snapshot {} sha256 {}\n  policy set sha256 {}\n  reproduce: {}",
        report.metadata.account_id,
        report
            .metadata
            .collected_at
            .as_deref()
            .unwrap_or("(unknown)"),
        evidence.audited_on,
        ctx.tool_version,
        report.source,
        evidence.snapshot_sha256,
        evidence.policy_set_sha256,
        evidence.reproduce(report),
    )?;
    Ok(())
}

fn write_framework(out: &mut dyn Write, view: &FrameworkView<'_>) -> Result<(), ReportError> {
    let f = view.framework;
    let s = view.summary();
    writeln!(
        out,
        "\nFramework {} ({}, {}): {} controls: {} pass, {} fail, {} not assessed, {} without resources, {} not evidenced by mlguard; coverage: {} full, {} partial",
        f.key,
        f.name,
        f.version,
        s.controls,
        s.pass,
        s.fail,
        s.not_assessed,
        s.no_resources,
        s.not_evidenced,
        s.full,
        s.partial,
    )?;
    let mut grid = Grid::new();
    grid.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty();
    grid.set_header(vec![
        "Control",
        "Status",
        "Coverage",
        "Rules",
        "Pass",
        "Fail",
        "Not assessed",
        "Title",
        "Resources behind the status",
    ]);
    for control in &view.controls {
        let rules: Vec<String> = control
            .rules
            .iter()
            .map(|r| format!("{} ({})", r.rule.meta.id, r.coverage.as_str()))
            .collect();
        let resources: Vec<String> = control
            .deciding_rows()
            .map(|r| format!("{} {} {}", r.rule.meta.id, r.status, r.arn))
            .collect();
        grid.add_row(vec![
            control.id.to_string(),
            control.status.as_str().to_string(),
            control.coverage.as_str().to_string(),
            rules.join("\n"),
            control.passed().to_string(),
            control.failed().to_string(),
            control.not_assessed().to_string(),
            control.title.to_string(),
            resources.join("\n"),
        ]);
    }
    writeln!(out, "{grid}")?;
    Ok(())
}
