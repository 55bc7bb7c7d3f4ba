//! Embeds the built-in policies (`policies/**/*.rego`), the framework definitions
//! (`policies/frameworks/*.yaml`) and the rule documentation (`docs/rules/*.md`) into the
//! binary, so a release binary needs no files beside it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn collect(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

fn table(name: &str, root: &Path, dir: &str, ext: &str, code: &mut String) {
    let mut files = Vec::new();
    collect(&root.join(dir), ext, &mut files);
    files.sort();
    writeln!(code, "pub static {name}: &[(&str, &str)] = &[").expect("string write");
    for file in files {
        let rel = file
            .strip_prefix(root)
            .expect("file under the root")
            .to_string_lossy()
            .replace('\\', "/");
        // Relative to CARGO_MANIFEST_DIR, not absolute: the generated file stays right for any
        // checkout that shares the target directory.
        writeln!(
            code,
            "    ({rel:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{rel}\"))),"
        )
        .expect("string write");
    }
    writeln!(code, "];").expect("string write");
}

fn main() {
    let root =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed=policies");
    println!("cargo:rerun-if-changed=docs/rules");
    let mut code = String::new();
    table("POLICIES", &root, "policies", "rego", &mut code);
    table(
        "FRAMEWORKS",
        &root,
        "policies/frameworks",
        "yaml",
        &mut code,
    );
    table("RULE_DOCS", &root, "docs/rules", "md", &mut code);
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    fs::write(out, code).expect("write embedded.rs");
}
