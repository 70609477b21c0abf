//! The disc-image reader (what the wizard reads of a file the person picks): any bytes,
//! a clear answer, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The reader takes a path: one scratch file per fuzzing process.
    let path = std::env::temp_dir().join(format!("bilik-fuzz-iso-{}", std::process::id()));
    if std::fs::write(&path, data).is_ok() {
        let _ = bilik::backend::iso9660::read(&path);
        let _ = bilik::backend::iso9660::disk_image_format(&path);
    }
});
