//! Windows' answer file (`autounattend.xml`), as osinfo-db's template renders it, fixed
//! and adapted: on a second CD-ROM, Setup finds it by itself.

/// Windows' answer file, as osinfo-db writes it, fixed:
/// * an empty product key (`<Key></Key>`, or `<ProductKey></ProductKey>`) stops Setup with
///   an error: omitted, so that Setup asks for one or uses the disc's generic key;
/// * no `InputLocale`: Setup would give the installed system a US keyboard. Set from this
///   computer's layout wherever the language is set (a layout Bilik cannot name for
///   Windows is left to Windows' default for the language).
pub fn patch_unattend(content: &str, keyboard: &str) -> String {
    let mut s = content.to_string();
    // <ProductKey><Key>  </Key></ProductKey> and <ProductKey>  </ProductKey>.
    while let Some(start) = s.find("<ProductKey>") {
        let Some(len) = s[start..].find("</ProductKey>") else {
            break;
        };
        let end = start + len + "</ProductKey>".len();
        let inner = &s[start + "<ProductKey>".len()..start + len];
        let key = inner
            .replace("<Key>", "")
            .replace("</Key>", "")
            .replace("<Key/>", "");
        if !key.trim().is_empty() {
            // A key was given: keep this one, look at the next.
            let rest = patch_unattend(&s[end..], "");
            s = format!("{}{rest}", &s[..end]);
            break;
        }
        // With its line, when it stands alone on it.
        let line_start = s[..start].rfind('\n').map_or(start, |i| i + 1);
        let from = if s[line_start..start].trim().is_empty() {
            line_start
        } else {
            start
        };
        let to = if s[end..].starts_with('\n') {
            end + 1
        } else {
            end
        };
        s.replace_range(from..to, "");
    }
    // <ProductKey/> as the XSLT writes an empty one: gone with its line.
    s = s
        .lines()
        .filter(|l| l.trim() != "<ProductKey/>")
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    if !content.ends_with('\n') {
        s.pop();
    }
    if let Some(locale) = windows_input_locale(keyboard) {
        if !s.contains("<InputLocale>") {
            s = s.replace(
                "</UserLocale>",
                &format!("</UserLocale>\n<InputLocale>{locale}</InputLocale>"),
            );
        }
    }
    s
}

/// Windows' name for the keyboard of an XKB layout (its input locale).
pub fn windows_input_locale(xkb: &str) -> Option<&'static str> {
    Some(match xkb {
        "us" => "en-US",
        "gb" => "en-GB",
        "fr" => "fr-FR",
        "be" => "fr-BE",
        "ca" => "fr-CA",
        "ch" => "de-CH",
        "de" => "de-DE",
        "at" => "de-AT",
        "es" => "es-ES",
        "latam" => "es-MX",
        "it" => "it-IT",
        "pt" => "pt-PT",
        "br" => "pt-BR",
        "nl" => "nl-NL",
        "se" => "sv-SE",
        "no" => "nb-NO",
        "dk" => "da-DK",
        "fi" => "fi-FI",
        "pl" => "pl-PL",
        "cz" => "cs-CZ",
        "sk" => "sk-SK",
        "hu" => "hu-HU",
        "ru" => "ru-RU",
        "ua" => "uk-UA",
        "tr" => "tr-TR",
        "gr" => "el-GR",
        "jp" => "ja-JP",
        "kr" => "ko-KR",
        _ => return None,
    })
}

/// Bilik's adaptations of osinfo-db's Windows 10 answer file, which Windows 11 also uses
/// (osinfo-db has none of its own):
/// * with UEFI firmware (Windows 11 needs it, with Secure Boot and a TPM), the disk is
///   partitioned GPT as Windows expects it there: EFI system partition, Microsoft reserved
///   partition, Windows (osinfo-db's layout is one MBR partition, which Setup refuses on
///   UEFI);
/// * Windows 11's first start wants a network and a Microsoft account: `BypassNRO` lets
///   it finish offline, and the online account screens are hidden, so that the local
///   account of the answers is the one created.
pub fn adapt(content: &str, efi: bool) -> String {
    let mut s = content.to_string();
    if efi {
        if let (Some(a), Some(b)) = (
            s.find("<DiskConfiguration>"),
            s.find("</DiskConfiguration>"),
        ) {
            s.replace_range(a..b + "</DiskConfiguration>".len(), GPT_DISK);
        }
        // Windows goes on the third partition.
        if let Some(a) = s.find("<InstallTo>") {
            if let Some(len) = s[a..].find("</InstallTo>") {
                let block = s[a..a + len].replace(
                    "<PartitionID>1</PartitionID>",
                    "<PartitionID>3</PartitionID>",
                );
                s.replace_range(a..a + len, &block);
            }
        }
    }
    if !s.contains("BypassNRO") {
        if let Some(at) = s.find("</RunSynchronous>") {
            s.insert_str(at, BYPASS_NRO);
        }
    }
    if !s.contains("<HideOnlineAccountScreens>") {
        s = s.replacen(
            "<OOBE>",
            "<OOBE>\n<HideOnlineAccountScreens>true</HideOnlineAccountScreens>\n<HideWirelessSetupInOOBE>true</HideWirelessSetupInOOBE>",
            1,
        );
    }
    s
}

const GPT_DISK: &str = "<DiskConfiguration>
        <WillShowUI>OnError</WillShowUI>
        <Disk>
          <DiskID>0</DiskID>
          <WillWipeDisk>true</WillWipeDisk>
          <CreatePartitions>
            <CreatePartition>
              <Order>1</Order>
              <Type>EFI</Type>
              <Size>260</Size>
            </CreatePartition>
            <CreatePartition>
              <Order>2</Order>
              <Type>MSR</Type>
              <Size>16</Size>
            </CreatePartition>
            <CreatePartition>
              <Order>3</Order>
              <Type>Primary</Type>
              <Extend>true</Extend>
            </CreatePartition>
          </CreatePartitions>
          <ModifyPartitions>
            <ModifyPartition>
              <Order>1</Order>
              <PartitionID>1</PartitionID>
              <Format>FAT32</Format>
              <Label>System</Label>
            </ModifyPartition>
            <ModifyPartition>
              <Order>2</Order>
              <PartitionID>3</PartitionID>
              <Format>NTFS</Format>
              <Label>Windows</Label>
              <Letter>C</Letter>
            </ModifyPartition>
          </ModifyPartitions>
        </Disk>
      </DiskConfiguration>";

const BYPASS_NRO: &str = "  <RunSynchronousCommand wcm:action=\"add\">
          <Order>2</Order>
          <Path>reg add HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\OOBE /v BypassNRO /t REG_DWORD /d 1 /f</Path>
          <Description>Finish the first start without a network</Description>
        </RunSynchronousCommand>
      ";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_gets_the_keyboard_and_no_empty_key() {
        let xml = "<a>\n  <UserData>\n    <ProductKey>\n      <Key>\n      </Key>\n    </ProductKey>\n  </UserData>\n  <UserLocale>fr-FR</UserLocale>\n  <ProductKey></ProductKey>\n  <ProductKey/>\n  <ProductKey>ABCDE-12345</ProductKey>\n</a>\n";
        let out = patch_unattend(xml, "fr");
        assert_eq!(
            out,
            "<a>\n  <UserData>\n  </UserData>\n  <UserLocale>fr-FR</UserLocale>\n<InputLocale>fr-FR</InputLocale>\n  <ProductKey>ABCDE-12345</ProductKey>\n</a>\n"
        );
        assert!(!patch_unattend(xml, "xx").contains("InputLocale"));
    }

    /// What libosinfo renders for Windows 10 (abridged to the parts Bilik changes).
    const WIN10: &str = "<unattend xmlns=\"urn:schemas-microsoft-com:unattend\">
  <settings pass=\"windowsPE\">
    <component name=\"Microsoft-Windows-Setup\">
      <DiskConfiguration>
        <Disk><CreatePartitions><CreatePartition><Order>1</Order><Size>1</Size><Type>Primary</Type></CreatePartition></CreatePartitions>
        <DiskID>0</DiskID><ModifyPartitions><ModifyPartition><PartitionID>1</PartitionID></ModifyPartition></ModifyPartitions></Disk>
      </DiskConfiguration>
      <ImageInstall><OSImage><InstallTo><DiskID>0</DiskID><PartitionID>1</PartitionID></InstallTo></OSImage></ImageInstall>
    </component>
  </settings>
  <settings pass=\"specialize\">
    <component xmlns:wcm=\"http://schemas.microsoft.com/WMIConfig/2002/State\" name=\"Microsoft-Windows-Deployment\">
      <RunSynchronous wcm:action=\"add\">
        <RunSynchronousCommand><Order>1</Order><Path>cmd /C E:\\windows.cmd</Path></RunSynchronousCommand>
      </RunSynchronous>
    </component>
  </settings>
  <settings pass=\"oobeSystem\"><component><OOBE><HideEULAPage>true</HideEULAPage></OOBE></component></settings>
</unattend>
";

    #[test]
    fn windows_11_partitions_gpt_and_finishes_offline() {
        let out = adapt(WIN10, true);
        roxmltree::Document::parse(&out).expect("still well-formed");
        assert!(out.contains("<Type>EFI</Type>") && out.contains("<Type>MSR</Type>"));
        assert!(!out.contains("<Size>1</Size>"));
        assert!(
            out.contains("<InstallTo><DiskID>0</DiskID><PartitionID>3</PartitionID></InstallTo>")
        );
        assert!(out.contains("<Order>2</Order>\n          <Path>reg add HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\OOBE /v BypassNRO"));
        assert!(out.contains("<HideOnlineAccountScreens>true</HideOnlineAccountScreens>"));
        // Done once: adapting again changes nothing.
        assert_eq!(adapt(&out, true), out);
        // BIOS (Windows 10): osinfo-db's MBR layout stays.
        let bios = adapt(WIN10, false);
        assert!(bios.contains("<Size>1</Size>") && !bios.contains("<Type>EFI</Type>"));
        roxmltree::Document::parse(&bios).expect("still well-formed");
    }
}
