//! Where the org-wide reports go, and how they get there whole: every report is written to a
//! staging file (beside its destination when that is a local file, so the final rename is
//! atomic) and only when every report is complete are they moved into place or uploaded. A
//! failure midway leaves no report, old or half-written, changed.

use crate::report::{self, Access, AtomicFile};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// One destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Stdout,
    Local(PathBuf),
    /// `s3://bucket/key` (for a directory target, the prefix).
    S3(String),
}

impl Target {
    pub fn parse(text: &str) -> Target {
        if text.starts_with("s3://") {
            Target::S3(text.to_string())
        } else {
            Target::Local(PathBuf::from(text))
        }
    }

    pub fn display(&self) -> String {
        match self {
            Target::Stdout => "stdout".to_string(),
            Target::Local(p) => p.display().to_string(),
            Target::S3(url) => url.clone(),
        }
    }
}

/// Puts a finished local file at an `s3://bucket/key` URL.
pub trait Upload {
    fn put_file(&self, url: &str, file: &Path) -> Result<(), String>;
}

fn staging_dir_for(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot write {target}: {source}")]
    Write {
        target: String,
        source: std::io::Error,
    },
    #[error("cannot upload {target}: {message}")]
    Upload { target: String, message: String },
    #[error("{target}: writing to S3 needs mlguard built with the `aws` feature")]
    NoS3 { target: String },
}

/// A report being written; [`StagedFile::commit`] puts it at its target.
pub struct StagedFile {
    target: Target,
    stage: Stage,
}

enum Stage {
    /// Beside a local destination: renamed over it.
    Atomic(BufWriter<AtomicFile>),
    /// Anywhere (stdout, S3): copied or uploaded.
    Temp(BufWriter<tempfile::NamedTempFile>),
}

impl StagedFile {
    pub fn create(target: &Target) -> Result<StagedFile, OutputError> {
        let err = |source| OutputError::Write {
            target: target.display(),
            source,
        };
        let stage = match target {
            Target::Local(path) => {
                std::fs::create_dir_all(staging_dir_for(path)).map_err(err)?;
                Stage::Atomic(BufWriter::with_capacity(
                    1 << 16,
                    AtomicFile::create(path).map_err(err)?,
                ))
            }
            Target::Stdout | Target::S3(_) => {
                Stage::Temp(BufWriter::with_capacity(1 << 16, temp_file().map_err(err)?))
            }
        };
        Ok(StagedFile {
            target: target.clone(),
            stage,
        })
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Moves the finished report into place (or copies it to `stdout`, or uploads it).
    pub fn commit(
        self,
        stdout: &mut dyn Write,
        upload: Option<&dyn Upload>,
    ) -> Result<(), OutputError> {
        let target = self.target.clone();
        let err = |source| OutputError::Write {
            target: target.display(),
            source,
        };
        match self.stage {
            Stage::Atomic(w) => {
                let file = w.into_inner().map_err(|e| err(e.into_error()))?;
                file.persist().map_err(err)
            }
            Stage::Temp(w) => {
                let mut tmp = w.into_inner().map_err(|e| err(e.into_error()))?;
                match &target {
                    Target::Stdout => {
                        use std::io::Seek;
                        let file = tmp.as_file_mut();
                        file.seek(std::io::SeekFrom::Start(0)).map_err(err)?;
                        std::io::copy(file, stdout).map_err(err)?;
                        stdout.flush().map_err(err)
                    }
                    Target::S3(url) => {
                        tmp.as_file().sync_all().map_err(err)?;
                        let upload = upload.ok_or_else(|| OutputError::NoS3 {
                            target: url.clone(),
                        })?;
                        upload
                            .put_file(url, tmp.path())
                            .map_err(|message| OutputError::Upload {
                                target: url.clone(),
                                message,
                            })
                    }
                    Target::Local(_) => unreachable_local(),
                }
            }
        }
    }
}

/// Local targets are always staged beside their destination.
fn unreachable_local() -> Result<(), OutputError> {
    Err(OutputError::Write {
        target: "a local report".to_string(),
        source: std::io::Error::other("staged in the wrong place; please report"),
    })
}

impl Write for StagedFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.stage {
            Stage::Atomic(w) => w.write(buf),
            Stage::Temp(w) => w.write(buf),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match &mut self.stage {
            Stage::Atomic(w) => w.write_all(buf),
            Stage::Temp(w) => w.write_all(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.stage {
            Stage::Atomic(w) => w.flush(),
            Stage::Temp(w) => w.flush(),
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.as_file_mut().write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.as_file_mut().flush()
    }
}

/// An owner-only temporary file (it holds account data).
fn temp_file() -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".mlguard-merge-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o600));
    }
    builder.tempfile()
}

/// A spool: scratch space for a part of a report written before the part that precedes it
/// (the HTML drill-downs before the overview, the JSON findings before the summary).
pub struct Spool {
    file: BufWriter<tempfile::NamedTempFile>,
    pub empty: bool,
}

impl Spool {
    pub fn new() -> std::io::Result<Spool> {
        Ok(Spool {
            file: BufWriter::with_capacity(1 << 16, temp_file()?),
            empty: true,
        })
    }

    pub fn writer(&mut self) -> &mut BufWriter<tempfile::NamedTempFile> {
        self.empty = false;
        &mut self.file
    }

    /// Appends the spooled bytes to `out`.
    pub fn copy_to(self, out: &mut dyn Write) -> std::io::Result<()> {
        use std::io::Seek;
        let mut tmp = self.file.into_inner().map_err(|e| e.into_error())?;
        let file = tmp.as_file_mut();
        file.seek(std::io::SeekFrom::Start(0))?;
        std::io::copy(file, out)?;
        Ok(())
    }
}

/// A directory of reports (the partitioned OCSF layout): staged as closed files in a
/// temporary directory (beside a local destination), moved or uploaded file by file at the end.
pub struct StagedDir {
    target: Target,
    tmp: tempfile::TempDir,
    files: Vec<String>,
}

impl StagedDir {
    pub fn create(target: &Target) -> Result<StagedDir, OutputError> {
        let err = |source| OutputError::Write {
            target: target.display(),
            source,
        };
        let tmp = match target {
            Target::Local(path) => {
                std::fs::create_dir_all(path).map_err(err)?;
                tempfile::Builder::new()
                    .prefix(".mlguard-merge-")
                    .tempdir_in(path)
                    .map_err(err)?
            }
            _ => tempfile::Builder::new()
                .prefix(".mlguard-merge-")
                .tempdir()
                .map_err(err)?,
        };
        Ok(StagedDir {
            target: target.clone(),
            tmp,
            files: Vec::new(),
        })
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// A new file at `rel` (a `/`-separated relative path), owner-only.
    pub fn create_file(&mut self, rel: &str) -> Result<BufWriter<File>, OutputError> {
        let path = self.tmp.path().join(rel);
        let err = |source| OutputError::Write {
            target: format!("{}/{rel}", self.target.display().trim_end_matches('/')),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(err)?;
        }
        let file = report::open_options(Access::AccountData)
            .map_err(err)?
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(err)?;
        self.files.push(rel.to_string());
        Ok(BufWriter::with_capacity(1 << 16, file))
    }

    pub fn commit(self, upload: Option<&dyn Upload>) -> Result<(), OutputError> {
        for rel in &self.files {
            let from = self.tmp.path().join(rel);
            match &self.target {
                Target::Local(root) => {
                    let to = root.join(rel);
                    let err = |source| OutputError::Write {
                        target: to.display().to_string(),
                        source,
                    };
                    if let Some(parent) = to.parent() {
                        std::fs::create_dir_all(parent).map_err(err)?;
                    }
                    File::open(&from).and_then(|f| f.sync_all()).map_err(err)?;
                    std::fs::rename(&from, &to).map_err(err)?;
                }
                Target::S3(prefix) => {
                    let url = format!("{}/{rel}", prefix.trim_end_matches('/'));
                    let upload = upload.ok_or_else(|| OutputError::NoS3 {
                        target: url.clone(),
                    })?;
                    upload
                        .put_file(&url, &from)
                        .map_err(|message| OutputError::Upload {
                            target: url.clone(),
                            message,
                        })?;
                }
                Target::Stdout => {
                    return Err(OutputError::Write {
                        target: "stdout".into(),
                        source: std::io::Error::other(
                            "a directory of reports cannot go to stdout; please report",
                        ),
                    });
                }
            }
        }
        Ok(())
    }
}
