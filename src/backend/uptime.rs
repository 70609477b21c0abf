//! Since when a machine has been running. libvirt has no call for it, so Bilik asks the
//! kernel: on a local qemu connection each running machine is a qemu process whose command
//! line carries `-uuid UUID`, and /proc/PID/stat says when that process started (field 22,
//! in clock ticks after boot; /proc/stat's `btime` is the boot time). On other connections
//! (remote hosts, the test driver) the worker can only say when it saw the machine start.
//!
//! A machine restored from a saved state counts from its restore, as its process does.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Since when machine `uuid` of connection `conn` runs, where a process shows it (a local
/// qemu machine); None elsewhere (see [`super::Connection::seen_start`]).
pub fn started_at(
    conn: &virt::connect::Connect,
    uuid: &str,
) -> Result<Option<SystemTime>, super::BackendError> {
    let uri = conn.uri().map_err(|e| super::BackendError::from_read(&e))?;
    // Only a local qemu machine has a process Bilik can see.
    let local_qemu =
        super::uri::parse(&uri).is_ok_and(|u| u.is_local() && u.driver.starts_with("qemu"));
    Ok(local_qemu.then(|| qemu_started_at(uuid)).flatten())
}

/// When the qemu process of the machine `uuid` started, if one runs on this computer.
pub fn qemu_started_at(uuid: &str) -> Option<SystemTime> {
    let boot = boot_time(&std::fs::read_to_string("/proc/stat").ok()?)?;
    // SAFETY: sysconf only reads a configuration value.
    let ticks = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).ok()?;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        // Processes come and go while we read: a missing file just means "not this one".
        let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
            continue;
        };
        if !is_qemu_of(&cmdline, uuid) {
            continue;
        }
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let after_boot = start_ticks(&stat)?;
        return Some(
            UNIX_EPOCH
                + Duration::from_secs(boot)
                + Duration::from_millis(after_boot * 1000 / ticks),
        );
    }
    None
}

/// Whether a NUL-separated command line is qemu's for the machine `uuid`.
fn is_qemu_of(cmdline: &[u8], uuid: &str) -> bool {
    let mut args = cmdline.split(|&b| b == 0);
    let is_qemu = args
        .next()
        .and_then(|a| std::str::from_utf8(a).ok())
        .is_some_and(|a| {
            let base = a.rsplit('/').next().unwrap_or(a);
            base.starts_with("qemu-system-") || base == "qemu-kvm" || base == "kvm"
        });
    if !is_qemu {
        return false;
    }
    let mut previous_was_uuid = false;
    for arg in args {
        if previous_was_uuid {
            return arg.eq_ignore_ascii_case(uuid.as_bytes());
        }
        previous_was_uuid = arg == b"-uuid";
    }
    false
}

/// Field 22 of /proc/PID/stat. The command name (field 2) may hold spaces and brackets, so
/// fields are counted after its last `)`.
fn start_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    // After ")" come field 3 (state) onwards: field 22 is the 20th of them.
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// The boot time (seconds since 1970) from /proc/stat.
fn boot_time(proc_stat: &str) -> Option<u64> {
    proc_stat
        .lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_qemu_of_a_machine() {
        let uuid = "0f6d2c1e-5b1a-4c55-9d0e-2b7e6c1c9a11";
        let line = format!(
            "/usr/bin/qemu-system-x86_64\0-name\0guest=a b,debug-threads=on\0-uuid\0{uuid}\0-smp\01\0"
        );
        assert!(is_qemu_of(line.as_bytes(), uuid));
        assert!(is_qemu_of(line.as_bytes(), &uuid.to_uppercase()));
        assert!(!is_qemu_of(
            line.as_bytes(),
            "0f6d2c1e-5b1a-4c55-9d0e-000000000000"
        ));
        // Another program mentioning the UUID is not the machine.
        let other = format!("/usr/bin/virt-viewer\0-uuid\0{uuid}\0");
        assert!(!is_qemu_of(other.as_bytes(), uuid));
    }

    #[test]
    fn reads_the_start_field_after_an_odd_command_name() {
        let stat = "4242 (qemu) x (y)) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 3 0 987654 1000 10";
        assert_eq!(start_ticks(stat), Some(987654));
        assert_eq!(start_ticks("garbage"), None);
        assert_eq!(
            boot_time("cpu 1 2 3\nbtime 1763856000\nprocesses 5\n"),
            Some(1763856000)
        );
    }

    #[test]
    fn this_process_is_not_a_machine() {
        assert_eq!(
            qemu_started_at("00000000-0000-0000-0000-000000000000"),
            None
        );
    }
}
