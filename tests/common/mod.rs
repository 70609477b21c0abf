//! Shared helpers for the backend integration tests: generated test-driver node files and
//! a worker whose updates can be awaited.

#![allow(dead_code)]

use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use bilik::backend::details::{Applied, HardwareChange, HardwareInfo};
use bilik::backend::{ConnectionHandle, Options, Update};

/// Writes a `test:///` node file with `n` domains; every `running_every`-th runs (0: none).
/// Each domain has one disk, a volume of the pool `pool` (also in the file).
pub fn node_file(dir: &std::path::Path, n: usize, running_every: usize) -> String {
    use std::fmt::Write;
    let mut xml = String::from("<node>\n");
    xml.push_str(
        "<pool type='dir'><name>pool</name><uuid>35bb2ad9-388a-cdfe-461a-b8907f6e53fe</uuid>\
         <capacity>107374182400</capacity><allocation>0</allocation><available>107374182400</available>\
         <target><path>/pool</path></target>\n",
    );
    for i in 0..n {
        let _ = writeln!(
            xml,
            "<volume type='file'><name>vm-{i:05}.qcow2</name><key>/pool/vm-{i:05}.qcow2</key>\
             <capacity>1073741824</capacity><allocation>0</allocation>\
             <target><path>/pool/vm-{i:05}.qcow2</path></target></volume>"
        );
    }
    xml.push_str("</pool>\n");
    for i in 0..n {
        let running = running_every > 0 && i % running_every == 0;
        let _ = writeln!(
            xml,
            "<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\
             <name>vm-{i:05}</name>\
             <uuid>6695eb01-f6a4-8304-79aa-{i:012x}</uuid>\
             <memory>1048576</memory><vcpu>2</vcpu><os><type>hvm</type></os>\
             <devices><disk type='file' device='disk'><source file='/pool/vm-{i:05}.qcow2'/>\
             <target dev='vda'/></disk></devices>{}</domain>",
            if running {
                ""
            } else {
                "<test:runstate>5</test:runstate>"
            }
        );
    }
    xml.push_str("</node>\n");
    let path = dir.join(format!("node-{n}.xml"));
    std::fs::write(&path, xml).expect("write node file");
    format!("test://{}", path.display())
}

/// A unique scratch directory under the system temp dir.
pub fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("bilik-test-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A connection worker plus the stream of its updates.
pub struct Conn {
    pub handle: ConnectionHandle,
    pub rx: Receiver<Update>,
}

impl Conn {
    pub fn open(uri: &str) -> Conn {
        Self::open_with(uri, Options::default())
    }

    pub fn open_with(uri: &str, options: Options) -> Conn {
        let (tx, rx) = mpsc::channel();
        let handle = ConnectionHandle::open(
            uri,
            options,
            Box::new(move |u| {
                let _ = tx.send(u);
            }),
        )
        .expect("valid URI");
        Conn { handle, rx }
    }

    /// Waits for the first update matching `pred`, failing after `timeout`. Returns it and
    /// everything seen before it.
    pub fn wait<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut pred: impl FnMut(&Update) -> Option<T>,
    ) -> (T, Vec<Update>) {
        let deadline = Instant::now() + timeout;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(u) => {
                    if let Some(t) = pred(&u) {
                        return (t, seen);
                    }
                    seen.push(u);
                }
                Err(_) => panic!("timed out waiting for {what}; saw {seen:#?}"),
            }
        }
    }

    pub fn domains(&self) -> Vec<bilik::backend::DomainInfo> {
        self.wait("the domain list", Duration::from_secs(30), |u| match u {
            Update::Domains(l) => Some(l.clone()),
            _ => None,
        })
        .0
    }
}

/// The real system daemon the backend tests use (started by build-aux/libvirtd-ctl).
pub const SYSTEM: &str = "qemu:///system";

/// `virsh -c qemu:///system ARGS`: whether it succeeded, and what it printed (stdout, then
/// stderr).
pub fn virsh_try(args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new("virsh")
        .arg("-c")
        .arg(SYSTEM)
        .args(args)
        .output()
        .expect("virsh runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// `virsh -c qemu:///system ARGS`, failing the test if virsh fails; its output, trimmed.
pub fn virsh(args: &[&str]) -> String {
    let (ok, out) = virsh_try(args);
    assert!(ok, "virsh {args:?}: {out}");
    out.trim().to_string()
}

/// Makes sure the system daemon has its usual "default" storage pool (a fresh root has
/// none until something creates it): /var/lib/libvirt/images, running.
pub fn ensure_default_pool() {
    if !virsh_try(&["pool-info", "default"]).0 {
        virsh(&[
            "pool-define-as",
            "default",
            "dir",
            "--target",
            "/var/lib/libvirt/images",
        ]);
        virsh(&["pool-build", "default"]);
        virsh(&["pool-autostart", "default"]);
    }
    if !virsh(&["pool-info", "default"]).contains("running") {
        virsh(&["pool-start", "default"]);
    }
}

/// A machine's hardware as the Hardware tab reads it (a typed call).
pub fn hw(c: &Conn, uuid: &str) -> HardwareInfo {
    let u = uuid.to_string();
    block_on(
        c.handle
            .connection()
            .call(move |c| bilik::backend::details::hardware(c, &u)),
    )
    .expect("the hardware")
}

/// Makes a hardware change as the Hardware tab does and says how it landed.
pub fn change(c: &Conn, uuid: &str, ch: HardwareChange) -> Applied {
    let u = uuid.to_string();
    block_on(
        c.handle
            .connection()
            .call(move |c| bilik::backend::details::change(c, &u, &ch)),
    )
    .expect("changed")
    .1
}

/// Attaches an existing disk image file (no new volume) through the worker.
pub fn attach_disk_file(c: &Conn, uuid: &str, path: &str) -> Applied {
    change(
        c,
        uuid,
        HardwareChange::AddDisk {
            pool: String::new(),
            size_gib: 0,
            existing: Some(path.into()),
        },
    )
}

/// Waits for a typed call's answer, as a screen's future would be awaited.
#[allow(dead_code)]
pub fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    glib::MainContext::new().block_on(f)
}

/// Makes `iso`, a bootable (El Torito) disc image of the folder `content` with these ids
/// (empty: left out). libosinfo looks only at discs that can start a computer; the boot
/// record is `content`'s `boot.bin`, else a blank 2 KiB file added to it.
pub fn bootable_iso(
    content: &std::path::Path,
    iso: &std::path::Path,
    label: &str,
    publisher: &str,
    application: &str,
) {
    std::fs::create_dir_all(content).unwrap();
    if !content.join("boot.bin").exists() {
        std::fs::write(content.join("boot.bin"), vec![0u8; 2048]).unwrap();
    }
    let mut cmd = std::process::Command::new("xorriso");
    cmd.args(["-as", "mkisofs", "-quiet", "-V", label, "-sysid", "LINUX"]);
    if !publisher.is_empty() {
        cmd.args(["-publisher", publisher]);
    }
    if !application.is_empty() {
        cmd.args(["-A", application]);
    }
    cmd.args([
        "-b",
        "boot.bin",
        "-no-emul-boot",
        "-boot-load-size",
        "4",
        "-o",
    ])
    .arg(iso)
    .arg(content);
    let out = cmd.output().expect("xorriso runs (the dev root has it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The code an installer runs when it is done, in short: it resets the machine through
/// the keyboard controller (mov al, 0xfe; out 0x64, al; hlt; jmp $).
#[allow(dead_code)]
const RESET: [u8; 7] = [0xB0, 0xFE, 0xE6, 0x64, 0xF4, 0xEB, 0xFE];

/// A disc's boot record (2 KiB, loaded at 0x7C00 in real mode) that resets the machine:
/// an installer disc that is done at once.
#[allow(dead_code)]
pub fn resetting_boot_record() -> Vec<u8> {
    let mut b = RESET.to_vec();
    b.resize(2048, 0);
    b
}

/// A multiboot kernel (loaded at 1 MiB) that resets the machine: an installer's kernel
/// that is done at once.
#[allow(dead_code)]
pub fn resetting_kernel() -> Vec<u8> {
    let (load, header) = (0x10_0000u32, 32u32);
    let (magic, flags) = (0x1BAD_B002u32, 0x0001_0000u32);
    let end = load + header + RESET.len() as u32;
    let mut b = Vec::new();
    for v in [
        magic,
        flags,
        0u32.wrapping_sub(magic.wrapping_add(flags)),
        load,
        load,
        end,
        end,
        load + header,
    ] {
        b.extend(v.to_le_bytes());
    }
    b.extend(RESET);
    b
}

/// A Unix socket in `dir` that accepts connections and never answers, as a stuck libvirt
/// service does; its URI for the system connection.
#[allow(dead_code)]
pub fn silent_service(dir: &std::path::Path) -> String {
    let path = dir.join("silent.sock");
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream); // kept open, never answered
        }
    });
    format!("qemu:///system?socket={}", path.display())
}
