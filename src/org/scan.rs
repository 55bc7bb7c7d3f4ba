//! `mlguard org scan`: every account of this part's share, concurrently.

use crate::cli::OrgScanCmd;
use crate::commands::{CliError, Io};

pub fn command(cmd: OrgScanCmd, color: bool, verbose: u8, io: &mut Io<'_>) -> Result<u8, CliError> {
    let _ = (cmd, color, verbose, io);
    Err(CliError::Usage(
        "org scan is being built on this branch".into(),
    ))
}
