//! Bilik's reading of osinfo-db (the resource proposal): any file where an osinfo-db file
//! would be, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("bilik-fuzz-osinfo-{}", std::process::id()));
    let os = dir.join("os").join("example.org");
    if std::fs::create_dir_all(&os).is_ok() && std::fs::write(os.join("x.xml"), data).is_ok() {
        let db = bilik::backend::osinfo::OsDb::load(std::slice::from_ref(&dir));
        for e in db.all() {
            let _ = db.resources(&e.id, "x86_64");
            let _ = db.firmware(&e.id, "x86_64");
        }
    }
});
