//! mlguard's developer commands, kept out of the shipped binary (cargo's xtask convention).
//!
//! ```text
//! cargo xtask docs           regenerate every generated document
//! cargo xtask docs --check   exit 1, naming the files, when one is out of date
//! ```
//!
//! The test suite runs the same generators and fails on drift, so CI catches a forgotten
//! `cargo xtask docs`.

use mlguard::docgen;
use mlguard::engine::{Engine, Params, PolicySet};
use mlguard::remediate::fixes::{self, doc_table};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask docs [--check]

  docs      regenerate docs/rules/*.md (rule pages from metadata and fixtures) and the
            fix table of docs/remediation.md (from the fix registry)
  --check   write nothing; exit 1 and name the stale files when one is out of date";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    let known = args.iter().all(|a| a == "docs" || a == "--check");
    if args.first().map(String::as_str) != Some("docs") || !known {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ sits in the repository")
        .to_path_buf();
    match docs(&root, check) {
        Ok(stale) if check && !stale.is_empty() => {
            eprintln!(
                "out of date: {}\n  help: run `cargo xtask docs` and commit the result",
                stale.join(", ")
            );
            ExitCode::from(1)
        }
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Every generated document: its path under the repository and its text.
fn generated(root: &Path) -> Result<Vec<(PathBuf, String)>, String> {
    let set = PolicySet::load_with_fixes(true, &[], fixes::info).map_err(|e| e.to_string())?;
    let engine = Engine::new(&set, &Params::default()).map_err(|e| e.to_string())?;
    let mut out: Vec<(PathBuf, String)> = docgen::generate(&engine, root)
        .into_iter()
        .map(|(name, text)| (PathBuf::from("docs/rules").join(name), text))
        .collect();
    // The fix table of docs/remediation.md, between its markers; the prose stays as written.
    let path = root.join(doc_table::PATH);
    let doc = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let updated = doc_table::update(&doc).ok_or_else(|| {
        format!(
            "{} has no `{}` ... `{}` markers around the fix table",
            path.display(),
            doc_table::BEGIN,
            doc_table::END
        )
    })?;
    out.push((PathBuf::from(doc_table::PATH), updated));
    Ok(out)
}

/// Writes (or with `check`, only compares) every generated document; returns the stale ones.
fn docs(root: &Path, check: bool) -> Result<Vec<String>, String> {
    let mut stale = Vec::new();
    let pages = generated(root)?;
    for (rel, text) in &pages {
        let path = root.join(rel);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(text.as_str()) {
            continue;
        }
        stale.push(rel.display().to_string());
        if !check {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            mlguard::io::write_atomic_as(&path, text.as_bytes(), mlguard::io::Access::Public)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    println!(
        "{} generated files, {} {}",
        pages.len(),
        stale.len(),
        if check { "stale" } else { "written" }
    );
    Ok(stale)
}
