//! Terminal tables: one per pillar with its score, then a summary line.

use super::{Ctx, Emitter, ReportError};
use crate::audit::AuditReport;
use crate::findings::{Pillar, Severity, Status};
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table as Grid, presets};
use std::io::Write;

pub struct Table;

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
                            f.message,
                            sup.source,
                            sup.reason,
                            sup.expires
                                .as_deref()
                                .map(|e| format!(" (until {e})"))
                                .unwrap_or_default()
                        ),
                        None => f.message.clone(),
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
        if let Some(framework) = &ctx.framework {
            write_compliance(out, &super::compliance::compliance(report, framework))?;
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

fn write_compliance(
    out: &mut dyn Write,
    c: &super::compliance::Compliance,
) -> Result<(), ReportError> {
    use super::compliance::ControlStatus;
    let label = crate::engine::metadata::FRAMEWORKS
        .iter()
        .find(|(k, _)| *k == c.framework)
        .map_or(c.framework.as_str(), |(_, l)| *l);
    writeln!(
        out,
        "\nFramework {} ({label}): {} of {} controls pass, {} fail, {} not assessed, {} without resources",
        c.framework,
        c.count(ControlStatus::Pass),
        c.controls.len(),
        c.count(ControlStatus::Fail),
        c.count(ControlStatus::NotAssessed),
        c.count(ControlStatus::NoResources),
    )?;
    if c.controls.is_empty() {
        writeln!(out, "  no evaluated rule maps to this framework")?;
        return Ok(());
    }
    let mut grid = Grid::new();
    grid.load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty();
    grid.set_header(vec!["Control", "Status", "Rules", "Pass", "Fail", "Title"]);
    for control in &c.controls {
        grid.add_row(vec![
            control.id.clone(),
            control.status.as_str().to_string(),
            control.rules.join(", "),
            control.passed.to_string(),
            control.failed.to_string(),
            control.title.clone(),
        ]);
    }
    writeln!(out, "{grid}")?;
    Ok(())
}
