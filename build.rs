//! Fingerprints the source a binary is built from (`CAPSIM_SOURCE`): the code, the embedded data
//! and scenarios, and the locked dependencies. Two builds with the same version but different
//! source can simulate different numbers, so `capsim merge` refuses shards whose fingerprint is
//! not its own, and run folders record it.

use std::path::{Path, PathBuf};

const INPUTS: [&str; 5] = ["src", "data", "scenarios", "Cargo.toml", "Cargo.lock"];

fn main() {
    let mut files = Vec::new();
    for input in INPUTS {
        println!("cargo:rerun-if-changed={input}");
        collect(Path::new(input), &mut files);
    }
    // Sorted, with '/' separators, so every platform and checkout gives the same fingerprint.
    files.sort();
    let mut hash = Fnv::new();
    for path in &files {
        let name = path.to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(path).expect("a readable source file");
        hash.write(name.as_bytes());
        hash.write(&(bytes.len() as u64).to_le_bytes());
        hash.write(&bytes);
    }
    println!("cargo:rustc-env=CAPSIM_SOURCE={:016x}", hash.0);
}

/// Every file under `path` (or `path` itself).
fn collect(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("a readable source folder") {
            collect(&entry.expect("a folder entry").path(), files);
        }
    } else if path.is_file() {
        files.push(path.to_path_buf());
    }
}

/// FNV-1a, 64-bit: stable across Rust versions, unlike std's hasher.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}
