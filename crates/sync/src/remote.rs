//! Remotes: where devices leave their sealed objects for each other.
//!
//! One crate, `object_store`, speaks all three kinds a cooperative already runs: a local
//! folder (kept in step by Syncthing or a Nextcloud client), HTTP/WebDAV (Nextcloud,
//! ownCloud, `rclone serve webdav`) and S3-compatible storage (Garage, MinIO, Ceph, any
//! cloud). It is async; a small single-threaded runtime stays inside this module, so the
//! rest of tend stays blocking. Credentials come from the environment, never the address:
//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ENDPOINT`, `AWS_REGION`,
//! `AWS_ALLOW_HTTP` for S3; `TEND_SYNC_USER` and `TEND_SYNC_PASSWORD` for WebDAV.
//!
//! Every object is written once under a name only its device writes. A write first looks
//! for the name: the same bytes there mean an earlier, interrupted sync already wrote it;
//! other bytes mean a second device writes as this one (a copied journal file).

use std::sync::Arc;
use std::time::Duration;

use futures_util::TryStreamExt;
use object_store::path::Path;
use object_store::{ClientOptions, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload};

use crate::error::{Error, Result};

/// Names the environment may give credentials by.
pub const WEBDAV_USER: &str = "TEND_SYNC_USER";
/// The WebDAV password's variable.
pub const WEBDAV_PASSWORD: &str = "TEND_SYNC_PASSWORD";

/// What kind of storage a remote is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RemoteKind {
    /// A folder on this machine (perhaps kept in step by Syncthing or a Nextcloud client).
    Folder,
    /// An HTTP/WebDAV server.
    WebDav,
    /// S3-compatible object storage.
    S3,
}

/// One remote, opened.
pub struct Remote {
    store: Arc<dyn ObjectStore>,
    root: Path,
    kind: RemoteKind,
    spec: String,
    runtime: tokio::runtime::Runtime,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Remote({:?}, {})", self.kind, self.spec)
    }
}

/// Outcome of writing one object.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Written {
    /// Newly written.
    New,
    /// Already there with the same bytes (an interrupted sync had written it).
    AlreadyThere,
    /// Already there with other bytes: left as it was.
    OtherBytes,
}

fn remote_error(e: object_store::Error) -> Error {
    // object_store's messages name paths and servers, never credentials.
    Error::Remote(e.to_string())
}

impl Remote {
    /// Opens `spec`: a folder path, `s3://bucket/prefix`, or `http(s)://…` (WebDAV).
    /// `env` looks up credentials (the process environment in the binary).
    pub fn open(spec: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Remote> {
        let shown = redacted(spec);
        let bad = |why: &str| Error::BadRemote(shown.clone(), why.to_string());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| bad(&e.to_string()))?;
        let client = || {
            ClientOptions::new()
                .with_timeout(Duration::from_secs(60))
                .with_connect_timeout(Duration::from_secs(10))
        };
        let (store, root, kind): (Arc<dyn ObjectStore>, Path, RemoteKind) = if let Some(rest) =
            spec.strip_prefix("s3://")
        {
            install_tls();
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(bad("name a bucket: s3://bucket/prefix"));
            }
            let mut b = object_store::aws::AmazonS3Builder::new()
                .with_bucket_name(bucket)
                .with_client_options(client());
            for (var, key) in [
                (
                    "AWS_ACCESS_KEY_ID",
                    object_store::aws::AmazonS3ConfigKey::AccessKeyId,
                ),
                (
                    "AWS_SECRET_ACCESS_KEY",
                    object_store::aws::AmazonS3ConfigKey::SecretAccessKey,
                ),
                (
                    "AWS_SESSION_TOKEN",
                    object_store::aws::AmazonS3ConfigKey::Token,
                ),
                ("AWS_REGION", object_store::aws::AmazonS3ConfigKey::Region),
                (
                    "AWS_ENDPOINT",
                    object_store::aws::AmazonS3ConfigKey::Endpoint,
                ),
                (
                    "AWS_ENDPOINT_URL",
                    object_store::aws::AmazonS3ConfigKey::Endpoint,
                ),
            ] {
                if let Some(v) = env(var) {
                    b = b.with_config(key, v);
                }
            }
            if env("AWS_ALLOW_HTTP").is_some_and(|v| v == "true" || v == "1") {
                b = b.with_allow_http(true);
            }
            if env("AWS_REGION").is_none() {
                b = b.with_region("garage");
            }
            let store = b.build().map_err(|e| bad(&e.to_string()))?;
            let root = Path::parse(prefix).map_err(|e| bad(&e.to_string()))?;
            (Arc::new(store), root, RemoteKind::S3)
        } else if spec.starts_with("https://") || spec.starts_with("http://") {
            install_tls();
            let url = url::Url::parse(spec).map_err(|e| bad(&e.to_string()))?;
            if !url.username().is_empty() || url.password().is_some() {
                return Err(bad(
                    "credentials do not go in the address; set TEND_SYNC_USER and TEND_SYNC_PASSWORD",
                ));
            }
            let mut options = client().with_allow_http(spec.starts_with("http://"));
            if let (Some(user), Some(password)) = (env(WEBDAV_USER), env(WEBDAV_PASSWORD)) {
                let mut headers = object_store::HeaderMap::new();
                let token = basic_auth(&user, &password);
                let mut value = object_store::HeaderValue::from_str(&token).map_err(|_| {
                    bad("the WebDAV user or password holds characters a header cannot")
                })?;
                value.set_sensitive(true);
                headers.insert("authorization", value);
                options = options.with_default_headers(headers);
            }
            // The store speaks to the server's origin and the folder is the root of every
            // name, so a missing folder is made (MKCOL, parents first) on the first write.
            let root = Path::from_url_path(url.path()).map_err(|e| bad(&e.to_string()))?;
            let origin = url.origin().ascii_serialization();
            let store = object_store::http::HttpBuilder::new()
                .with_url(origin)
                .with_client_options(options)
                .build()
                .map_err(|e| bad(&e.to_string()))?;
            (Arc::new(store), root, RemoteKind::WebDav)
        } else if spec.contains("://") {
            return Err(bad(
                "use a folder path, s3://bucket/prefix, or an https:// WebDAV address",
            ));
        } else {
            let folder = std::path::Path::new(spec);
            std::fs::create_dir_all(folder).map_err(|e| bad(&e.to_string()))?;
            let store = object_store::local::LocalFileSystem::new_with_prefix(folder)
                .map_err(|e| bad(&e.to_string()))?;
            (Arc::new(store), Path::default(), RemoteKind::Folder)
        };
        Ok(Remote {
            store,
            root,
            kind,
            spec: spec.to_string(),
            runtime,
        })
    }

    /// What kind of storage this is.
    pub fn kind(&self) -> RemoteKind {
        self.kind
    }

    /// The address it was opened with.
    pub fn spec(&self) -> &str {
        &self.spec
    }

    fn path(&self, name: &str) -> Path {
        let mut p = self.root.clone();
        for part in name.split('/') {
            p = p.clone().join(part);
        }
        p
    }

    /// Reads one object; `None` when there is none by that name.
    pub fn get(&self, name: &str) -> Result<Option<Vec<u8>>> {
        let path = self.path(name);
        self.runtime.block_on(async {
            match self.store.get(&path).await {
                Ok(r) => Ok(Some(r.bytes().await.map_err(remote_error)?.to_vec())),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(remote_error(e)),
            }
        })
    }

    /// Writes one object that must not change once written (see the module's notes).
    pub fn put_once(&self, name: &str, bytes: &[u8]) -> Result<Written> {
        if let Some(there) = self.get(name)? {
            return Ok(if there == bytes {
                Written::AlreadyThere
            } else {
                Written::OtherBytes
            });
        }
        let path = self.path(name);
        let payload = PutPayload::from(bytes.to_vec());
        let outcome = self.runtime.block_on(async {
            let create = PutOptions {
                mode: PutMode::Create,
                ..Default::default()
            };
            match self.store.put_opts(&path, payload.clone(), create).await {
                Err(object_store::Error::NotImplemented { .. }) => {}
                other => return other.map(|_| ()),
            }
            // WebDAV has no conditional write: write under a private name, then COPY with
            // `Overwrite: F`, which the server does at once or refuses.
            let staging = self.path(&format!("tmp/{:032x}", rand::random::<u128>()));
            self.store.put(&staging, payload.clone()).await?;
            let copied = self.store.copy_if_not_exists(&staging, &path).await;
            let _ = self.store.delete(&staging).await;
            match copied {
                Err(object_store::Error::NotImplemented { .. }) => {
                    self.store.put(&path, payload).await.map(|_| ())
                }
                other => other,
            }
        });
        match outcome {
            Ok(()) => Ok(Written::New),
            Err(object_store::Error::AlreadyExists { .. })
            | Err(object_store::Error::Precondition { .. }) => match self.get(name)? {
                Some(there) if there == bytes => Ok(Written::AlreadyThere),
                _ => Ok(Written::OtherBytes),
            },
            Err(e) => Err(remote_error(e)),
        }
    }

    /// Removes one object (compaction); one already gone is no error.
    pub fn delete(&self, name: &str) -> Result<()> {
        let path = self.path(name);
        self.runtime.block_on(async {
            match self.store.delete(&path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(remote_error(e)),
            }
        })
    }

    /// Names (relative to the remote) and sizes of every object under `prefix`, sorted.
    pub fn list(&self, prefix: &str) -> Result<Vec<(String, u64)>> {
        let base = self.path(prefix);
        let root = self.root.clone();
        let mut out: Vec<(String, u64)> = self.runtime.block_on(async {
            let items: Vec<_> = match self.store.list(Some(&base)).try_collect().await {
                Ok(items) => items,
                Err(object_store::Error::NotFound { .. }) => Vec::new(),
                Err(e) => return Err(remote_error(e)),
            };
            Ok(items
                .into_iter()
                .filter_map(|meta| {
                    let full = meta.location.as_ref();
                    let rel = if root.as_ref().is_empty() {
                        full.to_string()
                    } else {
                        full.strip_prefix(root.as_ref())?
                            .trim_start_matches('/')
                            .to_string()
                    };
                    Some((rel, meta.size))
                })
                .collect())
        })?;
        out.sort();
        Ok(out)
    }
}

fn install_tls() {
    // Several remotes in one process: only the first installation takes, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn basic_auth(user: &str, password: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}");
    let bytes = input.as_bytes();
    let mut out = String::from("Basic ");
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `spec` as errors may show it: an address's user and password replaced by `…`.
fn redacted(spec: &str) -> String {
    match spec.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            match authority.rsplit_once('@') {
                Some((_, host)) => format!("{scheme}://…@{host}{path}"),
                None => spec.to_owned(),
            }
        }
        None => spec.to_owned(),
    }
}

#[cfg(test)]
mod redaction_tests {
    #[test]
    fn credentials_in_an_address_are_never_repeated() {
        assert_eq!(
            super::redacted("https://member:secret@example.org/dav/tend"),
            "https://…@example.org/dav/tend"
        );
        assert_eq!(super::redacted("s3://bucket/prefix"), "s3://bucket/prefix");
        assert_eq!(super::redacted("/home/me/sync"), "/home/me/sync");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_is_base64() {
        assert_eq!(
            basic_auth("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert_eq!(basic_auth("a", "b"), "Basic YTpi");
    }

    #[test]
    fn addresses_that_cannot_work_are_refused_with_a_reason() {
        let none = |_: &str| None;
        assert!(matches!(
            Remote::open("ftp://x/y", &none),
            Err(Error::BadRemote(..))
        ));
        assert!(matches!(
            Remote::open("s3:///prefix", &none),
            Err(Error::BadRemote(..))
        ));
        assert!(matches!(
            Remote::open("https://me:secret@example.org/dav", &none),
            Err(Error::BadRemote(..))
        ));
    }

    #[test]
    fn a_folder_writes_once_and_lists() {
        let dir = tempfile::tempdir().expect("tempdir");
        let r = Remote::open(dir.path().to_str().expect("utf-8"), &|_| None).expect("opens");
        assert_eq!(r.put_once("log/a/1", b"one").expect("writes"), Written::New);
        assert_eq!(
            r.put_once("log/a/1", b"one").expect("again"),
            Written::AlreadyThere
        );
        assert_eq!(
            r.put_once("log/a/1", b"two").expect("left"),
            Written::OtherBytes
        );
        assert_eq!(r.get("log/a/1").expect("reads"), Some(b"one".to_vec()));
        r.put_once("log/b/1", b"x").expect("writes");
        let names: Vec<_> = r
            .list("log")
            .expect("lists")
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, vec!["log/a/1", "log/b/1"]);
        assert_eq!(r.get("log/a/1").expect("reads"), Some(b"one".to_vec()));
        assert_eq!(r.get("log/zz").expect("reads"), None);
        assert!(r.list("nothing").expect("lists").is_empty());
    }
}
