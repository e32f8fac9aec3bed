//! The cross-process token cache: processes of one user on one host share tokens through files.
//!
//! One file per (endpoint, fleet, compute) under the cache directory (mode 0700), each mode 0600,
//! written to a temporary file and renamed, opened without following symlinks, and ignored when
//! it is not a regular file owned by the current user with no group/other permission, or when it
//! does not parse. A corrupt or unreadable file is a miss, never an error. An advisory lock per
//! key makes processes that start at once wait for one fetch instead of each sending one.

use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::token_cache::{Token, epoch_ms};
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};
use zeroize::Zeroize;

/// Largest cache file read; a bigger one is ignored.
const MAX_FILE: u64 = 8 * 1024;
/// How often a process waiting for another's lock looks again.
const LOCK_POLL: Duration = Duration::from_millis(5);

/// A cache directory.
#[derive(Debug, Clone)]
pub struct SharedCache {
    dir: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    v: u32,
    endpoint: String,
    fleet: String,
    compute: String,
    token: String,
    expires_at_ms: i64,
    fetched_at_ms: i64,
}

impl Drop for Entry {
    fn drop(&mut self) {
        self.token.zeroize();
    }
}

/// A held advisory lock; released on drop.
#[derive(Debug)]
pub struct Lock(#[allow(dead_code)] File);

fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn from_ms(ms: i64) -> Option<SystemTime> {
    u64::try_from(ms)
        .ok()
        .map(|ms| SystemTime::UNIX_EPOCH + Duration::from_millis(ms))
}

#[cfg(unix)]
mod os {
    use std::fs::{File, Metadata, OpenOptions};
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
    use std::path::Path;

    pub fn secure_dir(dir: &Path) -> std::io::Result<Result<(), String>> {
        let mut b = std::fs::DirBuilder::new();
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.recursive(true).create(dir)?;
        let md = std::fs::symlink_metadata(dir)?;
        if !md.is_dir() {
            return Ok(Err("is not a directory (or is a symlink)".into()));
        }
        // SAFETY: geteuid has no preconditions.
        if md.uid() != unsafe { libc::geteuid() } {
            return Ok(Err("is not owned by the current user".into()));
        }
        if md.mode() & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(Ok(()))
    }

    pub fn open_read(path: &Path) -> std::io::Result<File> {
        OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK)
            .open(path)
    }

    pub fn create_new(path: &Path) -> std::io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(path)
    }

    pub fn open_lock(path: &Path) -> std::io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(path)
    }

    /// A file we may trust: regular, ours, no group/other permission.
    pub fn trusted(md: &Metadata) -> bool {
        // SAFETY: geteuid has no preconditions.
        md.is_file() && md.uid() == unsafe { libc::geteuid() } && md.mode() & 0o077 == 0
    }
}

#[cfg(windows)]
mod os {
    // Windows: the directory lives in the user's profile, whose ACL already keeps other users
    // out; symlinks need privileges to create. Ownership is not checked here.
    use std::fs::{File, Metadata, OpenOptions};
    use std::path::Path;

    pub fn secure_dir(dir: &Path) -> std::io::Result<Result<(), String>> {
        std::fs::create_dir_all(dir)?;
        let md = std::fs::symlink_metadata(dir)?;
        Ok(if md.is_dir() {
            Ok(())
        } else {
            Err("is not a directory (or is a symlink)".into())
        })
    }

    pub fn open_read(path: &Path) -> std::io::Result<File> {
        if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
            return Err(std::io::Error::other("symlink"));
        }
        File::open(path)
    }

    pub fn create_new(path: &Path) -> std::io::Result<File> {
        OpenOptions::new().write(true).create_new(true).open(path)
    }

    pub fn open_lock(path: &Path) -> std::io::Result<File> {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(std::io::Error::other("symlink"));
        }
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
    }

    pub fn trusted(md: &Metadata) -> bool {
        md.is_file()
    }
}

impl SharedCache {
    /// Opens (creating it with mode 0700 if needed) the cache directory. A directory that is not
    /// ours, or not a directory, is a configuration error.
    pub fn open(dir: &Path) -> Result<Self> {
        match os::secure_dir(dir) {
            Ok(Ok(())) => Ok(SharedCache {
                dir: dir.to_path_buf(),
            }),
            Ok(Err(why)) => Err(Error::config(format!(
                "the token cache directory {} {why}",
                dir.display()
            ))),
            Err(e) => Err(Error::config(format!(
                "cannot use the token cache directory {}: {e}",
                dir.display()
            ))),
        }
    }

    fn file_name(endpoint: &str, fleet: &str, compute: &str) -> String {
        format!("token-{:016x}", fnv1a(&[endpoint, fleet, compute]))
    }

    fn path(&self, endpoint: &str, fleet: &str, compute: &str) -> PathBuf {
        self.dir.join(Self::file_name(endpoint, fleet, compute))
    }

    /// The token stored for the key, if a trusted, well-formed file holds it.
    pub fn read(&self, endpoint: &str, fleet: &str, compute: &str) -> Option<Token> {
        let path = self.path(endpoint, fleet, compute);
        let mut file = match os::open_read(&path) {
            Ok(f) => f,
            Err(e) => {
                if e.kind() != std::io::ErrorKind::NotFound {
                    crate::log_debug!("token cache: ignoring {}: {e}", path.display());
                }
                return None;
            }
        };
        let md = file.metadata().ok()?;
        if !os::trusted(&md) || md.len() > MAX_FILE {
            crate::log_warn!(
                "token cache: ignoring {}: not a private regular file of this user",
                path.display()
            );
            return None;
        }
        let mut bytes = Vec::with_capacity(md.len() as usize);
        let read = Read::by_ref(&mut file)
            .take(MAX_FILE)
            .read_to_end(&mut bytes);
        let entry: Option<Entry> = read.ok().and_then(|_| serde_json::from_slice(&bytes).ok());
        bytes.zeroize();
        let Some(mut e) = entry else {
            crate::log_debug!("token cache: ignoring {}: corrupt", path.display());
            return None;
        };
        if e.v != 1
            || e.endpoint != endpoint
            || e.fleet != fleet
            || e.compute != compute
            || e.token.is_empty()
        {
            return None;
        }
        let (Some(expires_at), Some(fetched_at)) =
            (from_ms(e.expires_at_ms), from_ms(e.fetched_at_ms))
        else {
            return None;
        };
        if fetched_at > expires_at {
            return None;
        }
        Some(Token {
            value: Secret::new(std::mem::take(&mut e.token)),
            expires_at,
            fetched_at,
        })
    }

    /// Stores `token` for the key: a new private file, renamed over the old one. Failures are
    /// logged and otherwise ignored (the cache is an optimisation).
    pub fn write(&self, endpoint: &str, fleet: &str, compute: &str, token: &Token) {
        if let Err(e) = self.try_write(endpoint, fleet, compute, token) {
            crate::log_warn!("token cache: cannot write to {}: {e}", self.dir.display());
        }
    }

    fn try_write(
        &self,
        endpoint: &str,
        fleet: &str,
        compute: &str,
        token: &Token,
    ) -> std::io::Result<()> {
        let entry = Entry {
            v: 1,
            endpoint: endpoint.to_owned(),
            fleet: fleet.to_owned(),
            compute: compute.to_owned(),
            token: token.value.expose().to_owned(),
            expires_at_ms: epoch_ms(token.expires_at),
            fetched_at_ms: epoch_ms(token.fetched_at),
        };
        let mut bytes = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
        let name = Self::file_name(endpoint, fleet, compute);
        let tmp = self.dir.join(format!(
            ".{name}.{}.{}.tmp",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        let result = (|| {
            let mut f = os::create_new(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_data()?;
            drop(f);
            fs::rename(&tmp, self.dir.join(&name))
        })();
        bytes.zeroize();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    /// Deletes the key's file (invalidation): other processes fetch anew too.
    pub fn remove(&self, endpoint: &str, fleet: &str, compute: &str) {
        let path = self.path(endpoint, fleet, compute);
        if let Err(e) = fs::remove_file(&path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            crate::log_warn!("token cache: cannot remove {}: {e}", path.display());
        }
    }

    /// Takes the key's advisory lock, waiting for another process that holds it until
    /// `deadline`. `None` when the lock cannot be had (then the caller goes on without it).
    pub fn lock(
        &self,
        endpoint: &str,
        fleet: &str,
        compute: &str,
        deadline: Instant,
    ) -> Option<Lock> {
        let path = self.dir.join(format!(
            "{}.lock",
            Self::file_name(endpoint, fleet, compute)
        ));
        let file = match os::open_lock(&path) {
            Ok(f) => f,
            Err(e) => {
                crate::log_warn!("token cache: cannot open the lock {}: {e}", path.display());
                return None;
            }
        };
        if !file.metadata().is_ok_and(|m| os::trusted(&m)) {
            crate::log_warn!(
                "token cache: ignoring the lock {}: not ours",
                path.display()
            );
            return None;
        }
        loop {
            match file.try_lock() {
                Ok(()) => return Some(Lock(file)),
                Err(fs::TryLockError::WouldBlock) => {
                    if Instant::now() + LOCK_POLL >= deadline {
                        return None;
                    }
                    std::thread::sleep(LOCK_POLL);
                }
                Err(fs::TryLockError::Error(e)) => {
                    crate::log_warn!("token cache: cannot lock {}: {e}", path.display());
                    return None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!(
            "gamelift-auth-shared-{name}-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        let _ = fs::remove_dir_all(&d);
        d
    }

    fn token(v: &str) -> Token {
        let now = SystemTime::now();
        Token {
            value: Secret::from(v),
            expires_at: now + Duration::from_secs(3600),
            fetched_at: now,
        }
    }

    #[test]
    fn round_trip_and_private_modes() {
        let d = dir("rt");
        let c = SharedCache::open(&d).unwrap();
        assert!(c.read("e", "fleet-1", "c").is_none());
        c.write("e", "fleet-1", "c", &token("tok-1"));
        let t = c.read("e", "fleet-1", "c").unwrap();
        assert_eq!(t.value.expose(), "tok-1");
        assert!(c.read("e", "fleet-1", "other").is_none());
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            assert_eq!(fs::metadata(&d).unwrap().mode() & 0o777, 0o700);
            let f = d.join(SharedCache::file_name("e", "fleet-1", "c"));
            assert_eq!(fs::metadata(f).unwrap().mode() & 0o777, 0o600);
        }
        fs::remove_dir_all(d).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn bad_files_are_misses() {
        use std::os::unix::fs::PermissionsExt;
        let d = dir("bad");
        let c = SharedCache::open(&d).unwrap();
        let f = d.join(SharedCache::file_name("e", "fleet-1", "c"));
        // Garbage.
        fs::write(&f, b"\x00\xffnot json").unwrap();
        fs::set_permissions(&f, fs::Permissions::from_mode(0o600)).unwrap();
        assert!(c.read("e", "fleet-1", "c").is_none());
        // Truncated.
        c.write("e", "fleet-1", "c", &token("tok-2"));
        let full = fs::read(&f).unwrap();
        fs::write(&f, &full[..full.len() / 2]).unwrap();
        assert!(c.read("e", "fleet-1", "c").is_none());
        // Too open a mode.
        fs::write(&f, &full).unwrap();
        fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(c.read("e", "fleet-1", "c").is_none());
        // A symlink to a valid file.
        let real = d.join("real");
        fs::write(&real, &full).unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o600)).unwrap();
        fs::remove_file(&f).unwrap();
        std::os::unix::fs::symlink(&real, &f).unwrap();
        assert!(c.read("e", "fleet-1", "c").is_none());
        // Writing replaces the symlink itself, never the file it points to.
        c.write("e", "fleet-1", "c", &token("tok-3"));
        assert_eq!(c.read("e", "fleet-1", "c").unwrap().value.expose(), "tok-3");
        assert_eq!(fs::read(&real).unwrap(), full);
        fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn lock_excludes_and_times_out() {
        let d = dir("lock");
        let c = SharedCache::open(&d).unwrap();
        let soon = Instant::now() + Duration::from_secs(5);
        let held = c.lock("e", "fleet-1", "c", soon).unwrap();
        let t0 = Instant::now();
        assert!(
            c.lock(
                "e",
                "fleet-1",
                "c",
                Instant::now() + Duration::from_millis(50)
            )
            .is_none()
        );
        assert!(t0.elapsed() < Duration::from_secs(2));
        drop(held);
        assert!(c.lock("e", "fleet-1", "c", soon).is_some());
        fs::remove_dir_all(d).unwrap();
    }
}
