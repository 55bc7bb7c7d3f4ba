//! mlguard: parse the command line, run it, turn a fatal error into a message and an exit code.

use clap::Parser;
use mlguard::cli::Cli;
use mlguard::commands::{self, Io, exit};
use std::io::Write;
use std::process::ExitCode;

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("MLGUARD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("mlguard={level}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let mut io = Io {
        stdout: &mut out,
        stderr: &mut err,
        stdout_tty: commands::stdout_is_tty(),
    };
    match commands::run(cli, &mut io) {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            for hint in e.hints() {
                let _ = writeln!(err, "  help: {hint}");
            }
            ExitCode::from(exit::ERROR)
        }
    }
}
