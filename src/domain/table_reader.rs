//! Reading an uploaded file in a separate process. A spreadsheet reader trusts sizes written
//! inside the file; `imports::read_table` checks them first, but should a crafted file still
//! make an allocation fail, the process that aborts is a short-lived `tongxing read-table`
//! with a memory limit, not the server: the upload is refused as unreadable and the server
//! goes on.
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::domain::imports::{self, Table};
use crate::error::{AppError, AppResult, Msg};

/// The child's address space at most: far above what a file within the import limits needs.
pub const CHILD_MEMORY_BYTES: u64 = 1024 * 1024 * 1024;
/// A file that takes longer than this to read is refused.
const CHILD_SECONDS: u64 = 60;

/// How uploads are read: in a child process (the default: the running program itself, as
/// `tongxing read-table`), or in this process (for embedding without the binary).
#[derive(Debug, Clone)]
pub enum TableReader {
    Program(PathBuf),
    InProcess,
}

/// What the child answers on standard output.
#[derive(Debug, Serialize, Deserialize)]
pub enum Outcome {
    Table(Table),
    Refused {
        key: String,
        args: Vec<(String, String)>,
    },
}

impl TableReader {
    /// The running program, or `path` when given (tests name the built binary).
    pub fn from_config(path: Option<PathBuf>) -> TableReader {
        match path.or_else(|| std::env::current_exe().ok()) {
            Some(p) => TableReader::Program(p),
            None => TableReader::InProcess,
        }
    }

    /// Reads an upload; `Err(msg)` is a whole-file problem to show on the form.
    pub async fn read(&self, bytes: Vec<u8>) -> AppResult<Result<Table, Msg>> {
        let reader = self.clone();
        tokio::task::spawn_blocking(move || match reader {
            TableReader::InProcess => Ok(imports::read_table(&bytes)),
            TableReader::Program(exe) => read_in_child(&exe, &bytes),
        })
        .await
        .map_err(|e| AppError::Unexpected(format!("import task: {e}")))?
    }
}

fn read_in_child(exe: &std::path::Path, bytes: &[u8]) -> AppResult<Result<Table, Msg>> {
    let spawned = Command::new(exe)
        .arg("read-table")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .env_remove("RUST_LOG")
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            // The program cannot be started (say, replaced on disk by an upgrade while
            // running): read here, behind the checks `read_table` makes first.
            tracing::warn!(
                "cannot start the import reader {}: {e}; reading in this process",
                exe.display()
            );
            return Ok(imports::read_table(bytes));
        }
    };
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| AppError::Unexpected("child stdin".into()))?;
    let mut stdout = child
        .stdout
        .take()
        .ok_or_else(|| AppError::Unexpected("child stdout".into()))?;
    // Write and read on two threads, so neither side can block the other on a full pipe.
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        let _ = stdout.read_to_end(&mut out);
        out
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() < Duration::from_secs(CHILD_SECONDS) => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(None) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    let unreadable = || Ok(Err(Msg::new("import-err-unreadable")));
    match status {
        Some(s) if s.success() => match serde_json::from_slice::<Outcome>(&out) {
            Ok(Outcome::Table(t)) => Ok(Ok(t)),
            Ok(Outcome::Refused { key, args }) => Ok(Err(Msg { key, args })),
            Err(_) => unreadable(),
        },
        Some(s) => {
            tracing::warn!("the import reader ended without an answer ({s}): file refused");
            unreadable()
        }
        None => {
            tracing::warn!("the import reader took too long: file refused");
            unreadable()
        }
    }
}

/// The child's side (`tongxing read-table`): limits its own memory, reads the file from
/// standard input and writes the outcome as JSON to standard output.
pub fn child_main() -> std::io::Result<()> {
    limit_memory(CHILD_MEMORY_BYTES);
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(imports::MAX_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    let outcome = match imports::read_table(&bytes) {
        Ok(t) => Outcome::Table(t),
        Err(m) => Outcome::Refused {
            key: m.key,
            args: m.args,
        },
    };
    let json = serde_json::to_vec(&outcome).map_err(std::io::Error::other)?;
    std::io::stdout().write_all(&json)
}

#[cfg(unix)]
fn limit_memory(bytes: u64) {
    let limit = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: setrlimit only reads the struct passed by reference; it changes this (child)
    // process's own limit and nothing else.
    unsafe {
        libc::setrlimit(libc::RLIMIT_AS, &limit);
    }
}

#[cfg(not(unix))]
fn limit_memory(_bytes: u64) {}
