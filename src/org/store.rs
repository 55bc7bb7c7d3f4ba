//! Where `mlguard org` reads and writes: a local directory or `s3://bucket/prefix`, through one
//! blocking interface (`put`, `get`, `exists`, `list_accounts`).
//!
//! Local writes are atomic ([`crate::report::write_atomic`]); an S3 PutObject is atomic by
//! nature. Keys are relative (`accounts/<id>/status.json`) and always use `/`.
//!
//! The S3 backend needs the `aws` feature. Its blocking calls work both outside a Tokio
//! runtime (the store then owns a small one) and inside a multi-threaded one (through
//! `block_in_place`), so `org scan`'s account tasks and the synchronous `org merge` share it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// An output or input location as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A local path (a directory, or a file for [`read_object`]/[`write_object`]).
    Local(PathBuf),
    /// `s3://bucket/prefix` (the prefix has no leading or trailing `/`; may be empty). For an
    /// object, the prefix is its key.
    S3 { bucket: String, prefix: String },
}

impl Location {
    /// `s3://bucket[/prefix]` or a path. An `s3://` URL without a valid bucket is an error.
    pub fn parse(text: &str) -> Result<Location, StoreError> {
        if let Some(rest) = text.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let valid_bucket = (3..=63).contains(&bucket.len())
                && bucket.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                })
                && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
                && bucket.ends_with(|c: char| c.is_ascii_alphanumeric());
            if !valid_bucket {
                return Err(StoreError::BadLocation(text.to_string()));
            }
            let prefix = prefix.trim_matches('/');
            if prefix.split('/').any(|p| p == ".." || p == ".") {
                return Err(StoreError::BadLocation(text.to_string()));
            }
            return Ok(Location::S3 {
                bucket: bucket.to_string(),
                prefix: prefix.to_string(),
            });
        }
        if text.is_empty() {
            return Err(StoreError::BadLocation(text.to_string()));
        }
        Ok(Location::Local(PathBuf::from(text)))
    }

    pub fn is_s3(&self) -> bool {
        matches!(self, Location::S3 { .. })
    }

    /// The location of `key` under this one, for messages.
    pub fn display_key(&self, key: &str) -> String {
        match self {
            Location::Local(dir) => dir.join(key).display().to_string(),
            Location::S3 { bucket, prefix } => format!("s3://{bucket}/{}", join_key(prefix, key)),
        }
    }

    /// The directory (or prefix) holding this object, and the object's name in it.
    fn split_object(&self) -> Result<(Location, String), StoreError> {
        match self {
            Location::Local(path) => {
                let name = path
                    .file_name()
                    .ok_or_else(|| StoreError::BadLocation(path.display().to_string()))?
                    .to_string_lossy()
                    .into_owned();
                let dir = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                Ok((Location::Local(dir), name))
            }
            Location::S3 { bucket, prefix } => {
                if prefix.is_empty() {
                    return Err(StoreError::BadLocation(self.to_string()));
                }
                let (dir, name) = prefix.rsplit_once('/').unwrap_or(("", prefix));
                Ok((
                    Location::S3 {
                        bucket: bucket.clone(),
                        prefix: dir.to_string(),
                    },
                    name.to_string(),
                ))
            }
        }
    }
}

impl FromStr for Location {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Location::parse(s)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Local(path) => write!(f, "{}", path.display()),
            Location::S3 { bucket, prefix } if prefix.is_empty() => write!(f, "s3://{bucket}"),
            Location::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
    }
}

fn join_key(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}/{key}")
    }
}

/// A read or write that failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("`{0}` is not a usable location: expected a path or s3://BUCKET/PREFIX")]
    BadLocation(String),
    #[error("cannot read {location}: {source}")]
    Read {
        location: String,
        source: std::io::Error,
    },
    #[error("cannot write {location}: {source}")]
    Write {
        location: String,
        source: std::io::Error,
    },
    #[error("{operation} {location} failed ({code}): {message}")]
    S3 {
        operation: &'static str,
        location: String,
        code: String,
        message: String,
    },
    #[error("{0}: S3 locations need mlguard built with the `aws` feature")]
    NoAws(String),
    #[error("{location}: {message}")]
    Runtime { location: String, message: String },
}

impl StoreError {
    pub fn hint(&self) -> String {
        match self {
            StoreError::BadLocation(_) => {
                "give a directory, or s3://BUCKET/PREFIX (bucket names are 3-63 lowercase letters, digits, dots and hyphens)".into()
            }
            StoreError::Read { .. } => "check that the path exists and is readable".into(),
            StoreError::Write { .. } => {
                "check that the directory is writable and the disk is not full".into()
            }
            StoreError::S3 { code, .. } if code.contains("AccessDenied") => {
                "the identity mlguard runs as needs s3:GetObject, s3:PutObject on the prefix and s3:ListBucket on the bucket (docs/organizations.md, hub permissions)".into()
            }
            StoreError::S3 { code, .. } if code == "NoSuchBucket" => {
                "create the bucket first, or check its name and region".into()
            }
            StoreError::S3 { .. } => {
                "check the bucket, the region (--region) and the credentials".into()
            }
            StoreError::NoAws(_) => {
                "install the default build (`cargo install mlguard`), or copy the objects to a local directory first".into()
            }
            StoreError::Runtime { .. } => "please report this at https://github.com/mlguard/mlguard/issues".into(),
        }
    }

    /// Whether the error is a missing object or directory (not an access or service error).
    pub fn is_not_found(&self) -> bool {
        match self {
            StoreError::Read { source, .. } => source.kind() == std::io::ErrorKind::NotFound,
            StoreError::S3 { code, .. } => code == "NoSuchKey" || code == "NotFound",
            _ => false,
        }
    }
}

/// A directory or S3 prefix to read and write keys under.
#[derive(Clone)]
pub struct Store {
    location: Location,
    #[cfg(feature = "aws")]
    s3: Option<s3::S3Store>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("location", &self.location)
            .finish()
    }
}

impl Store {
    /// A local directory.
    pub fn local(dir: impl Into<PathBuf>) -> Store {
        Store {
            location: Location::Local(dir.into()),
            #[cfg(feature = "aws")]
            s3: None,
        }
    }

    /// Opens a location. S3 uses the default AWS configuration (environment, profile,
    /// `AWS_ENDPOINT_URL`), as `org merge` does; `org scan` uses [`Store::open_with`].
    pub fn open(location: &Location) -> Result<Store, StoreError> {
        match location {
            Location::Local(dir) => Ok(Store::local(dir.clone())),
            #[cfg(feature = "aws")]
            Location::S3 { .. } => {
                let config = s3::default_config(location)?;
                Store::open_with(location, &config)
            }
            #[cfg(not(feature = "aws"))]
            Location::S3 { .. } => Err(StoreError::NoAws(location.to_string())),
        }
    }

    /// Opens a location; S3 with this SDK configuration (credentials, region, endpoint).
    #[cfg(feature = "aws")]
    pub fn open_with(
        location: &Location,
        config: &aws_types::SdkConfig,
    ) -> Result<Store, StoreError> {
        match location {
            Location::Local(dir) => Ok(Store::local(dir.clone())),
            Location::S3 { bucket, prefix } => Ok(Store {
                location: location.clone(),
                s3: Some(s3::S3Store::new(config, bucket, prefix)),
            }),
        }
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// `key` under this store, for messages.
    pub fn describe(&self, key: &str) -> String {
        self.location.display_key(key)
    }

    /// Writes `bytes` to `key` atomically (account data: owner-only locally), creating
    /// directories as needed.
    pub fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        #[cfg(feature = "aws")]
        if let Some(s3) = &self.s3 {
            return s3.put(key, bytes.to_vec());
        }
        let path = self.local_path(key);
        blocking(|| {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            crate::report::write_atomic(&path, bytes)
        })
        .map_err(|source| StoreError::Write {
            location: path.display().to_string(),
            source,
        })
    }

    /// Writes the file at `path` to `key`, streamed from disk (an org-wide report is never
    /// in memory as a whole); locally, copied atomically.
    pub fn put_file(&self, key: &str, path: &Path) -> Result<(), StoreError> {
        #[cfg(feature = "aws")]
        if let Some(s3) = &self.s3 {
            return s3.put_file(key, path);
        }
        let to = self.local_path(key);
        blocking(|| {
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let mut file = crate::report::AtomicFile::create(&to)?;
            std::io::copy(&mut std::fs::File::open(path)?, file.as_file_mut())?;
            file.persist()
        })
        .map_err(|source| StoreError::Write {
            location: to.display().to_string(),
            source,
        })
    }

    /// The bytes at `key`, `None` when there is no such key.
    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        #[cfg(feature = "aws")]
        if let Some(s3) = &self.s3 {
            return s3.get(key);
        }
        let path = self.local_path(key);
        match blocking(|| std::fs::read(&path)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StoreError::Read {
                location: path.display().to_string(),
                source,
            }),
        }
    }

    /// Whether `key` exists.
    pub fn exists(&self, key: &str) -> Result<bool, StoreError> {
        #[cfg(feature = "aws")]
        if let Some(s3) = &self.s3 {
            return s3.exists(key);
        }
        let path = self.local_path(key);
        match std::fs::metadata(&path) {
            Ok(meta) => Ok(meta.is_file()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(source) => Err(StoreError::Read {
                location: path.display().to_string(),
                source,
            }),
        }
    }

    /// The names under `accounts/` (one per account that has any output), sorted. Names that
    /// are not account ids are returned too: the caller decides (merge warns about them).
    pub fn list_accounts(&self) -> Result<Vec<String>, StoreError> {
        use super::model::layout::ACCOUNTS;
        #[cfg(feature = "aws")]
        if let Some(s3) = &self.s3 {
            return s3.list_dirs(ACCOUNTS);
        }
        let dir = self.local_path(ACCOUNTS);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(StoreError::Read {
                    location: dir.display().to_string(),
                    source,
                });
            }
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| StoreError::Read {
                location: dir.display().to_string(),
                source,
            })?;
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        names.sort();
        Ok(names)
    }

    fn local_path(&self, key: &str) -> PathBuf {
        match &self.location {
            Location::Local(dir) => key.split('/').fold(dir.clone(), |p, part| p.join(part)),
            // Unreachable: an S3 location always has its client.
            Location::S3 { .. } => PathBuf::from(key),
        }
    }
}

/// Reads one object: a local file or `s3://bucket/key` (a manifest).
pub fn read_object(location: &Location) -> Result<Vec<u8>, StoreError> {
    let (dir, name) = location.split_object()?;
    let store = Store::open(&dir)?;
    read_from(&store, &name, location)
}

/// [`read_object`] with this SDK configuration for S3.
#[cfg(feature = "aws")]
pub fn read_object_with(
    location: &Location,
    config: &aws_types::SdkConfig,
) -> Result<Vec<u8>, StoreError> {
    let (dir, name) = location.split_object()?;
    let store = Store::open_with(&dir, config)?;
    read_from(&store, &name, location)
}

fn read_from(store: &Store, name: &str, location: &Location) -> Result<Vec<u8>, StoreError> {
    store.get(name)?.ok_or_else(|| match location {
        Location::Local(path) => StoreError::Read {
            location: path.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        },
        Location::S3 { .. } => StoreError::S3 {
            operation: "GetObject",
            location: location.to_string(),
            code: "NoSuchKey".into(),
            message: "no such object".into(),
        },
    })
}

/// Writes one object: a local file (atomically) or `s3://bucket/key`.
pub fn write_object(location: &Location, bytes: &[u8]) -> Result<(), StoreError> {
    let (dir, name) = location.split_object()?;
    Store::open(&dir)?.put(&name, bytes)
}

/// [`write_object`] with this SDK configuration for S3.
#[cfg(feature = "aws")]
pub fn write_object_with(
    location: &Location,
    bytes: &[u8],
    config: &aws_types::SdkConfig,
) -> Result<(), StoreError> {
    let (dir, name) = location.split_object()?;
    Store::open_with(&dir, config)?.put(&name, bytes)
}

/// Runs blocking file I/O: inside a multi-threaded Tokio runtime through `block_in_place`,
/// so the account tasks beside it keep running.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    #[cfg(feature = "aws")]
    if let Ok(handle) = tokio::runtime::Handle::try_current()
        && handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread
    {
        return tokio::task::block_in_place(f);
    }
    f()
}

#[cfg(feature = "aws")]
mod s3 {
    use super::{StoreError, join_key};
    use aws_sdk_s3::error::ProvideErrorMetadata;
    use aws_sdk_s3::primitives::ByteStream;
    use std::sync::{Arc, OnceLock};

    /// The default AWS configuration (as the AWS CLI reads it), for an S3 location given
    /// without AWS options.
    pub(super) fn default_config(
        location: &super::Location,
    ) -> Result<aws_types::SdkConfig, StoreError> {
        let runtime = own_runtime(location)?;
        Ok(runtime.block_on(
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .retry_config(aws_config::retry::RetryConfig::adaptive().with_max_attempts(5))
                .load(),
        ))
    }

    static RUNTIME: OnceLock<Arc<tokio::runtime::Runtime>> = OnceLock::new();

    /// The runtime blocking S3 calls run on outside any runtime: one per process.
    fn own_runtime(location: &super::Location) -> Result<Arc<tokio::runtime::Runtime>, StoreError> {
        if let Some(rt) = RUNTIME.get() {
            return Ok(Arc::clone(rt));
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| StoreError::Runtime {
                location: location.to_string(),
                message: format!("cannot start the I/O runtime: {e}"),
            })?;
        Ok(Arc::clone(RUNTIME.get_or_init(|| Arc::new(rt))))
    }

    #[derive(Clone)]
    pub(super) struct S3Store {
        client: aws_sdk_s3::Client,
        bucket: String,
        prefix: String,
    }

    impl S3Store {
        pub(super) fn new(config: &aws_types::SdkConfig, bucket: &str, prefix: &str) -> S3Store {
            // Emulators and proxies do not resolve BUCKET.host: path-style when the endpoint
            // is overridden.
            let path_style = config.endpoint_url().is_some()
                || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some_and(|v| !v.is_empty())
                || std::env::var_os("AWS_ENDPOINT_URL").is_some_and(|v| !v.is_empty());
            let conf = aws_sdk_s3::config::Builder::from(config)
                .force_path_style(path_style)
                .build();
            S3Store {
                client: aws_sdk_s3::Client::from_conf(conf),
                bucket: bucket.to_string(),
                prefix: prefix.to_string(),
            }
        }

        fn key(&self, key: &str) -> String {
            join_key(&self.prefix, key)
        }

        fn url(&self, key: &str) -> String {
            format!("s3://{}/{}", self.bucket, self.key(key))
        }

        /// Runs a future to completion from blocking code, inside or outside a runtime.
        fn run<F: std::future::Future>(&self, key: &str, f: F) -> Result<F::Output, StoreError> {
            match tokio::runtime::Handle::try_current() {
                Ok(handle)
                    if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread =>
                {
                    Ok(tokio::task::block_in_place(|| handle.block_on(f)))
                }
                Ok(_) => Err(StoreError::Runtime {
                    location: self.url(key),
                    message: "blocking S3 call on a single-threaded runtime".into(),
                }),
                Err(_) => {
                    let location = super::Location::S3 {
                        bucket: self.bucket.clone(),
                        prefix: self.prefix.clone(),
                    };
                    Ok(own_runtime(&location)?.block_on(f))
                }
            }
        }

        fn error<E>(
            &self,
            operation: &'static str,
            key: &str,
            err: &aws_smithy_runtime_api::client::result::SdkError<
                E,
                aws_smithy_runtime_api::http::Response,
            >,
        ) -> StoreError
        where
            E: ProvideErrorMetadata + std::error::Error + 'static,
        {
            let (code, message) = crate::collect::ctx::error_parts(err);
            StoreError::S3 {
                operation,
                location: self.url(key),
                code,
                message,
            }
        }

        pub(super) fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
            let request = self
                .client
                .put_object()
                .bucket(&self.bucket)
                .key(self.key(key))
                .content_type("application/json")
                .body(ByteStream::from(bytes));
            self.run(key, request.send())?
                .map(|_| ())
                .map_err(|e| self.error("PutObject", key, &e))
        }

        pub(super) fn put_file(&self, key: &str, path: &std::path::Path) -> Result<(), StoreError> {
            let content_type = match path.extension().and_then(|e| e.to_str()) {
                Some("html") => "text/html; charset=utf-8",
                Some("jsonl" | "ndjson") => "application/x-ndjson",
                Some("txt") => "text/plain; charset=utf-8",
                _ => "application/json",
            };
            let put = async {
                let body = ByteStream::from_path(path)
                    .await
                    .map_err(|e| StoreError::Read {
                        location: path.display().to_string(),
                        source: std::io::Error::other(e),
                    })?;
                self.client
                    .put_object()
                    .bucket(&self.bucket)
                    .key(self.key(key))
                    .content_type(content_type)
                    .body(body)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| self.error("PutObject", key, &e))
            };
            self.run(key, put)?
        }

        pub(super) fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
            let request = self
                .client
                .get_object()
                .bucket(&self.bucket)
                .key(self.key(key));
            let fetch = async {
                match request.send().await {
                    Ok(out) => match out.body.collect().await {
                        Ok(data) => Ok(Some(data.into_bytes().to_vec())),
                        Err(e) => Err(StoreError::S3 {
                            operation: "GetObject",
                            location: self.url(key),
                            code: "ResponseError".into(),
                            message: e.to_string(),
                        }),
                    },
                    Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => Ok(None),
                    Err(e) => Err(self.error("GetObject", key, &e)),
                }
            };
            self.run(key, fetch)?
        }

        pub(super) fn exists(&self, key: &str) -> Result<bool, StoreError> {
            let request = self
                .client
                .head_object()
                .bucket(&self.bucket)
                .key(self.key(key));
            match self.run(key, request.send())? {
                Ok(_) => Ok(true),
                Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(false),
                Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 404) => Ok(false),
                Err(e) => Err(self.error("HeadObject", key, &e)),
            }
        }

        /// The "directory" names directly under `dir/`, every page.
        pub(super) fn list_dirs(&self, dir: &str) -> Result<Vec<String>, StoreError> {
            let prefix = format!("{}/", self.key(dir));
            let list = async {
                let mut names = Vec::new();
                let mut pages = self
                    .client
                    .list_objects_v2()
                    .bucket(&self.bucket)
                    .prefix(&prefix)
                    .delimiter("/")
                    .into_paginator()
                    .send();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| self.error("ListObjectsV2", dir, &e))?;
                    for p in page.common_prefixes() {
                        if let Some(name) = p
                            .prefix()
                            .and_then(|p| p.strip_prefix(&prefix))
                            .map(|p| p.trim_end_matches('/'))
                            .filter(|p| !p.is_empty())
                        {
                            names.push(name.to_string());
                        }
                    }
                }
                names.sort();
                names.dedup();
                Ok(names)
            };
            self.run(dir, list)?
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse() {
        assert_eq!(
            Location::parse("s3://my-bucket/a/b/").expect("valid"),
            Location::S3 {
                bucket: "my-bucket".into(),
                prefix: "a/b".into()
            }
        );
        assert_eq!(
            Location::parse("s3://my-bucket").expect("valid"),
            Location::S3 {
                bucket: "my-bucket".into(),
                prefix: String::new()
            }
        );
        assert_eq!(
            Location::parse("out").expect("valid"),
            Location::Local("out".into())
        );
        for bad in ["s3://", "s3://A_B/x", "s3://ab", "s3://bucket/../x", ""] {
            assert!(Location::parse(bad).is_err(), "{bad}");
        }
        let loc = Location::parse("s3://my-bucket/run/1").expect("valid");
        assert_eq!(
            loc.display_key("accounts/111111111111/status.json"),
            "s3://my-bucket/run/1/accounts/111111111111/status.json"
        );
        assert_eq!(loc.to_string(), "s3://my-bucket/run/1");
    }

    #[test]
    fn objects_split_into_a_directory_and_a_name() {
        let (dir, name) = Location::parse("s3://bkt/manifests/org.json")
            .expect("valid")
            .split_object()
            .expect("object");
        assert_eq!(dir.to_string(), "s3://bkt/manifests");
        assert_eq!(name, "org.json");
        let (dir, name) = Location::parse("manifest.json")
            .expect("valid")
            .split_object()
            .expect("object");
        assert_eq!(dir, Location::Local(".".into()));
        assert_eq!(name, "manifest.json");
        assert!(
            Location::parse("s3://bkt")
                .expect("valid")
                .split_object()
                .is_err()
        );
    }

    #[test]
    fn local_store_puts_gets_lists() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::local(dir.path().join("out"));
        assert_eq!(store.list_accounts().expect("lists"), Vec::<String>::new());
        assert!(
            !store
                .exists("accounts/111111111111/status.json")
                .expect("checks")
        );
        assert_eq!(
            store
                .get("accounts/111111111111/status.json")
                .expect("reads"),
            None
        );
        store
            .put("accounts/222222222222/status.json", b"{}")
            .expect("writes");
        store
            .put("accounts/111111111111/report.json", b"[1]")
            .expect("writes");
        store.put("manifest.json", b"m").expect("writes");
        assert!(
            store
                .exists("accounts/222222222222/status.json")
                .expect("checks")
        );
        assert_eq!(
            store
                .get("accounts/111111111111/report.json")
                .expect("reads"),
            Some(b"[1]".to_vec())
        );
        assert_eq!(
            store.list_accounts().expect("lists"),
            ["111111111111", "222222222222"]
        );
        let file = dir.path().join("out/manifest.json");
        assert_eq!(
            read_object(&Location::Local(file.clone())).expect("reads"),
            b"m"
        );
        write_object(&Location::Local(file.clone()), b"n").expect("writes");
        assert_eq!(std::fs::read(&file).expect("reads"), b"n");
        assert!(
            read_object(&Location::Local(dir.path().join("nope.json")))
                .expect_err("missing")
                .is_not_found()
        );
    }
}
