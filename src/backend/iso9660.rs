//! Reads the identification fields of an ISO 9660 image (the "primary volume descriptor"),
//! which is all libosinfo looks at to recognise an installer: volume id, system id,
//! publisher, application and the volume size.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The identification of an installer disc, trailing spaces removed (as libosinfo does).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IsoInfo {
    pub volume_id: String,
    pub system_id: String,
    pub publisher_id: String,
    pub application_id: String,
    /// Bytes: logical block size × volume space size.
    pub volume_size: u64,
}

#[derive(Debug)]
pub enum IsoError {
    /// The file could not be opened or read (the io error's words).
    Unreadable(String),
    /// The file is readable but has no ISO 9660 primary volume descriptor.
    NotAnIso,
}

const SECTOR: u64 = 2048;
/// Volume descriptors start at sector 16; a few images put supplementary ones first.
const FIRST_DESCRIPTOR: u64 = 16;
const MAX_DESCRIPTORS: u64 = 32;

/// Reads the primary volume descriptor of the image at `path`.
pub fn read(path: &Path) -> Result<IsoInfo, IsoError> {
    let mut f = File::open(path).map_err(|e| IsoError::Unreadable(e.to_string()))?;
    let mut buf = [0u8; SECTOR as usize];
    for n in FIRST_DESCRIPTOR..FIRST_DESCRIPTOR + MAX_DESCRIPTORS {
        f.seek(SeekFrom::Start(n * SECTOR))
            .map_err(|e| IsoError::Unreadable(e.to_string()))?;
        match f.read_exact(&mut buf) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(IsoError::NotAnIso)
            }
            Err(e) => return Err(IsoError::Unreadable(e.to_string())),
        }
        if &buf[1..6] != b"CD001" {
            return Err(IsoError::NotAnIso);
        }
        match buf[0] {
            1 => return Ok(parse_primary(&buf)),
            // The set terminator: no primary descriptor before it.
            255 => return Err(IsoError::NotAnIso),
            _ => continue,
        }
    }
    Err(IsoError::NotAnIso)
}

fn field(buf: &[u8]) -> String {
    String::from_utf8_lossy(buf)
        .trim_end_matches([' ', '\0'])
        .to_string()
}

fn parse_primary(buf: &[u8]) -> IsoInfo {
    let blocks = u32::from_le_bytes([buf[80], buf[81], buf[82], buf[83]]) as u64;
    let block_size = u16::from_le_bytes([buf[128], buf[129]]) as u64;
    IsoInfo {
        system_id: field(&buf[8..40]),
        volume_id: field(&buf[40..72]),
        publisher_id: field(&buf[318..446]),
        application_id: field(&buf[574..702]),
        volume_size: blocks * block_size,
    }
}

/// The format of a disk image to import, from its first bytes: qcow2 has a magic number,
/// anything else is taken as raw (as qemu itself would, without probing).
pub fn disk_image_format(path: &Path) -> std::io::Result<&'static str> {
    let mut magic = [0u8; 4];
    let mut f = File::open(path)?;
    match f.read_exact(&mut magic) {
        Ok(()) if &magic == b"QFI\xfb" => Ok("qcow2"),
        Ok(()) => Ok("raw"),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok("raw"),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_trims_padding() {
        let mut pvd = [b' '; 2048];
        pvd[0] = 1;
        pvd[1..6].copy_from_slice(b"CD001");
        pvd[8..13].copy_from_slice(b"LINUX");
        pvd[40..62].copy_from_slice(b"Fedora-S-dvd-x86_64-40");
        pvd[80..84].copy_from_slice(&100u32.to_le_bytes());
        pvd[128..130].copy_from_slice(&2048u16.to_le_bytes());
        let info = parse_primary(&pvd);
        assert_eq!(info.system_id, "LINUX");
        assert_eq!(info.volume_id, "Fedora-S-dvd-x86_64-40");
        assert_eq!(info.publisher_id, "");
        assert_eq!(info.volume_size, 204_800);
    }
}
