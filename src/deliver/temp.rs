//! Temporary output files. Every file mixc writes goes first to
//! `.NAME.mixc-tmp-PID` beside its target (same folder, so the final rename
//! is atomic; hidden, so nothing half-written looks like output) and is
//! renamed into place only when complete.
//!
//! This module names those files, keeps a list of the live ones so that a
//! terminating signal can remove them ([`remove_all_and_hold`]), and removes
//! the ones a killed run left behind (`kill -9`, a power cut) the next time
//! anything is written to the same folder.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Between the target's name and the PID of the process that writes it.
const MARK: &str = ".mixc-tmp-";

/// Temporary files of this process not yet renamed or removed.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic elsewhere while holding the list leaves it valid: paths only.
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `.NAME.mixc-tmp-PID` beside `target`.
pub fn path_for(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}{MARK}{}", std::process::id()))
}

/// A temporary file beside its target: removed when dropped, unless
/// [`commit`](TempFile::commit) renamed it into place.
#[derive(Debug)]
pub struct TempFile {
    tmp: PathBuf,
    target: PathBuf,
}

impl TempFile {
    /// Reserves the temporary path for `target` (the caller creates the
    /// file) and removes temporary files that dead runs left in its folder.
    pub fn new(target: &Path) -> TempFile {
        let tmp = path_for(target);
        remove_stale(target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")));
        live().push(tmp.clone());
        TempFile { tmp, target: target.into() }
    }

    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Moves the finished file into place.
    pub fn commit(self) -> io::Result<()> {
        std::fs::rename(&self.tmp, &self.target)?;
        forget(&self.tmp);
        std::mem::forget(self);
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.tmp);
        forget(&self.tmp);
    }
}

fn forget(tmp: &Path) {
    let mut live = live();
    if let Some(i) = live.iter().position(|p| p == tmp) {
        live.swap_remove(i);
    }
}

/// Removes every live temporary file and keeps the list locked, so no new
/// one can be registered: for a signal handler that then ends the process.
/// Outputs already renamed into place are complete and stay.
pub fn remove_all_and_hold() {
    let live = live();
    for tmp in live.iter() {
        let _ = std::fs::remove_file(tmp);
    }
    // Held until the process exits: a writer that asks for a new temporary
    // file now waits instead of creating one the exit would leave behind.
    std::mem::forget(live);
}

/// Removes `.NAME.mixc-tmp-PID` files in `dir` whose process is gone.
pub fn remove_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let own = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(writer_pid) else { continue };
        if pid != own && !process_alive(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The PID in a temporary file's name, or `None` for any other name.
pub fn writer_pid(name: &str) -> Option<u32> {
    if !name.starts_with('.') {
        return None;
    }
    let (_, pid) = name.rsplit_once(MARK)?;
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Whether process `pid` still runs (or may: when it cannot be told).
#[cfg(unix)]
pub fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return true };
    // SAFETY: signal 0 only checks that the process exists; nothing is sent.
    let found = unsafe { libc::kill(pid, 0) } == 0;
    // EPERM: it exists and belongs to someone else, who may still be writing.
    found || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
pub fn process_alive(_pid: u32) -> bool {
    // No cheap check here: leave the file rather than remove a live one.
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_temporary_names_carry_a_pid() {
        assert_eq!(writer_pid(".song.wav.mixc-tmp-4242"), Some(4242));
        assert_eq!(writer_pid("song.wav.mixc-tmp-4242"), None);
        assert_eq!(writer_pid(".song.wav.mixc-tmp-"), None);
        assert_eq!(writer_pid(".song.wav.mixc-tmp-12x"), None);
        assert_eq!(writer_pid(".song.wav"), None);
    }

    #[test]
    fn stale_files_of_dead_runs_go_and_live_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        // PID 2^22 + 1 is above Linux's pid_max limit, so no process has it.
        let dead = dir.path().join(".a.wav.mixc-tmp-4194305");
        let mine = path_for(&dir.path().join("b.wav"));
        let other = dir.path().join("notes.mixc-tmp-1");
        for p in [&dead, &mine, &other] {
            std::fs::write(p, b"x").unwrap();
        }
        remove_stale(dir.path());
        assert!(!dead.exists());
        assert!(mine.exists(), "this process's own file is live");
        assert!(other.exists(), "not a temporary file's name");
    }

    #[test]
    fn dropped_files_are_removed_and_committed_ones_renamed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.wav");
        let tmp = TempFile::new(&target);
        std::fs::write(tmp.path(), b"abc").unwrap();
        tmp.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"abc");
        let tmp = TempFile::new(&target);
        std::fs::write(tmp.path(), b"half").unwrap();
        let path = tmp.path().to_path_buf();
        drop(tmp);
        assert!(!path.exists());
        assert_eq!(std::fs::read(&target).unwrap(), b"abc");
        assert!(!live().contains(&path));
    }
}
