//! The person's answers: checked before they reach an answer file, and the known bugs of
//! osinfo-db's Linux templates fixed in what libosinfo rendered.

use super::super::libosinfo::{Answers, Rendered};

/// Why an answer cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerProblem {
    NoLogin,
    /// A Linux login name is lower-case letters, digits, `_` and `-`, starting with a
    /// letter or `_`.
    BadLogin(char),
    LoginStartsBadly,
    LoginTooLong,
    /// `root` exists already: the new user must be another one.
    RootLogin,
    NoPassword,
    PasswordsDiffer,
    /// Leading or trailing spaces are dropped by some installers: refused rather than lost.
    PasswordSpaces,
    /// A line break or other control character (it would end the answer in the file).
    ControlCharacter(Field),
    /// The installer's file puts this answer inside single quotes (kickstart).
    SingleQuote(Field),
    BadHostName,
    /// Not five groups of five letters or digits (osinfo-db's format for Windows).
    BadProductKey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Login,
    RealName,
    Password,
    HostName,
    ProductKey,
}

/// Checks a login name as Linux systems accept it (`useradd`'s default rule).
pub fn check_login(login: &str) -> Result<(), AnswerProblem> {
    let mut chars = login.chars();
    let Some(first) = chars.next() else {
        return Err(AnswerProblem::NoLogin);
    };
    if !(first.is_ascii_lowercase() || first == '_') {
        return Err(AnswerProblem::LoginStartsBadly);
    }
    if let Some(c) = login
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-'))
    {
        return Err(AnswerProblem::BadLogin(c));
    }
    if login.len() > 32 {
        return Err(AnswerProblem::LoginTooLong);
    }
    if login == "root" {
        return Err(AnswerProblem::RootLogin);
    }
    Ok(())
}

/// Checks every answer before it is written into an answer file; `again` is the password
/// typed a second time.
pub fn check_answers(a: &Answers, again: &str) -> Result<(), AnswerProblem> {
    check_login(&a.user_login)?;
    for (field, value) in [
        (Field::Login, &a.user_login),
        (Field::RealName, &a.user_realname),
        (Field::Password, &a.user_password),
        (Field::HostName, &a.hostname),
        (Field::ProductKey, &a.product_key),
    ] {
        if value.chars().any(char::is_control) {
            return Err(AnswerProblem::ControlCharacter(field));
        }
    }
    if a.user_password.is_empty() {
        return Err(AnswerProblem::NoPassword);
    }
    if a.user_password != again {
        return Err(AnswerProblem::PasswordsDiffer);
    }
    if a.user_password.trim() != a.user_password {
        return Err(AnswerProblem::PasswordSpaces);
    }
    let host_ok = !a.hostname.is_empty()
        && a.hostname.len() <= 63
        && !a.hostname.starts_with('-')
        && a.hostname
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !host_ok {
        return Err(AnswerProblem::BadHostName);
    }
    Ok(())
}

/// Checks a Windows product key against osinfo-db's format for it,
/// `$$$$$-$$$$$-$$$$$-$$$$$-$$$$$` (five groups of five letters or digits). Empty is
/// fine: Windows' Setup then asks for it once (or offers "I don't have a product key").
pub fn check_product_key(key: &str) -> Result<(), AnswerProblem> {
    if key.is_empty() {
        return Ok(());
    }
    let groups: Vec<&str> = key.split('-').collect();
    let ok = groups.len() == 5
        && groups
            .iter()
            .all(|g| g.len() == 5 && g.chars().all(|c| c.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        Err(AnswerProblem::BadProductKey)
    }
}

/// A host name for the guest from the machine's name: letters, digits and dashes.
pub fn host_name(machine: &str) -> String {
    let mut s: String = machine
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    s = s.trim_matches('-').to_string();
    s.truncate(63);
    if s.is_empty() {
        "machine".into()
    } else {
        s
    }
}

/// Fixes what osinfo-db's templates get wrong, and adds `extra` lines (a test's probes).
/// Also refuses answers a format cannot carry. `mounts` are the tags of the folders to
/// share, each mounted at `/mnt/TAG` in the new system; `efi`: the machine boots with UEFI
/// (Windows then partitions its disk with GPT).
pub fn patch(
    r: &mut Rendered,
    a: &Answers,
    extra: &[String],
    mounts: &[String],
    efi: bool,
) -> Result<(), AnswerProblem> {
    if r.file_name == "preseed.cfg" {
        let mut lines = extra.to_vec();
        if !mounts.is_empty() {
            lines.push(format!(
                "d-i preseed/late_command string {}",
                mounts
                    .iter()
                    .map(|tag| format!(
                        "mkdir -p /target/mnt/{tag} ; echo '{}' >> /target/etc/fstab",
                        fstab_line(tag)
                    ))
                    .collect::<Vec<_>>()
                    .join(" ; ")
            ));
        }
        // Added to the text first, so that their late commands join the template's
        // (debconf keeps only the last `preseed/late_command`).
        let mut text = r.content.clone();
        for line in &lines {
            text.push('\n');
            text.push_str(line);
        }
        r.content = patch_preseed(&text, a, &[]);
        // The language is chosen before the installer reads its file: on the kernel
        // command line too (`locale=` is debian-installer/locale), or it asks for it.
        if !a.language.is_empty() {
            let line = r.command_line.take().unwrap_or_default();
            r.command_line = Some(format!("{line} locale={}", a.language).trim().to_string());
        }
    } else if r.file_name.eq_ignore_ascii_case("autounattend.xml") {
        r.content = super::windows::patch_unattend(&r.content, &a.keyboard);
        r.content = super::windows::adapt(&r.content, efi);
    } else if r.file_name.ends_with(".ks") {
        // Kickstart writes passwords and the full name inside single-quoted shell.
        for (field, value) in [
            (Field::Password, &a.user_password),
            (Field::RealName, &a.user_realname),
        ] {
            if value.contains('\'') {
                return Err(AnswerProblem::SingleQuote(field));
            }
        }
        for line in extra {
            r.content.push_str(line);
            r.content.push('\n');
        }
        if !mounts.is_empty() {
            r.content.push_str("%post\n");
            for tag in mounts {
                r.content.push_str(&format!(
                    "mkdir -p /mnt/{tag}\necho '{}' >> /etc/fstab\n",
                    fstab_line(tag)
                ));
            }
            r.content.push_str("%end\n");
        }
    }
    Ok(())
}

/// The guest's /etc/fstab line for a shared folder: mounted at boot at `/mnt/TAG`, and
/// `nofail`, so that the machine still starts when the folder is no longer shared. `tag`
/// is one of Bilik's (letters, digits, `_`, `-`: [`shared_folders::valid_tag`]), so it
/// can stand in a shell command as is.
///
/// [`shared_folders::valid_tag`]: super::super::shared_folders::valid_tag
pub fn fstab_line(tag: &str) -> String {
    debug_assert!(super::super::shared_folders::valid_tag(tag));
    format!("{tag} /mnt/{tag} virtiofs defaults,nofail 0 0")
}

/// Debian's preseed, as osinfo-db (2025-06) writes it, fixed:
/// * `d-i passwd/username` lacks its `string` type: the login would arrive empty;
/// * the keyboard is only on the kernel command line: also in the file, for the installed
///   system's own keyboard setting;
/// * root gets a password and the user no `sudo`: root is locked instead and the user may
///   administer the system, as a desktop user expects;
/// * several `preseed/late_command` lines: debconf keeps only the last, so they are joined
///   into one.
pub fn patch_preseed(content: &str, a: &Answers, extra: &[String]) -> String {
    let mut out = Vec::new();
    let mut late: Vec<String> = Vec::new();
    let mut lines = content.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("d-i preseed/late_command string") {
            // The command, with its continuation lines (ending in a backslash).
            let mut cmd = rest.trim().to_string();
            while cmd.ends_with('\\') {
                cmd.pop();
                match lines.next() {
                    Some(next) => {
                        cmd.push(' ');
                        cmd.push_str(next.trim());
                    }
                    None => break,
                }
            }
            let cmd = cmd.split_whitespace().collect::<Vec<_>>().join(" ");
            if !cmd.is_empty() {
                late.push(cmd);
            }
            continue;
        }
        if t.starts_with("d-i passwd/root-password") {
            continue;
        }
        if t.starts_with("d-i passwd/root-login") {
            out.push("d-i passwd/root-login boolean false".to_string());
            continue;
        }
        if let Some(rest) = t.strip_prefix("d-i passwd/username") {
            let value = rest.trim();
            let value = value.strip_prefix("string").map_or(value, str::trim);
            out.push(format!("d-i passwd/username string {value}"));
            continue;
        }
        out.push(line.to_string());
    }
    if !a.keyboard.is_empty() {
        out.push(format!(
            "d-i keyboard-configuration/xkb-keymap select {}",
            a.keyboard
        ));
    }
    out.extend(extra.iter().cloned());
    if !late.is_empty() {
        out.push(format!(
            "d-i preseed/late_command string {}",
            late.join(" ; ")
        ));
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn answers() -> Answers {
        Answers {
            user_login: "ana".into(),
            user_realname: "Ana Lúcia d'Arc".into(),
            user_password: "$(reboot) \\ 'x\" é".into(),
            admin_password: "$(reboot) \\ 'x\" é".into(),
            hostname: "web-01".into(),
            language: "fr_FR".into(),
            keyboard: "fr".into(),
            timezone: "Europe/Paris".into(),
            product_key: String::new(),
        }
    }

    #[test]
    fn logins_follow_the_linux_rule() {
        assert_eq!(check_login("ana"), Ok(()));
        assert_eq!(check_login("_svc-1"), Ok(()));
        assert_eq!(check_login(""), Err(AnswerProblem::NoLogin));
        assert_eq!(check_login("Ana"), Err(AnswerProblem::LoginStartsBadly));
        assert_eq!(check_login("1ana"), Err(AnswerProblem::LoginStartsBadly));
        assert_eq!(check_login("ana maria"), Err(AnswerProblem::BadLogin(' ')));
        assert_eq!(check_login("anaé"), Err(AnswerProblem::BadLogin('é')));
        assert_eq!(check_login("root"), Err(AnswerProblem::RootLogin));
        assert_eq!(
            check_login(&"a".repeat(33)),
            Err(AnswerProblem::LoginTooLong)
        );
    }

    #[test]
    fn answers_that_would_break_the_file_are_refused() {
        let a = answers();
        assert_eq!(check_answers(&a, &a.user_password), Ok(()));
        assert_eq!(
            check_answers(&a, "other"),
            Err(AnswerProblem::PasswordsDiffer)
        );
        let mut b = a.clone();
        b.user_password = "pass\nd-i passwd/root-login boolean true".into();
        assert_eq!(
            check_answers(&b, &b.user_password),
            Err(AnswerProblem::ControlCharacter(Field::Password))
        );
        let mut b = a.clone();
        b.user_realname = "Ana\r".into();
        assert_eq!(
            check_answers(&b, &a.user_password),
            Err(AnswerProblem::ControlCharacter(Field::RealName))
        );
        let mut b = a.clone();
        b.user_password = " secret".into();
        assert_eq!(
            check_answers(&b, " secret"),
            Err(AnswerProblem::PasswordSpaces)
        );
        let mut b = a.clone();
        b.hostname = "web_01".into();
        assert_eq!(
            check_answers(&b, &a.user_password),
            Err(AnswerProblem::BadHostName)
        );
        assert_eq!(host_name("Debian 13 (test)"), "debian-13--test");
        assert_eq!(host_name("--"), "machine");
        assert_eq!(check_product_key(""), Ok(()));
        assert_eq!(check_product_key("VK7JG-NPHTM-C97JM-9MPGT-3V66T"), Ok(()));
        for bad in [
            "VK7JG-NPHTM-C97JM-9MPGT",
            "VK7JG NPHTM C97JM 9MPGT 3V66T",
            "VK7JG-NPHTM-C97JM-9MPGT-3V66$",
        ] {
            assert_eq!(
                check_product_key(bad),
                Err(AnswerProblem::BadProductKey),
                "{bad}"
            );
        }
    }

    const PRESEED: &str = "d-i passwd/root-login boolean true
d-i passwd/root-password password x
d-i passwd/root-password-again password x
d-i passwd/username ana
d-i preseed/late_command string in-target sed -i '/cdrom/d' /etc/apt/sources.list
d-i preseed/late_command string \\
    mkdir /mnt/m ; \\
    cp a b
d-i preseed/late_command string in-target \\
    touch /root/osinfo-install-successful
";

    #[test]
    fn debians_preseed_is_fixed() {
        let out = patch_preseed(PRESEED, &answers(), &["d-i x/y string z".into()]);
        assert!(out.contains("d-i passwd/username string ana\n"), "{out}");
        assert!(out.contains("d-i passwd/root-login boolean false"));
        assert!(!out.contains("root-password"), "{out}");
        assert!(out.contains("d-i keyboard-configuration/xkb-keymap select fr"));
        assert!(out.contains("d-i x/y string z"));
        let late: Vec<&str> = out
            .lines()
            .filter(|l| l.contains("preseed/late_command"))
            .collect();
        assert_eq!(
            late,
            ["d-i preseed/late_command string in-target sed -i '/cdrom/d' /etc/apt/sources.list ; mkdir /mnt/m ; cp a b ; in-target touch /root/osinfo-install-successful"]
        );
        // Already typed: left as is.
        let again = patch_preseed("d-i passwd/username string ana\n", &answers(), &[]);
        assert!(again.contains("d-i passwd/username string ana\n"));
    }

    #[test]
    fn kickstart_refuses_single_quotes() {
        let mut r = Rendered {
            file_name: "fedora.ks".into(),
            content: String::new(),
            helpers: Vec::new(),
            command_line: None,
            injection: super::super::super::libosinfo::Injection::Initrd,
            profile: "desktop".into(),
        };
        assert_eq!(
            patch(&mut r, &answers(), &[], &[], false),
            Err(AnswerProblem::SingleQuote(Field::Password))
        );
    }
}
