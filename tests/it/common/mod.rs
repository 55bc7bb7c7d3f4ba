//! Shared helpers for the tests: run the real binary with a clean environment; the engine
//! with the built-in policies, for tests that call the library. The submodules serve groups
//! of tests; those for the emulated account exist in the AWS build only.

pub mod actions;
#[cfg(feature = "aws")]
pub mod live;
#[cfg(feature = "aws")]
pub mod moto;
pub mod org_layout;
#[cfg(feature = "aws")]
pub mod proxy;
pub mod sarif_validate;
#[cfg(feature = "aws")]
pub mod seed;

use assert_cmd::Command;
use std::path::PathBuf;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The mlguard binary, run from the repository root, with no AWS, CI or colour settings
/// leaking in from the caller's environment.
pub fn mlguard() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mlguard"));
    cmd.current_dir(root());
    for (key, _) in std::env::vars() {
        if key.starts_with("AWS_") || key == "CI" || key == "NO_COLOR" || key == "MLGUARD_LOG" {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// The engine with the built-in policies and default parameters, built once per test binary.
pub fn builtin_engine() -> &'static mlguard::engine::Engine {
    static ENGINE: std::sync::OnceLock<mlguard::engine::Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| {
        mlguard::engine::Engine::new(
            &mlguard::engine::PolicySet::load(true, &[]).expect("policies"),
            &mlguard::engine::Params::default(),
        )
        .expect("engine")
    })
}

pub fn stdout_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

pub fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}
