//! Fingerprints the source a binary is built from (`CAPSIM_SOURCE`): the code, the embedded data
//! and default scenario, and the locked dependencies (`Cargo.lock`: build with `--locked` so it
//! is what is built). Two builds with the same version but different source can simulate
//! different numbers, so `capsim merge` refuses shards whose fingerprint is not its own, and run
//! folders record it.

use std::path::{Path, PathBuf};

// The program's own hash, compiled here too (the build script cannot use the crate).
#[allow(dead_code)]
#[path = "src/fnv.rs"]
mod fnv;
use fnv::Fnv;

/// What is compiled in: the code, the data and default scenario it embeds (`include_str!`), and
/// the dependencies' versions. Other scenarios are users' input, and the fonts shape charts only.
const FOLDERS: [(&str, &[&str]); 2] = [("src", &["rs"]), ("data", &["csv", "toml"])];
const FILES: [&str; 3] = ["scenarios/default.toml", "Cargo.toml", "Cargo.lock"];

fn main() {
    // A packaged crate may lack the lock file: the rest still fingerprints it.
    let mut files: Vec<PathBuf> = FILES
        .iter()
        .map(PathBuf::from)
        .filter(|f| f.is_file())
        .collect();
    for (folder, extensions) in FOLDERS {
        collect(Path::new(folder), extensions, &mut files);
    }
    for path in FOLDERS.iter().map(|f| f.0).chain(FILES) {
        println!("cargo:rerun-if-changed={path}");
    }
    // Sorted, with '/' separators and '\n' line ends, so every platform and checkout (one
    // that turns line ends into "\r\n", say) gives the same fingerprint.
    files.sort();
    let mut hash = Fnv::new();
    for path in &files {
        let name = path.to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(path).expect("a readable source file");
        let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
        hash.write(name.as_bytes());
        hash.write(&(text.len() as u64).to_le_bytes());
        hash.write(text.as_bytes());
    }
    println!("cargo:rustc-env=CAPSIM_SOURCE={}", hash.hex());
}

/// The files under `folder` whose names end in one of `extensions` (none hidden).
fn collect(folder: &Path, extensions: &[&str], files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries {
        let path = entry.expect("a folder entry").path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if name.is_none_or(|n| n.starts_with('.')) {
            continue;
        }
        if path.is_dir() {
            collect(&path, extensions, files);
        } else if path
            .extension()
            .is_some_and(|e| extensions.iter().any(|x| e == *x))
        {
            files.push(path);
        }
    }
}
