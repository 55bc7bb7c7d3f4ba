//! Files that can hold account data (reports, snapshots, plans, journals) are created
//! owner-only (0600) whatever the umask, unless MLGUARD_FILE_MODE asks for another mode;
//! templates, schemas and man pages keep the usual mode after the umask. The binary writes
//! them all here, under umask 022, and the test reads the modes back.

#[cfg(feature = "aws")]
use crate::common::{live, moto, seed};
use crate::common::{root, stderr_of};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

fn mode(path: &Path) -> u32 {
    fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// `mlguard ARGS` in `dir` under umask 022, with `env` added to a clean environment.
fn mlguard_in(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("umask 022 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_mlguard"))
        .args(args)
        .current_dir(dir);
    for (key, _) in std::env::vars() {
        if key.starts_with("AWS_") || key.starts_with("MLGUARD_") || key == "NO_COLOR" {
            cmd.env_remove(key);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("runs")
}

fn lab_snapshot(dir: &Path) -> String {
    let path = dir.join("snapshot.json");
    fs::copy(root().join("fixtures/lab-insecure.json"), &path).expect("copy");
    path.to_str().expect("utf-8").to_string()
}

const REPORTS: [&str; 6] = [
    "report.json",
    "report.sarif",
    "report.html",
    "report.ocsf",
    "report.asff",
    "table.txt",
];

fn audit_every_format(dir: &Path, env: &[(&str, &str)]) -> Output {
    let snapshot = lab_snapshot(dir);
    mlguard_in(
        dir,
        env,
        &[
            "audit",
            &snapshot,
            "--no-config",
            "--format",
            "json=report.json",
            "--format",
            "sarif=report.sarif",
            "--format",
            "html=report.html",
            "--format",
            "ocsf=report.ocsf",
            "--format",
            "asff=report.asff",
            "--format",
            "table",
            "--output",
            "table.txt",
        ],
    )
}

#[test]
fn reports_plans_and_generated_snapshots_are_owner_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A report that already exists with a wider mode is replaced by an owner-only one.
    fs::write(dir.path().join("report.json"), "{}").expect("write");
    fs::set_permissions(
        dir.path().join("report.json"),
        fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");
    let out = audit_every_format(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    for report in REPORTS {
        assert_eq!(mode(&dir.path().join(report)), 0o600, "{report}");
    }

    let snapshot = lab_snapshot(dir.path());
    let out = mlguard_in(
        dir.path(),
        &[],
        &[
            "remediate",
            "--snapshot",
            &snapshot,
            "--no-config",
            "--plan",
            "--allowed-cidr",
            "203.0.113.0/24",
            "--max-age",
            "0",
            "-o",
            "plan.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert_eq!(mode(&dir.path().join("plan.json")), 0o600, "plan");

    let out = mlguard_in(
        dir.path(),
        &[],
        &["generate", "--scale", "1", "-o", "generated.json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(mode(&dir.path().join("generated.json")), 0o600, "generate");

    // No temporary file is left behind.
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".mlguard-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn files_without_account_data_keep_the_umask_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    for args in [
        &["init", "mlguard.toml"][..],
        &["schema", "snapshot", "--output", "snapshot.schema.json"],
        &["man", "--output", "mlguard.1"],
    ] {
        let out = mlguard_in(dir.path(), &[], args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr_of(&out));
    }
    for file in ["mlguard.toml", "snapshot.schema.json", "mlguard.1"] {
        assert_eq!(mode(&dir.path().join(file)), 0o644, "{file}");
    }
}

#[test]
fn mlguard_file_mode_chooses_another_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = audit_every_format(dir.path(), &[("MLGUARD_FILE_MODE", "0640")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    for report in REPORTS {
        assert_eq!(mode(&dir.path().join(report)), 0o640, "{report}");
    }
    // The umask still applies: 0666 under umask 022 is 0644.
    let dir = tempfile::tempdir().expect("tempdir");
    let out = audit_every_format(dir.path(), &[("MLGUARD_FILE_MODE", "666")]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert_eq!(mode(&dir.path().join("report.json")), 0o644);
}

#[test]
fn a_bad_mlguard_file_mode_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = audit_every_format(dir.path(), &[("MLGUARD_FILE_MODE", "rw-r-----")]);
    let stderr = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("MLGUARD_FILE_MODE=`rw-r-----` is not an octal file mode"),
        "{stderr}"
    );
    assert!(stderr.contains("help: unset MLGUARD_FILE_MODE"), "{stderr}");
    for report in REPORTS {
        assert!(!dir.path().join(report).exists(), "{report} written");
    }
}

/// `collect -o`, `scan --save-snapshot`, a live plan, the apply's journal and the rollback
/// appended to it, against moto.
#[cfg(feature = "aws")]
#[test]
fn snapshots_and_journals_from_a_live_account_are_owner_only() {
    let moto = moto::Moto::start();
    let aws = seed::Aws::new(&moto.endpoint(), "us-east-1");
    seed::lab(&aws);
    let work = live::Workdir::new();
    let dir = work.dir.path();
    let endpoint = moto.endpoint();
    let live = |args: &[&str]| -> Output {
        let mut all = vec![args[0], "--endpoint-url", &endpoint];
        all.extend_from_slice(&args[1..]);
        mlguard_in(
            dir,
            &[
                ("AWS_ACCESS_KEY_ID", "testing"),
                ("AWS_SECRET_ACCESS_KEY", "testing"),
                ("AWS_EC2_METADATA_DISABLED", "true"),
                ("AWS_CONFIG_FILE", "aws-config"),
                ("AWS_SHARED_CREDENTIALS_FILE", "aws-credentials"),
            ],
            &all,
        )
    };
    // Each command, the exit code it must end with, and the files it must leave owner-only.
    let runs: [(&[&str], i32, &[&str]); 5] = [
        (
            &["collect", "--regions", "us-east-1", "-o", "collected.json"],
            0,
            &["collected.json"],
        ),
        (
            &[
                "scan",
                "--regions",
                "us-east-1",
                "--no-config",
                "--save-snapshot",
                "saved.json",
                "--format",
                "json=scan.json",
                "--fail-on",
                "none",
            ],
            0,
            &["saved.json", "scan.json"],
        ),
        (
            &[
                "remediate",
                "--regions",
                "us-east-1",
                "--no-config",
                "--plan",
                "--allowed-cidr",
                "203.0.113.0/24",
                "-o",
                "plan.json",
            ],
            1,
            &["plan.json"],
        ),
        (
            &[
                "remediate",
                "--regions",
                "us-east-1",
                "--apply",
                "plan.json",
                "--yes",
                "--journal",
                "apply.jsonl",
            ],
            0,
            &["apply.jsonl"],
        ),
        // The rollback appends to the journal and keeps its mode.
        (
            &["rollback", "apply.jsonl", "--region", "us-east-1", "--yes"],
            0,
            &["apply.jsonl"],
        ),
    ];
    for (args, code, files) in runs {
        let out = live(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            stderr_of(&out)
        );
        for file in files {
            assert_eq!(mode(&dir.join(file)), 0o600, "{args:?}: {file}");
        }
    }
}
