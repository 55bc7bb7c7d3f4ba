//! Generates the built-in rule pages from metadata and fixtures (`cargo xtask docs`); the
//! test suite regenerates them and fails when `docs/rules/` drifts.

use crate::audit;
use crate::engine::docs::{self, DocExample};
use crate::engine::{Engine, Rule};
use crate::findings::Status;
use crate::remediate::fixes;
use crate::snapshot;
use std::path::{Path, PathBuf};

/// The failing fixtures of a rule: `fixtures/<ID>/fail/*.json`, sorted.
pub fn fixtures(root: &Path, id: &str, kind: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(id).join(kind))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn resource_at(text: &str, path: &[&str]) -> Option<serde_json::Value> {
    let mut v: serde_json::Value = serde_json::from_str(text).ok()?;
    for seg in path {
        v = match v {
            serde_json::Value::Array(mut a) => {
                let i: usize = seg.parse().ok()?;
                if i < a.len() {
                    a.swap_remove(i)
                } else {
                    return None;
                }
            }
            serde_json::Value::Object(mut o) => o.remove(*seg)?,
            _ => return None,
        };
    }
    Some(v)
}

/// The first failing finding of the rule on its first failing fixture, with the resource.
pub fn example(
    engine: &Engine,
    rule: &Rule,
    fixtures_root: &Path,
    repo_root: &Path,
) -> Option<DocExample> {
    let file = fixtures(fixtures_root, &rule.meta.id, "fail")
        .into_iter()
        .next()?;
    let text = std::fs::read_to_string(&file).ok()?;
    let snap = snapshot::load_str(&text, &file).ok()?;
    let report = audit::audit(engine, &snap, std::slice::from_ref(&rule.meta.id)).ok()?;
    let f = report.findings.iter().find(|f| f.status == Status::Fail)?;
    let path = f.location.as_ref()?.path.clone();
    let segs: Vec<&str> = path.split('/').collect();
    let resource = resource_at(&text, &segs)?;
    let rel = file
        .strip_prefix(repo_root)
        .unwrap_or(&file)
        .display()
        .to_string()
        .replace('\\', "/");
    Some(DocExample {
        fixture: rel,
        resource_json: serde_json::to_string_pretty(&resource).ok()?,
        resource_arn: f.resource.arn.clone(),
        message: f.message.clone(),
    })
}

/// Every built-in rule page, as `(file name, text)`.
pub fn generate(engine: &Engine, repo_root: &Path) -> Vec<(String, String)> {
    let fixtures_root = repo_root.join("fixtures");
    engine
        .rules()
        .iter()
        .filter(|r| r.source.origin == crate::engine::Origin::Builtin)
        .map(|r| {
            (
                format!("{}.md", r.meta.id),
                docs::render(
                    &r.meta,
                    example(engine, r, &fixtures_root, repo_root).as_ref(),
                    fixes::info,
                ),
            )
        })
        .collect()
}
