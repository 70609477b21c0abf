//! The install's files: read from the installer disc, the answer file added to the
//! initrd or written on a small disc of its own, stored as volumes of a pool (libvirt
//! writes them, so the qemu user can read them on any connection; they hold a password).

use std::io::Write as _;
use std::path::Path;

use virt::connect::Connect;

use super::super::error::{BackendError, ErrorKind};
use super::super::xml_edit::escape_attr;

/// The installer's initrd with `name` added at its root: a second gzip'd newc cpio
/// archive after the first, which the kernel unpacks over it.
pub fn initrd_with(initrd: &[u8], name: &str, content: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = initrd.to_vec();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let size =
        u32::try_from(content.len()).map_err(|_| std::io::Error::other("answer file too large"))?;
    let mut w = cpio::newc::Builder::new(name)
        .mode(0o100600)
        .nlink(1)
        .write(&mut gz, size);
    w.write_all(content)?;
    w.finish()?;
    cpio::newc::trailer(&mut gz)?;
    out.extend(gz.finish()?);
    Ok(out)
}

/// Reads the file `inner` (e.g. `install.amd/vmlinuz`) out of the disc image `iso`.
pub fn read_from_iso(iso: &Path, inner: &str, scratch: &Path) -> Result<Vec<u8>, String> {
    let dest = scratch.join(inner.replace('/', "_"));
    let out = std::process::Command::new("xorriso")
        .args(["-osirrox", "on", "-indev"])
        .arg(iso)
        .arg("-extract")
        .arg(format!("/{}", inner.trim_start_matches('/')))
        .arg(&dest)
        .output()
        .map_err(|e| format!("xorriso: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let bytes = std::fs::read(&dest).map_err(|e| e.to_string())?;
    super::super::error::ignored(
        "removing a file read from the disc",
        std::fs::remove_file(&dest),
    );
    Ok(bytes)
}

/// A small disc image holding `files` (name, content) under the volume label `label`
/// (Windows Setup looks for `autounattend.xml` on every disc; cloud-init for a disc
/// labelled `cidata`). Made with xorriso, with Joliet and Rock Ridge names.
pub fn answer_disc(files: &[(String, String)], label: &str) -> Result<Vec<u8>, String> {
    use std::os::unix::fs::OpenOptionsExt;
    let scratch = tempdir().map_err(|e| e.raw)?;
    let made = (|| {
        let dir = scratch.join("files");
        std::fs::create_dir(&dir).map_err(|e| e.to_string())?;
        for (name, content) in files {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(dir.join(name))
                .map_err(|e| e.to_string())?;
            f.write_all(content.as_bytes()).map_err(|e| e.to_string())?;
        }
        let iso = scratch.join("answers.iso");
        let out = std::process::Command::new("xorriso")
            .args(["-as", "mkisofs", "-quiet", "-J", "-r", "-V", label, "-o"])
            .arg(&iso)
            .arg(&dir)
            .output()
            .map_err(|e| format!("xorriso: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        std::fs::read(&iso).map_err(|e| e.to_string())
    })();
    super::super::error::ignored(
        "removing the answer disc's scratch folder",
        std::fs::remove_dir_all(&scratch),
    );
    made
}

/// A private scratch folder (mode 0700): what is read from the disc passes through it.
pub fn tempdir() -> Result<std::path::PathBuf, BackendError> {
    use std::os::unix::fs::DirBuilderExt;
    let dir = std::env::temp_dir().join(format!(
        "bilik-express-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .map_err(|e| BackendError::new(ErrorKind::Other, e.to_string()))?;
    Ok(dir)
}

/// Stores `bytes` as a new volume of the pool `pool` (libvirt writes it, owned by the
/// qemu user's side, readable by nobody else); answers its path.
pub fn upload(
    conn: &Connect,
    pool: &str,
    name: &str,
    bytes: &[u8],
) -> Result<String, BackendError> {
    let op = |e: virt::error::Error| BackendError::from_op(&e);
    let pool = conn.lookup_storage_pool_by_name(pool).map_err(op)?;
    if let Ok(old) = pool.lookup_storage_vol_by_name(name) {
        // A leftover of an install that was abandoned.
        super::super::error::ignored("removing an old install file", old.delete(0));
    }
    let xml = format!(
        "<volume><name>{}</name><capacity unit='bytes'>{}</capacity><target><format type='raw'/><permissions><mode>0600</mode></permissions></target></volume>",
        escape_attr(name),
        bytes.len()
    );
    let vol = virt::storage_vol::StorageVol::create_xml(&pool, &xml, 0).map_err(op)?;
    let stream = virt::stream::Stream::new(conn, 0).map_err(op)?;
    let sent = vol
        .upload(&stream, 0, bytes.len() as u64, 0)
        .and_then(|()| {
            let mut rest = bytes;
            while !rest.is_empty() {
                let n = stream.send(&rest[..rest.len().min(1 << 20)])?;
                rest = &rest[usize::try_from(n).unwrap_or(0)..];
            }
            stream.finish()
        });
    if let Err(e) = sent {
        super::super::error::ignored("removing a half-written install file", vol.delete(0));
        return Err(op(e));
    }
    vol.path().map_err(op)
}

pub fn remove_volume(conn: &Connect, path: &str) {
    match conn.lookup_storage_vol_by_path(path) {
        Ok(v) => super::super::error::ignored("removing an install file", v.delete(0)),
        Err(e) => log::debug!("install file {path} already gone: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_file_is_appended_to_the_initrd_as_a_cpio_archive() {
        let first = b"FIRST ARCHIVE".to_vec();
        let out = initrd_with(&first, "preseed.cfg", b"d-i a/b string c\n").unwrap();
        assert!(out.starts_with(&first));
        let mut gz = flate2::read::GzDecoder::new(&out[first.len()..]);
        let mut cpio_bytes = Vec::new();
        std::io::Read::read_to_end(&mut gz, &mut cpio_bytes).unwrap();
        let reader = cpio::NewcReader::new(&cpio_bytes[..]).unwrap();
        assert_eq!(reader.entry().name(), "preseed.cfg");
        assert_eq!(reader.entry().mode(), 0o100600);
        let mut content = String::new();
        let mut reader = reader;
        std::io::Read::read_to_string(&mut reader, &mut content).unwrap();
        assert_eq!(content, "d-i a/b string c\n");
    }
}
