//! FNV-1a, 64-bit: a hash stable across Rust versions and platforms, unlike std's hasher. It
//! fingerprints the source a binary is built from (`build.rs`) and the replications a shard
//! wrote, so that a file damaged or changed after it was written is found. It does not stand
//! up to someone forging a file on purpose, which is not what it guards against.

pub struct Fnv(pub u64);

impl Default for Fnv {
    fn default() -> Self {
        Self::new()
    }
}

impl Fnv {
    pub fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// The hash so far, as 16 hexadecimal digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

/// The hash of a file's bytes, read in blocks.
pub fn file_hex(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hash = Fnv::new();
    let mut block = vec![0u8; 1 << 16];
    loop {
        match file.read(&mut block)? {
            0 => return Ok(hash.hex()),
            n => hash.write(&block[..n]),
        }
    }
}
