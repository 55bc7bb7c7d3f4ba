//! mlguard: parse the command line, run it, turn a fatal error into a message and an exit code.

use clap::Parser;
use mlguard::app::cli::Cli;
use mlguard::app::{self as commands, Io, exit};
use std::io::Write;
use std::process::ExitCode;

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let mut filter = tracing_subscriber::EnvFilter::try_from_env("MLGUARD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("mlguard={level}")));
    // Request signing logs canonical requests, session token included: never show them, even
    // under MLGUARD_LOG=trace.
    for quiet in ["aws_sigv4=off"] {
        if let Ok(directive) = quiet.parse() {
            filter = filter.add_directive(directive);
        }
    }
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
    let mut out = stdout.lock();
    // Not locked for the whole run: log lines and the progress display write to stderr from
    // other threads while collecting, and would wait for the lock forever.
    let mut err = std::io::stderr();
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
