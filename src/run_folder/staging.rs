//! The one way capsim writes to disk: into a temporary folder or file beside the destination,
//! moved into place only when everything in it is written. A failure leaves nothing
//! half-written, and capsim only ever replaces what it recognises as its own.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use tempfile::TempDir;

use super::is_run_folder;
use crate::error::InputError;

/// What is at a run folder's destination now, checked before any work is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Nothing there yet.
    New(PathBuf),
    /// An empty folder, or a folder written by an earlier capsim run: replaced whole.
    Replace(PathBuf),
}

impl Destination {
    pub fn path(&self) -> &Path {
        match self {
            Destination::New(p) | Destination::Replace(p) => p,
        }
    }

    /// Checks `dest` as the destination of a run folder. Anything that is not absent, empty or
    /// an earlier capsim run (a user's folder, a file, the current folder) is refused, so no
    /// run can destroy what it did not create.
    pub fn check_folder(dest: &Path) -> Result<Self, InputError> {
        let refuse = |why: &str| {
            InputError::new(
                dest.display().to_string(),
                "--out",
                format!(
                    "{why}; capsim writes a run folder there and replaces only an empty folder or \
                     its own earlier run. Choose another --out"
                ),
            )
        };
        let meta = match fs::symlink_metadata(dest) {
            Err(_) => return Ok(Destination::New(dest.to_path_buf())),
            Ok(m) => m,
        };
        if meta.file_type().is_symlink() {
            return Err(refuse("is a symbolic link"));
        }
        if !meta.is_dir() {
            return Err(refuse("exists and is not a folder"));
        }
        if contains_current_folder(dest) {
            return Err(refuse("is the current folder or contains it"));
        }
        let empty = fs::read_dir(dest)
            .map_err(|e| refuse(&format!("cannot be read ({e})")))?
            .next()
            .is_none();
        if empty || is_run_folder(dest) {
            Ok(Destination::Replace(dest.to_path_buf()))
        } else {
            Err(refuse(
                "exists and is not a capsim run folder (it has no run.json)",
            ))
        }
    }

    /// Checks `dest` as the destination of a single output file: absent, or a file `is_own`
    /// recognises as capsim's (e.g. an earlier export).
    pub fn check_file(dest: &Path, is_own: impl Fn(&Path) -> bool) -> Result<Self, InputError> {
        let refuse = |why: &str| {
            InputError::new(
                dest.display().to_string(),
                "--out",
                format!("{why}; capsim replaces only a file it wrote itself. Choose another --out"),
            )
        };
        match fs::symlink_metadata(dest) {
            Err(_) => Ok(Destination::New(dest.to_path_buf())),
            Ok(m) if m.is_file() && is_own(dest) => Ok(Destination::Replace(dest.to_path_buf())),
            Ok(m) if m.is_file() => Err(refuse("exists and was not written by capsim")),
            Ok(_) => Err(refuse("exists and is not a regular file")),
        }
    }
}

/// Whether `dir` is the current working folder or one of its ancestors.
fn contains_current_folder(dir: &Path) -> bool {
    match (dir.canonicalize(), std::env::current_dir()) {
        (Ok(d), Ok(cwd)) => cwd.starts_with(d),
        _ => false,
    }
}

/// The folder a destination lives in, created when missing.
fn parent_of(dest: &Path) -> anyhow::Result<PathBuf> {
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    Ok(parent.to_path_buf())
}

/// A folder being written beside its destination; deleted if dropped before [`commit`].
///
/// [`commit`]: StagedFolder::commit
pub struct StagedFolder {
    tmp: TempDir,
    dest: Destination,
}

impl StagedFolder {
    pub fn new(dest: Destination) -> anyhow::Result<Self> {
        let parent = parent_of(dest.path())?;
        let tmp = tempfile::Builder::new()
            .prefix(".capsim-staging-")
            .tempdir_in(&parent)
            .with_context(|| format!("creating a staging folder in {}", parent.display()))?;
        Ok(StagedFolder { tmp, dest })
    }

    /// Stages files to be moved one by one into the existing folder `dir`
    /// ([`commit_files_into`](StagedFolder::commit_files_into)).
    pub fn inside(dir: &Path) -> anyhow::Result<Self> {
        let tmp = tempfile::Builder::new()
            .prefix(".capsim-staging-")
            .tempdir_in(dir)
            .with_context(|| format!("creating a staging folder in {}", dir.display()))?;
        Ok(StagedFolder {
            tmp,
            dest: Destination::Replace(dir.to_path_buf()),
        })
    }

    /// The staging folder itself.
    pub fn dir(&self) -> &Path {
        self.tmp.path()
    }

    /// Moves the finished folder into place. An earlier run there is moved aside first and
    /// deleted only once the new folder is in place; if the move fails, it is put back.
    pub fn commit(self) -> anyhow::Result<PathBuf> {
        let dest = self.dest.path().to_path_buf();
        // The destination was checked before the run; check again in case it changed since.
        let current = Destination::check_folder(&dest)?;
        // Where an earlier run is moved aside: made before anything moves, so a failure here
        // leaves the staging folder to be deleted on drop.
        let aside = match current {
            Destination::New(_) => None,
            Destination::Replace(_) => Some(
                tempfile::Builder::new()
                    .prefix(".capsim-replaced-")
                    .tempdir_in(parent_of(&dest)?)?,
            ),
        };
        let staged = self.tmp.keep();
        let result = move_into_place(&staged, &dest, aside.as_ref().map(TempDir::path));
        if result.is_err() {
            let _ = fs::remove_dir_all(&staged);
        }
        result.map(|_| dest)
    }

    /// Moves each file of a folder staged [`inside`](StagedFolder::inside) its destination into
    /// it, one rename each, replacing files of the same name. For rebuilding the outputs of a
    /// run folder in place (its inputs stay, and the folder itself is not swapped, so a shell
    /// inside it keeps working).
    pub fn commit_files_into(self) -> anyhow::Result<()> {
        let dest = self.dest.path();
        for entry in fs::read_dir(self.tmp.path())? {
            let entry = entry?;
            let target = dest.join(entry.file_name());
            fs::rename(entry.path(), &target)
                .with_context(|| format!("moving {} into place", target.display()))?;
        }
        Ok(())
    }
}

/// Renames `staged` to `dest`; an existing `dest` is first moved into `aside` (deleted with it)
/// and put back if the rename fails.
fn move_into_place(staged: &Path, dest: &Path, aside: Option<&Path>) -> anyhow::Result<()> {
    let moved = || {
        fs::rename(staged, dest).with_context(|| format!("moving results into {}", dest.display()))
    };
    let Some(aside) = aside else {
        return moved();
    };
    let old = aside.join("run");
    fs::rename(dest, &old).with_context(|| format!("moving aside {}", dest.display()))?;
    let result = moved();
    if result.is_err() {
        let _ = fs::rename(&old, dest);
    }
    result
}

/// Writes one file through a temporary file in the same folder, renamed over `dest` at the end.
pub fn write_file(
    dest: &Destination,
    write: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let path = dest.path();
    let parent = parent_of(path)?;
    // Created like any new file (the user's umask applies), not private as temporary files are.
    let tmp = tempfile::Builder::new()
        .prefix(".capsim-")
        .make_in(&parent, |path| fs::File::create_new(path))
        .with_context(|| format!("creating a temporary file in {}", parent.display()))?;
    write(tmp.path())?;
    tmp.persist(path)
        .with_context(|| format!("moving {} into place", path.display()))?;
    Ok(())
}
