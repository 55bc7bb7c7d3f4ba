//! `rust-version` in Cargo.toml is true: no locked dependency declares a newer one. Offline:
//! each locked registry package's `rust-version` is read from cargo's local copy of the
//! crates.io index (`$CARGO_HOME/registry/index/*/.cache`, which every build that resolved
//! Cargo.lock has), or from the unpacked package's Cargo.toml.

use std::path::{Path, PathBuf};

type Version = (u64, u64, u64);

fn parse_version(text: &str) -> Version {
    let mut parts = text.trim().split('.').map(|p| {
        p.parse::<u64>()
            .unwrap_or_else(|_| panic!("bad version {text}"))
    });
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .expect("CARGO_HOME or HOME")
}

/// The registry packages of Cargo.lock: (name, version).
fn locked() -> Vec<(String, String)> {
    let lock: toml::Table =
        toml::from_str(&std::fs::read_to_string(root().join("Cargo.lock")).expect("Cargo.lock"))
            .expect("Cargo.lock is TOML");
    lock["package"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|p| {
            p.get("source")
                .and_then(|s| s.as_str())
                .is_some_and(|s| s.starts_with("registry+") || s.starts_with("sparse+"))
        })
        .map(|p| {
            (
                p["name"].as_str().expect("name").to_string(),
                p["version"].as_str().expect("version").to_string(),
            )
        })
        .collect()
}

/// Where cargo's index cache keeps a crate's entries.
fn index_path(name: &str) -> String {
    let n = name.to_ascii_lowercase();
    match n.len() {
        1 | 2 => format!("{}/{n}", n.len()),
        3 => format!("3/{}/{n}", &n[..1]),
        _ => format!("{}/{}/{n}", &n[..2], &n[2..4]),
    }
}

/// `Some(rust_version)` (`None` inside: the version declares none) when found.
fn from_index(dirs: &[PathBuf], name: &str, version: &str) -> Option<Option<String>> {
    for dir in dirs {
        let Ok(bytes) = std::fs::read(dir.join(".cache").join(index_path(name))) else {
            continue;
        };
        // A header, then `version \0 json \0` for each published version.
        let fields: Vec<&[u8]> = bytes.split(|b| *b == 0).collect();
        for pair in fields.windows(2) {
            if pair[0] == version.as_bytes() && pair[1].starts_with(b"{") {
                let entry: serde_json::Value = serde_json::from_slice(pair[1]).ok()?;
                return Some(entry["rust_version"].as_str().map(str::to_string));
            }
        }
    }
    None
}

fn from_source(dirs: &[PathBuf], name: &str, version: &str) -> Option<Option<String>> {
    for dir in dirs {
        let Ok(text) = std::fs::read_to_string(dir.join(format!("{name}-{version}/Cargo.toml")))
        else {
            continue;
        };
        let manifest: toml::Table = toml::from_str(&text).ok()?;
        return Some(
            manifest["package"]
                .get("rust-version")
                .and_then(|v| v.as_str())
                .map(str::to_string),
        );
    }
    None
}

fn subdirs(dir: PathBuf) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

#[test]
fn rust_version_is_at_least_every_locked_dependency_s() {
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml"))
            .expect("Cargo.toml is TOML");
    let declared = manifest["package"]["rust-version"]
        .as_str()
        .expect("Cargo.toml declares rust-version");
    let ours = parse_version(declared);
    let registry = cargo_home().join("registry");
    let index = subdirs(registry.join("index"));
    let sources = subdirs(registry.join("src"));
    let packages = locked();
    assert!(packages.len() > 100, "{} locked packages", packages.len());
    let mut unknown = Vec::new();
    let mut newer = Vec::new();
    for (name, version) in &packages {
        let Some(found) =
            from_index(&index, name, version).or_else(|| from_source(&sources, name, version))
        else {
            unknown.push(format!("{name} {version}"));
            continue;
        };
        if let Some(rv) = found
            && parse_version(&rv) > ours
        {
            newer.push(format!("{name} {version} needs Rust {rv}"));
        }
    }
    assert!(
        newer.is_empty(),
        "Cargo.toml says rust-version = \"{declared}\", but:\n{}",
        newer.join("\n")
    );
    // Run after a build (`cargo test` is one), the index holds every locked package.
    assert!(
        unknown.len() * 20 <= packages.len(),
        "the rust-version of {} of {} locked packages is not in {}: {}",
        unknown.len(),
        packages.len(),
        registry.display(),
        unknown.join(", ")
    );
}
