//! Ubuntu 24.04 and later: subiquity's autoinstall, which osinfo-db has no script for.
//!
//! The answers are cloud-init `user-data` with an `autoinstall:` key, on a small disc
//! labelled `cidata` (cloud-init's NoCloud source finds it by that label), and the
//! installer's kernel is booted with `autoinstall` on its command line so that it asks
//! nothing, not even "Continue with autoinstall?". The password is stored as a SHA-512
//! crypt hash, as autoinstall's `identity` section asks.

use super::super::libosinfo::Answers;

/// Whether express install writes an autoinstall file for the system `short_id`
/// (osinfo-db's short id, e.g. `ubuntu24.04`): Ubuntu 24.04 and later.
pub fn takes_autoinstall(short_id: &str) -> bool {
    let Some(version) = short_id.strip_prefix("ubuntu") else {
        return false;
    };
    let mut parts = version.split('.').map(str::parse::<u32>);
    match (parts.next(), parts.next()) {
        (Some(Ok(major)), Some(Ok(minor))) => (major, minor) >= (24, 4),
        _ => false,
    }
}

/// A YAML scalar holding `s` exactly: a JSON string is a YAML double-quoted scalar, so
/// quotes, backslashes, `$(…)` and line breaks stay text.
fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// The `user-data` file: `a` is already checked ([`super::check_answers`]); `mounts` are the
/// shared folders' tags (each mounted at `/mnt/TAG` at boot). `password_hash` is the
/// user's password as [`hash_password`] gives it.
pub fn user_data(a: &Answers, password_hash: &str, mounts: &[String]) -> String {
    let locale = if a.language.is_empty() {
        "en_US.UTF-8".to_string()
    } else if a.language.contains('.') {
        a.language.clone()
    } else {
        format!("{}.UTF-8", a.language)
    };
    let mut y = String::from("#cloud-config\nautoinstall:\n  version: 1\n");
    y += &format!("  locale: {}\n", quoted(&locale));
    if !a.keyboard.is_empty() {
        y += &format!("  keyboard:\n    layout: {}\n", quoted(&a.keyboard));
    }
    if !a.timezone.is_empty() {
        y += &format!("  timezone: {}\n", quoted(&a.timezone));
    }
    y += "  identity:\n";
    y += &format!("    hostname: {}\n", quoted(&a.hostname));
    y += &format!("    realname: {}\n", quoted(&a.user_realname));
    y += &format!("    username: {}\n", quoted(&a.user_login));
    y += &format!("    password: {}\n", quoted(password_hash));
    // The agents: copy and paste and a resolution that follows the window (SPICE), and
    // a clean shutdown from Bilik (QEMU guest agent).
    y += "  packages:\n    - spice-vdagent\n    - qemu-guest-agent\n";
    if !mounts.is_empty() {
        y += "  late-commands:\n";
        for tag in mounts {
            // Tags are Bilik's own ([a-zA-Z0-9_-], see shared_folders::valid_tag); the
            // whole command is a quoted YAML string besides.
            y += &format!("    - {}\n", quoted(&format!("mkdir -p /target/mnt/{tag}")));
            y += &format!(
                "    - {}\n",
                quoted(&format!(
                    "echo '{}' >> /target/etc/fstab",
                    super::answers::fstab_line(tag)
                ))
            );
        }
    }
    y += "  shutdown: reboot\n";
    y
}

/// The `meta-data` file cloud-init's NoCloud source needs beside `user-data`.
pub fn meta_data(hostname: &str) -> String {
    format!("instance-id: bilik-{hostname}\nlocal-hostname: {hostname}\n")
}

/// The password as a SHA-512 crypt hash (`$6$salt$hash`, random salt).
pub fn hash_password(password: &str) -> Result<String, String> {
    sha_crypt::sha512_simple(password, &sha_crypt::Sha512Params::default())
        .map_err(|e| format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ubuntu_from_24_04_on() {
        assert!(takes_autoinstall("ubuntu24.04"));
        assert!(takes_autoinstall("ubuntu25.10"));
        assert!(!takes_autoinstall("ubuntu22.04"));
        assert!(!takes_autoinstall("ubuntu23.10"));
        assert!(!takes_autoinstall("debian13"));
        assert!(!takes_autoinstall("ubuntu"));
    }

    #[test]
    fn hostile_answers_stay_text() {
        let mut a = super::super::answers::tests::answers();
        a.user_realname = "Ana \"$(reboot)\" \\ d'Arc: - [x] #no".into();
        let hash = hash_password(&a.user_password).unwrap();
        assert!(hash.starts_with("$6$"));
        assert!(sha_crypt::sha512_check(&a.user_password, &hash).is_ok());
        let y = user_data(&a, &hash, &["share0".into()]);
        assert!(
            y.starts_with("#cloud-config\nautoinstall:\n  version: 1\n"),
            "{y}"
        );
        assert!(
            y.contains("    realname: \"Ana \\\"$(reboot)\\\" \\\\ d'Arc: - [x] #no\"\n"),
            "{y}"
        );
        assert!(y.contains("    username: \"ana\"\n"));
        assert!(y.contains(&format!("    password: \"{hash}\"\n")));
        assert!(y.contains("  keyboard:\n    layout: \"fr\"\n"));
        assert!(y.contains("  locale: \"fr_FR.UTF-8\"\n"));
        assert!(y.contains("  timezone: \"Europe/Paris\"\n"));
        assert!(y.contains("    - spice-vdagent\n    - qemu-guest-agent\n"));
        assert!(y.contains(
            "    - \"echo 'share0 /mnt/share0 virtiofs defaults,nofail 0 0' >> /target/etc/fstab\"\n"
        ));
        // The password itself is nowhere in the file.
        assert!(!y.contains(&a.user_password));
        assert_eq!(
            meta_data("web-01"),
            "instance-id: bilik-web-01\nlocal-hostname: web-01\n"
        );
    }
}
