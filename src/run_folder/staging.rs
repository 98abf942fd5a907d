//! The one way capsim writes to disk: into a temporary folder or file beside the destination,
//! moved into place only when everything in it is written. A failure leaves nothing
//! half-written, and capsim only ever replaces what it recognises as its own.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use anyhow::Context;
use tempfile::TempDir;

use super::is_run_folder;
use crate::error::InputError;
use crate::fnv;

/// What capsim is writing right now: staging folders and temporary files, with the folders
/// made to hold them. All of it is removed if the process is interrupted
/// ([`remove_unfinished_and_exit`]), so Ctrl-C or SIGTERM leaves no hidden leftovers.
static UNFINISHED: Mutex<Vec<Unfinished>> = Mutex::new(Vec::new());

struct Unfinished {
    /// A staging folder or a temporary file.
    path: PathBuf,
    /// Folders made to hold it, deepest first.
    made: Vec<PathBuf>,
}

fn unfinished() -> MutexGuard<'static, Vec<Unfinished>> {
    // A panic while holding the lock leaves the list as it was: still right.
    UNFINISHED.lock().unwrap_or_else(|e| e.into_inner())
}

fn remember(path: &Path, made: &[PathBuf]) {
    unfinished().push(Unfinished {
        path: path.to_path_buf(),
        made: made.to_vec(),
    });
}

fn forget(list: &mut Vec<Unfinished>, path: &Path) {
    list.retain(|u| u.path != path);
}

/// Removes everything still being written, and the folders made for it that are left empty,
/// then ends the process with `code`. Called on an interruption. The list stays locked until
/// the process ends: a folder being moved into place gets there first (an earlier run is never
/// lost half-way), and nothing new is staged meanwhile. Writer threads may still be adding
/// files to a staging folder while it goes, so its removal is retried until it is gone.
pub fn remove_unfinished_and_exit(code: i32) -> ! {
    let list = unfinished();
    for item in list.iter() {
        remove_until_gone(&item.path);
        remove_if_empty(&item.made);
    }
    std::process::exit(code)
}

/// Removes a folder or file, trying again for up to a second while something else is still
/// creating files in it.
fn remove_until_gone(path: &Path) {
    for _ in 0..100 {
        let removed = match fs::symlink_metadata(path) {
            Err(_) => return,
            Ok(meta) if meta.is_dir() => fs::remove_dir_all(path),
            Ok(_) => fs::remove_file(path),
        };
        if removed.is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// The error for an output location capsim cannot write to.
fn unwritable(dest: &Path, what: &str, e: impl std::fmt::Display) -> InputError {
    InputError::new(
        dest.display().to_string(),
        "--out",
        format!("expected a location capsim can write to: {what} failed ({e})"),
    )
}

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
        Self::check_own_folder(
            dest,
            is_run_folder,
            "a capsim run folder (it has no run.json that capsim wrote)",
        )
    }

    /// As [`Destination::check_folder`], for a folder capsim marks as its own with the JSON
    /// description `marker` ([`has_capsim_marker`]; `what` says what it is, for the refusal).
    pub fn check_marked_folder(dest: &Path, marker: &str, what: &str) -> Result<Self, InputError> {
        Self::check_own_folder(dest, |d| has_capsim_marker(d, marker), what)
    }

    /// As [`Destination::check_folder`], for a folder capsim recognises as its own with `is_own`
    /// (`what` says what it is, for the refusal).
    pub fn check_own_folder(
        dest: &Path,
        is_own: impl Fn(&Path) -> bool,
        what: &str,
    ) -> Result<Self, InputError> {
        // "link/" would be looked at through the link.
        let dest = &without_trailing_separators(dest);
        let refuse = |why: &str| {
            InputError::new(
                dest.display().to_string(),
                "--out",
                format!(
                    "{why}; capsim writes only into a new or empty folder, or over its own \
                     earlier output of the same kind holding nothing of yours. Choose another \
                     --out"
                ),
            )
        };
        let meta = match fs::symlink_metadata(dest) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Destination::New(dest.to_path_buf()));
            }
            Err(e) => return Err(refuse(&format!("cannot be looked at ({e})"))),
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
        let movable = || {
            can_be_moved_aside(dest).map_err(|e| {
                refuse(&format!(
                    "cannot be replaced: capsim may not move it aside ({e})"
                ))
            })
        };
        if empty {
            movable()?;
            return Ok(Destination::Replace(dest.to_path_buf()));
        }
        if !is_own(dest) {
            return Err(refuse(&format!("exists and is not {what}")));
        }
        if !has_manifest(dest) {
            return Err(refuse(NO_MANIFEST));
        }
        let (_, foreign) =
            own_and_foreign_entries(dest).map_err(|e| refuse(&format!("cannot be read ({e})")))?;
        if foreign.is_empty() {
            movable()?;
            Ok(Destination::Replace(dest.to_path_buf()))
        } else {
            Err(refuse(&format!(
                "holds what capsim did not write there ({}), which replacing the folder would \
                 delete",
                foreign.join(", ")
            )))
        }
    }

    /// Checks `dest` as the destination of a single output file, which must not exist: a file
    /// of the user's can have the very columns capsim writes (a register made from an earlier
    /// export, say), so nothing shows that capsim wrote it.
    pub fn check_new_file(dest: &Path) -> Result<Self, InputError> {
        let dest = &without_trailing_separators(dest);
        let refuse = |why: String| {
            InputError::new(
                dest.display().to_string(),
                "--out",
                format!(
                    "{why}; capsim writes only a new file here, never over one. Choose another \
                     --out, or remove the file first"
                ),
            )
        };
        match fs::symlink_metadata(dest) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Destination::New(dest.to_path_buf()))
            }
            Err(e) => Err(refuse(format!("cannot be looked at ({e})"))),
            Ok(_) => Err(refuse("exists".into())),
        }
    }
}

/// The file in each folder capsim writes listing the names it wrote there: what a later run may
/// replace.
const MANIFEST: &str = ".capsim-files";

/// Why a folder of capsim's without its manifest cannot be written over: nothing else shows
/// which of its files capsim wrote (a copy made with `cp dir/*` or `scp` leaves the hidden
/// manifest behind, and the user may have added files of the very kinds capsim writes).
const NO_MANIFEST: &str = "has no .capsim-files, the hidden list of what capsim wrote there (a \
     copy made with `cp folder/*` or scp leaves it behind), so capsim cannot tell its files from \
     yours";

/// One entry of a manifest: a file capsim wrote, with the hash of what it wrote; a folder it
/// wrote (a sweep's points); or, from a capsim that kept names alone, a name.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
enum Listed {
    File { name: String, fnv1a64: String },
    Folder { name: String, folder: bool },
    Name(String),
}

impl Listed {
    fn name(&self) -> &str {
        match self {
            Listed::Name(name) | Listed::File { name, .. } | Listed::Folder { name, .. } => name,
        }
    }

    /// The entry for `path`, named `name`, as it is now: a file with its hash, or a folder.
    fn of(path: &Path, name: String) -> std::io::Result<Listed> {
        Ok(if fs::symlink_metadata(path)?.is_file() {
            let fnv1a64 = fnv::file_hex(path)?;
            Listed::File { name, fnv1a64 }
        } else {
            Listed::Folder { name, folder: true }
        })
    }
}

/// Why a file capsim wrote is no longer its own: someone changed it (a table re-saved from a
/// spreadsheet), so replacing it would lose their work.
const CHANGED: &str = "changed since capsim wrote it";

/// The entries of capsim's folder `dir`, split into what capsim wrote (files named in its
/// manifest, unchanged since, and folders named there that hold only what capsim wrote;
/// nothing, without a manifest) and what it did not, sorted: folders capsim did not write
/// marked with a trailing `/`, files changed since it wrote them saying so, and what is not
/// capsim's inside a folder it wrote named by its path. The manifest itself is neither.
fn own_and_foreign_entries(dir: &Path) -> std::io::Result<(Vec<String>, Vec<String>)> {
    let listed = manifest(dir).unwrap_or_default();
    // A manifest of names alone (an earlier capsim's) says nothing of kinds or contents.
    let names_alone = listed.iter().all(|l| matches!(l, Listed::Name(_)));
    let (mut own, mut foreign) = (Vec::new(), Vec::new());
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == MANIFEST {
            continue;
        }
        let kind = entry.file_type()?;
        let here = listed.iter().find(|l| l.name() == name);
        if kind.is_file() {
            match here {
                Some(Listed::File { fnv1a64, .. }) => match fnv::file_hex(&entry.path()) {
                    Ok(hash) if hash == *fnv1a64 => own.push(name),
                    Ok(_) => foreign.push(format!("{name} ({CHANGED})")),
                    Err(e) => foreign.push(format!("{name} (cannot be read: {e})")),
                },
                Some(Listed::Name(_)) if names_alone => own.push(name),
                _ => foreign.push(name),
            }
            continue;
        }
        let capsims_folder = kind.is_dir()
            && match here {
                Some(Listed::Folder { .. }) => true,
                Some(Listed::Name(_)) => names_alone,
                _ => false,
            };
        if !capsims_folder {
            foreign.push(name + "/");
            continue;
        }
        // A folder capsim wrote (a sweep's points), as long as all it holds is capsim's.
        let (_, inside) = own_and_foreign_entries(&entry.path())?;
        if inside.is_empty() {
            own.push(name);
        } else {
            foreign.extend(inside.into_iter().map(|inner| format!("{name}/{inner}")));
        }
    }
    own.sort();
    foreign.sort();
    Ok((own, foreign))
}

/// Whether the manifest of capsim's folder `dir` names `file`: something capsim wrote there,
/// whether or not it is still there.
pub fn manifest_lists(dir: &Path, file: &str) -> bool {
    manifest(dir).is_some_and(|listed| listed.iter().any(|l| l.name() == file))
}

/// The manifest of `dir`; None without one.
fn manifest(dir: &Path) -> Option<Vec<Listed>> {
    fs::read_to_string(dir.join(MANIFEST))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
}

/// Whether `dir` has a manifest that reads.
fn has_manifest(dir: &Path) -> bool {
    manifest(dir).is_some()
}

/// Writes into `dir` the manifest listing every file and folder in `dir` (but the manifest
/// itself), each file with its hash, and the entries `kept` from an earlier manifest for names
/// not in `dir` (what stays in the folder the files are moved into, or was written and since
/// gone).
fn write_manifest(dir: &Path, kept: impl IntoIterator<Item = Listed>) -> anyhow::Result<()> {
    let mut all = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != MANIFEST {
            all.push(Listed::of(&entry.path(), name)?);
        }
    }
    for listed in kept {
        if !all.iter().any(|l| l.name() == listed.name()) {
            all.push(listed);
        }
    }
    all.sort_by(|a, b| a.name().cmp(b.name()));
    super::write_named(&dir.join(MANIFEST), serde_json::to_string_pretty(&all)?)?;
    Ok(())
}

/// Whether `dir` holds `marker`, a JSON description capsim wrote (an object naming the
/// capsim_version): a file of the user's that happens to share the name does not make the
/// folder capsim's.
pub fn has_capsim_marker(dir: &Path, marker: &str) -> bool {
    fs::read_to_string(dir.join(marker))
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|v| v.get("capsim_version").is_some_and(|x| x.is_string()))
}

/// `path` without separators at its end ("runs/a/" is "runs/a"), so that a symbolic link is
/// looked at itself, not through.
fn without_trailing_separators(path: &Path) -> PathBuf {
    path.components().collect()
}

/// Whether `dir` is the current working folder or one of its ancestors.
fn contains_current_folder(dir: &Path) -> bool {
    match (dir.canonicalize(), std::env::current_dir()) {
        (Ok(d), Ok(cwd)) => cwd.starts_with(d),
        _ => false,
    }
}

/// Whether a folder can be moved aside to be replaced: a folder moved into another folder
/// needs writing in itself (its entry for its parent changes), so one the user may only read
/// would otherwise be found out only after the whole run, when its results are moved in.
/// (A folder in a parent with the sticky bit, as /tmp has, that belongs to someone else can
/// still be refused then; nothing is lost but the run's time.)
fn can_be_moved_aside(dest: &Path) -> std::io::Result<()> {
    use rustix::fs::Access;
    rustix::fs::access(dest, Access::WRITE_OK | Access::EXEC_OK).map_err(Into::into)
}

/// The folder a destination lives in, created when missing.
fn parent_of(dest: &Path) -> Result<PathBuf, InputError> {
    Ok(make_parent_of(dest)?.0)
}

/// The folder a destination lives in, created when missing, and the folders this made,
/// deepest first (to be removed again if nothing comes to live in them).
fn make_parent_of(dest: &Path) -> Result<(PathBuf, Vec<PathBuf>), InputError> {
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let missing: Vec<PathBuf> = parent
        .ancestors()
        .filter(|a| !a.as_os_str().is_empty())
        .take_while(|a| fs::symlink_metadata(a).is_err())
        .map(Path::to_path_buf)
        .collect();
    fs::create_dir_all(parent)
        .map_err(|e| unwritable(dest, &format!("creating {}", parent.display()), e))?;
    Ok((parent.to_path_buf(), missing))
}

/// How a staging folder's name begins; the process writing it follows, then a dash.
const STAGING: &str = ".capsim-staging-";

/// Says which staging folders in `parent` seem to have been left by a run killed outright
/// (SIGKILL, the machine stopping), which could not remove them: their process is not running
/// here. They are left for the user to delete: the process may be one this system cannot see
/// (another container's, another machine's sharing the folder).
fn warn_of_abandoned_staging(parent: &Path) {
    for path in abandoned_staging(parent) {
        crate::say!(
            "capsim: warning: {} seems to be what a capsim run that was killed had written (its \
             process is not running here); delete it, unless a run in another container or on \
             another machine sharing this folder is writing it now",
            path.display()
        );
    }
}

/// The staging folders in `parent`, of this user's, whose process is not running, where the
/// system says which processes run (/proc, which may hide other users' processes).
#[cfg(unix)]
fn abandoned_staging(parent: &Path) -> Vec<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let (Ok(me), Ok(entries)) = (fs::metadata("/proc/self"), fs::read_dir(parent)) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.metadata().is_ok_and(|m| m.uid() == me.uid()))
        .filter(|e| {
            let name = e.file_name();
            let pid = name
                .to_str()
                .and_then(|n| n.strip_prefix(STAGING))
                .and_then(|rest| rest.split_once('-'))
                .and_then(|(pid, _)| pid.parse::<u32>().ok());
            pid.is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists())
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// Elsewhere nothing says which processes run.
#[cfg(not(unix))]
fn abandoned_staging(_parent: &Path) -> Vec<PathBuf> {
    Vec::new()
}

/// A hidden temporary folder in `parent`, on the list of unfinished work with the folders
/// `made` to hold it.
fn staging_folder_in(parent: &Path, dest: &Path, made: &[PathBuf]) -> Result<TempDir, InputError> {
    warn_of_abandoned_staging(parent);
    let tmp = tempfile::Builder::new()
        .prefix(&format!("{STAGING}{}-", std::process::id()))
        .tempdir_in(parent)
        .map_err(|e| {
            unwritable(
                dest,
                &format!("creating a staging folder in {}", parent.display()),
                e,
            )
        })?;
    remember(tmp.path(), made);
    Ok(tmp)
}

/// Where a staged folder was moved, and whether it replaced an earlier output there (a
/// folder that was not empty).
#[derive(Debug)]
pub struct Committed {
    pub dir: PathBuf,
    pub replaced: bool,
}

/// A folder being written beside its destination; deleted if dropped before [`commit`], or if
/// the process is interrupted ([`remove_unfinished_and_exit`]).
///
/// [`commit`]: StagedFolder::commit
pub struct StagedFolder {
    /// Taken when the folder is moved into place.
    tmp: Option<TempDir>,
    dest: Destination,
    /// Checks the destination again just before it is replaced.
    recheck: fn(&Path) -> Result<Destination, InputError>,
    /// Folders made to hold the destination, deepest first: removed again, when still empty,
    /// if the work fails before anything is moved into place.
    made: Vec<PathBuf>,
}

impl StagedFolder {
    /// Made before the work starts, so an output location capsim cannot write to is an error
    /// (exit 2) before anything is simulated. For a run folder.
    pub fn new(dest: Destination) -> Result<Self, InputError> {
        Self::with_check(dest, Destination::check_folder)
    }

    /// As [`StagedFolder::new`], for a folder whose destination `recheck` checked (and checks
    /// again before replacing it).
    pub fn with_check(
        dest: Destination,
        recheck: fn(&Path) -> Result<Destination, InputError>,
    ) -> Result<Self, InputError> {
        let (parent, made) = make_parent_of(dest.path())?;
        let tmp = match staging_folder_in(&parent, dest.path(), &made) {
            Ok(tmp) => Some(tmp),
            Err(e) => {
                remove_if_empty(&made);
                return Err(e);
            }
        };
        Ok(StagedFolder {
            tmp,
            dest,
            recheck,
            made,
        })
    }

    /// Stages files to be moved one by one into the existing folder `dir`
    /// ([`commit_files_into`](StagedFolder::commit_files_into)).
    pub fn inside(dir: &Path) -> Result<Self, InputError> {
        let tmp = Some(staging_folder_in(dir, dir, &[])?);
        Ok(StagedFolder {
            tmp,
            dest: Destination::Replace(dir.to_path_buf()),
            recheck: Destination::check_folder,
            made: Vec::new(),
        })
    }

    /// The staging folder itself.
    pub fn dir(&self) -> &Path {
        self.tmp.as_ref().expect("not yet moved into place").path()
    }

    /// Moves the finished folder into place. An earlier run there is moved aside first and
    /// deleted only once the new folder is in place; if the move fails, it is put back.
    /// Says where it went and whether it replaced one: another command's output can have
    /// arrived there since the destination was first checked.
    pub fn commit(mut self) -> anyhow::Result<Committed> {
        let dest = self.dest.path().to_path_buf();
        // The destination was checked before the run; check again in case it changed since.
        let current = (self.recheck)(&dest)?;
        // An empty folder there is not an earlier output.
        let replaced = match &current {
            Destination::New(_) => false,
            Destination::Replace(dir) => fs::read_dir(dir)?.next().is_some(),
        };
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
        write_manifest(self.dir(), [])?;
        // Held while folders move, so an interruption waits until they are in place.
        let mut list = unfinished();
        let staged = self.tmp.take().expect("not yet moved into place").keep();
        let result = move_into_place(&staged, &dest, aside.as_ref().map(TempDir::path));
        if result.is_err() {
            let _ = fs::remove_dir_all(&staged);
        }
        forget(&mut list, &staged);
        drop(aside);
        result.map(|_| Committed {
            dir: dest,
            replaced,
        })
    }

    /// Moves each file of a folder staged [`inside`](StagedFolder::inside) its destination into
    /// it, one rename each, replacing files of the same name. For rebuilding the outputs of a
    /// run folder in place (its inputs stay, and the folder itself is not swapped, so a shell
    /// inside it keeps working).
    pub fn commit_files_into(self) -> anyhow::Result<()> {
        let dest = self.dest.path();
        // The folder's manifest names what capsim wrote there before and what comes in.
        let (held, foreign) = own_and_foreign_entries(dest)?;
        // Nothing of the user's is replaced, and nothing moves until that is known: every file
        // coming in is new there or capsim's own.
        for entry in fs::read_dir(self.dir())? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let there = dest.join(&name);
            let Ok(existing) = there.symlink_metadata() else {
                continue;
            };
            // A folder where a file comes (or the reverse) cannot be replaced either.
            let other_kind = existing.is_dir() != entry.file_type()?.is_dir();
            if !held.contains(&name) || other_kind {
                let why = if !has_manifest(dest) {
                    format!("the folder {NO_MANIFEST}")
                } else if foreign.contains(&format!("{name} ({CHANGED})")) {
                    format!("it was {CHANGED}")
                } else {
                    "it holds what capsim did not write".to_string()
                };
                return Err(InputError::new(
                    there.display().to_string(),
                    "",
                    format!(
                        "expected nothing of that name, or what capsim wrote there: {why}; move \
                         it away and run the command again"
                    ),
                )
                .into());
            }
        }
        // What capsim wrote there and stays is listed as it is now (hashed, if an earlier
        // capsim listed it by name alone), and what has since gone as it was (a table deleted
        // is still missed, not forgotten); a changed file is not capsim's.
        let mut kept = Vec::new();
        for listed in manifest(dest).unwrap_or_default() {
            let name = listed.name().to_string();
            if held.contains(&name) {
                kept.push(Listed::of(&dest.join(&name), name)?);
            } else if dest.join(&name).symlink_metadata().is_err() {
                kept.push(listed);
            }
        }
        write_manifest(self.dir(), kept)?;
        let _moving = unfinished();
        // The manifest last: if a move fails, the one there still describes every file not
        // yet replaced, and any replaced reads as changed, so nothing is taken for capsim's
        // that is not.
        let mut entries: Vec<PathBuf> = fs::read_dir(self.dir())?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort_by_key(|p| p.file_name().is_some_and(|n| n == MANIFEST));
        for path in entries {
            let target = dest.join(path.file_name().expect("a file in the staging folder"));
            fs::rename(&path, &target)
                .with_context(|| format!("moving {} into place", target.display()))?;
        }
        Ok(())
    }
}

impl Drop for StagedFolder {
    fn drop(&mut self) {
        // Not moved into place: the staging folder goes (with its TempDir), then any folder
        // made to hold it that nothing else has come to live in.
        if let Some(tmp) = self.tmp.take() {
            forget(&mut unfinished(), tmp.path());
            drop(tmp);
            remove_if_empty(&self.made);
        }
    }
}

/// Removes each of `folders` (deepest first) that is empty; stops at the first that is not.
fn remove_if_empty(folders: &[PathBuf]) {
    for folder in folders {
        if fs::remove_dir(folder).is_err() {
            return;
        }
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

/// Writes one new file through a temporary file in the same folder, moved to `dest` at the end.
/// Folders made to hold it are removed again if the writing fails.
pub fn write_file(
    dest: &Destination,
    write: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let path = dest.path();
    let (parent, made) = make_parent_of(path)?;
    let result = write_through_temporary(path, &parent, &made, write);
    if result.is_err() {
        remove_if_empty(&made);
    }
    result
}

fn write_through_temporary(
    path: &Path,
    parent: &Path,
    made: &[PathBuf],
    write: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    // Created like any new file (the user's umask applies), not private as temporary files are.
    let tmp = tempfile::Builder::new()
        .prefix(".capsim-")
        .make_in(parent, |path| fs::File::create_new(path))
        .map_err(|e| {
            unwritable(
                path,
                &format!("creating a temporary file in {}", parent.display()),
                e,
            )
        })?;
    remember(tmp.path(), made);
    let temporary = tmp.path().to_path_buf();
    let result = write(&temporary).and_then(|()| {
        // Never over a file that appeared since the destination was checked.
        tmp.persist_noclobber(path)
            .map(drop)
            .with_context(|| format!("moving {} into place", path.display()))
    });
    forget(&mut unfinished(), &temporary);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder capsim wrote into `dir`, with `files` in it, listed by its manifest.
    fn capsims(dir: &Path, files: &[(&str, &str)]) {
        fs::create_dir_all(dir).unwrap();
        for (name, text) in files {
            fs::write(dir.join(name), text).unwrap();
        }
        write_manifest(dir, []).unwrap();
    }

    /// What is not capsim's is found at any depth and named by its path: a file changed since,
    /// a file of the user's where capsim wrote a folder, a folder where it wrote a file.
    #[test]
    fn what_is_not_capsims_is_named_at_any_depth() {
        let top = tempfile::tempdir().unwrap();
        let run = top.path();
        capsims(&run.join("point-1"), &[("summary.csv", "a,b\n")]);
        capsims(&run.join("point-2"), &[("summary.csv", "a,b\n")]);
        capsims(run, &[("sweep.csv", "x\n")]);
        assert_eq!(
            own_and_foreign_entries(run).unwrap(),
            (
                vec!["point-1".into(), "point-2".into(), "sweep.csv".into()],
                vec![]
            )
        );
        fs::write(run.join("point-2/summary.csv"), "a,b\nmine\n").unwrap();
        fs::remove_dir_all(run.join("point-1")).unwrap();
        fs::write(run.join("point-1"), "my notes").unwrap();
        fs::remove_file(run.join("sweep.csv")).unwrap();
        fs::create_dir(run.join("sweep.csv")).unwrap();
        assert_eq!(
            own_and_foreign_entries(run).unwrap().1,
            vec![
                "point-1".to_string(),
                "point-2/summary.csv (changed since capsim wrote it)".into(),
                "sweep.csv/".into(),
            ]
        );
    }

    /// A manifest of names alone (an earlier capsim's) still marks what it names as capsim's,
    /// files and folders alike; beside hashed entries a bare name proves nothing.
    #[test]
    fn names_alone_are_honoured_only_in_a_manifest_of_names() {
        let top = tempfile::tempdir().unwrap();
        let run = top.path();
        capsims(&run.join("point-1"), &[("summary.csv", "a,b\n")]);
        fs::write(run.join("summary.csv"), "a,b\n").unwrap();
        fs::write(run.join(MANIFEST), r#"["point-1", "summary.csv"]"#).unwrap();
        assert_eq!(
            own_and_foreign_entries(run).unwrap().1,
            Vec::<String>::new()
        );
        fs::write(
            run.join(MANIFEST),
            r#"[{"name": "point-1", "folder": true}, "summary.csv"]"#,
        )
        .unwrap();
        assert_eq!(own_and_foreign_entries(run).unwrap().1, vec!["summary.csv"]);
    }

    /// Rebuilding in place lists what stays by its hash, even where an earlier capsim listed it
    /// by name alone, so a later change to it is found.
    #[test]
    fn files_moved_in_leave_every_file_hashed() {
        let top = tempfile::tempdir().unwrap();
        let run = top.path().join("run");
        fs::create_dir(&run).unwrap();
        fs::write(run.join("run.json"), "{}").unwrap();
        fs::write(run.join("summary.csv"), "old\n").unwrap();
        fs::write(run.join(MANIFEST), r#"["run.json", "summary.csv"]"#).unwrap();
        let staged = StagedFolder::inside(&run).unwrap();
        fs::write(staged.dir().join("summary.csv"), "new\n").unwrap();
        staged.commit_files_into().unwrap();
        let listed = manifest(&run).unwrap();
        assert!(
            listed.iter().all(|l| matches!(l, Listed::File { .. })),
            "{listed:?}"
        );
        fs::write(run.join("run.json"), "{\"edited\": true}").unwrap();
        assert_eq!(
            own_and_foreign_entries(&run).unwrap().1,
            vec!["run.json (changed since capsim wrote it)"]
        );
    }
}
