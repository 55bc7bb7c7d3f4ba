//! Files mlguard writes: who may read them ([`Access`]) and atomic replacement
//! ([`AtomicFile`], [`write_atomic`]). Used by every layer that writes output, so it depends
//! on nothing else in the crate.

use std::io::Write;
use std::path::Path;

/// Who may read a file mlguard writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Snapshots, reports, plans, journals: they hold account data (ARNs, policies, network
    /// layout), so the owner alone reads them: mode 0600 on Unix, or the mode in
    /// `MLGUARD_FILE_MODE` when the user chose another.
    AccountData,
    /// Templates, documentation, schemas, man pages: the usual mode after the umask.
    Public,
}

/// The environment variable that sets the mode of files holding account data (octal, e.g.
/// `0640`); unset, they are created 0600.
pub const FILE_MODE_ENV: &str = "MLGUARD_FILE_MODE";

/// The mode files holding account data are created with: `MLGUARD_FILE_MODE` (octal, at most
/// 0777) or 0600. The error is the value that could not be read.
pub fn account_data_mode() -> Result<u32, String> {
    match std::env::var(FILE_MODE_ENV) {
        Err(std::env::VarError::NotPresent) => Ok(0o600),
        Err(std::env::VarError::NotUnicode(v)) => Err(v.to_string_lossy().into_owned()),
        Ok(v) => parse_file_mode(&v).ok_or(v),
    }
}

/// An octal file mode such as `600`, `0640` or `0o644`, at most 0777.
pub(crate) fn parse_file_mode(text: &str) -> Option<u32> {
    let digits = text.trim();
    let digits = digits.strip_prefix("0o").unwrap_or(digits);
    if digits.is_empty() || digits.len() > 4 {
        return None;
    }
    u32::from_str_radix(digits, 8).ok().filter(|m| *m <= 0o777)
}

/// The mode a new file of this kind is created with, before the umask.
#[cfg(unix)]
fn create_mode(access: Access) -> std::io::Result<u32> {
    match access {
        Access::Public => Ok(0o666),
        Access::AccountData => account_data_mode().map_err(|value| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{FILE_MODE_ENV}=`{value}` is not an octal file mode such as 0600"),
            )
        }),
    }
}

/// `OpenOptions` for a new file of this kind (the journal's): on Unix, created with the mode
/// of [`Access`].
pub fn open_options(access: Access) -> std::io::Result<std::fs::OpenOptions> {
    #[allow(unused_mut)]
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(create_mode(access)?);
    }
    #[cfg(not(unix))]
    let _ = access;
    Ok(options)
}

/// Writes a file holding account data atomically (see [`write_atomic_as`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_as(path, bytes, Access::AccountData)
}

/// Writes a file atomically: a temporary file beside it, synced, then renamed over it, so a
/// reader never sees half a report and a failure leaves no partial file.
pub fn write_atomic_as(path: &Path, bytes: &[u8], access: Access) -> std::io::Result<()> {
    let mut file = AtomicFile::create_as(path, access)?;
    file.as_file_mut().write_all(bytes)?;
    file.persist()
}

/// A file being written atomically: a temporary file beside its path until [`persist`]
/// renames it over the path (dropped unpersisted, it is removed).
///
/// [`persist`]: AtomicFile::persist
pub struct AtomicFile {
    tmp: tempfile::NamedTempFile,
    path: std::path::PathBuf,
}

impl AtomicFile {
    /// A file holding account data: owner-only unless `MLGUARD_FILE_MODE` says otherwise.
    pub fn create(path: &Path) -> std::io::Result<AtomicFile> {
        AtomicFile::create_as(path, Access::AccountData)
    }

    pub fn create_as(path: &Path, access: Access) -> std::io::Result<AtomicFile> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".mlguard-").suffix(".tmp");
        // The mode is set when the temporary file is created (never widened later), and the
        // rename keeps it.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(create_mode(access)?));
        }
        #[cfg(not(unix))]
        let _ = access;
        Ok(AtomicFile {
            tmp: builder.tempfile_in(dir)?,
            path: path.to_path_buf(),
        })
    }

    pub fn as_file_mut(&mut self) -> &mut std::fs::File {
        self.tmp.as_file_mut()
    }

    /// Syncs the file and renames it over its path.
    pub fn persist(self) -> std::io::Result<()> {
        self.tmp.as_file().sync_all()?;
        self.tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}
