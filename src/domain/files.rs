//! Uploaded files on disk (visit photos, the resource library): kept under the upload
//! directory (`TONGXING_UPLOAD_DIR`) in one folder per kind, under names the program makes
//! (random, with the extension of the type found in the content), never the name the
//! browser sent. A file written for a row that is not yet committed is a `StoredFile`:
//! dropped without `keep`, it is removed again, so a failed save leaves no orphan behind.
use std::path::{Path, PathBuf};

use crate::error::{AppError, AppResult};

/// Where uploads live, as managed state.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
    /// The largest file taken, in bytes (`TONGXING_UPLOAD_MAX_MB`).
    pub max_bytes: u64,
}

/// A file on disk that is removed when dropped, unless `keep` was called (after the row
/// that names it was committed).
#[derive(Debug)]
pub struct StoredFile {
    path: PathBuf,
    name: String,
    kept: bool,
}

impl StoredFile {
    /// The generated name, to store in the row.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The row is committed: the file stays.
    pub fn keep(mut self) -> String {
        self.kept = true;
        std::mem::take(&mut self.name)
    }
}

impl Drop for StoredFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Whether `name` is one this program made (letters, digits, one dot): a name read from the
/// database or a URL can never reach outside its folder.
fn is_generated(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && !name.starts_with('.')
        && !name.contains("..")
}

impl FileStore {
    pub fn new(root: PathBuf, max_bytes: u64) -> FileStore {
        FileStore { root, max_bytes }
    }

    fn folder(&self, area: &str) -> PathBuf {
        self.root.join(area)
    }

    /// The path of a stored file, or `None` for a name this program did not make.
    pub fn path(&self, area: &str, name: &str) -> Option<PathBuf> {
        is_generated(name).then(|| self.folder(area).join(name))
    }

    /// Writes `bytes` as a new file of `area` with extension `ext` (written to a temporary
    /// name, then renamed, so a half-written file is never seen under its name).
    pub async fn put(&self, area: &str, ext: &str, bytes: &[u8]) -> AppResult<StoredFile> {
        let dir = self.folder(area);
        tokio::fs::create_dir_all(&dir).await?;
        let name = format!("{}.{ext}", hex::encode(rand::random::<[u8; 16]>()));
        if !is_generated(&name) {
            return Err(AppError::Unexpected(format!("bad file extension {ext:?}")));
        }
        let path = dir.join(&name);
        let partial = dir.join(format!("{name}.part"));
        if let Err(e) = write_then_rename(&partial, &path, bytes).await {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(e.into());
        }
        Ok(StoredFile {
            path,
            name,
            kept: false,
        })
    }

    /// Reads a stored file (`NotFound` when it is gone or the name is not one of ours).
    pub async fn read(&self, area: &str, name: &str) -> AppResult<Vec<u8>> {
        let path = self.path(area, name).ok_or(AppError::NotFound)?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(AppError::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes a stored file after its row was deleted (a missing file is not an error).
    pub async fn remove(&self, area: &str, name: &str) {
        if let Some(path) = self.path(area, name)
            && let Err(e) = tokio::fs::remove_file(&path).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(file = %path.display(), error = %e, "could not remove an upload");
        }
    }

    /// The files of `area` (for tests and checks: what is on disk).
    pub fn names(&self, area: &str) -> Vec<String> {
        let mut out: Vec<String> = std::fs::read_dir(self.folder(area))
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        out.sort();
        out
    }
}

async fn write_then_rename(partial: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    tokio::fs::write(partial, bytes).await?;
    tokio::fs::rename(partial, path).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_generated_names_make_paths() {
        let store = FileStore::new(PathBuf::from("/tmp/x"), 10);
        assert!(store.path("photos", "0a1b2c.jpg").is_some());
        for bad in [
            "../etc/passwd",
            "a/b.jpg",
            "",
            ".hidden",
            "a..b",
            "A.JPG",
            "x\\y",
        ] {
            assert!(store.path("photos", bad).is_none(), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn a_file_not_kept_is_removed() {
        let dir = tempfile::tempdir().expect("dir");
        let store = FileStore::new(dir.path().to_path_buf(), 10);
        let dropped = store.put("t", "bin", b"abc").await.expect("put");
        let name = dropped.name().to_string();
        assert_eq!(store.names("t"), vec![name.clone()]);
        drop(dropped);
        assert!(store.names("t").is_empty(), "removed when not kept");
        let kept = store.put("t", "bin", b"abc").await.expect("put").keep();
        assert_eq!(store.read("t", &kept).await.expect("read"), b"abc");
        store.remove("t", &kept).await;
        assert!(store.names("t").is_empty());
    }
}
