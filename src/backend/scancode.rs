//! Physical keys to the scancodes a PC keyboard sends (XT, set 1), as SPICE's inputs
//! channel takes them: the guest's own layout then decides which character a key gives,
//! exactly as with a real keyboard (an azerty "a" key is the key a qwerty layout calls
//! "q"). Keys come as Linux evdev codes (an X11 or Wayland hardware keycode minus 8).
//!
//! For keys 1–88 the evdev code is the XT scancode. Extended keys (sent after an 0xE0
//! prefix) are `0x100 | code`, as `spice_inputs_channel_key_press` expects.

/// The XT scancode of the evdev key `code`, or None for a key a PC keyboard has not.
pub fn xt_from_evdev(code: u32) -> Option<u32> {
    const E: u32 = 0x100;
    Some(match code {
        1..=88 => code,
        96 => E | 0x1c,  // KP Enter
        97 => E | 0x1d,  // Right Ctrl
        98 => E | 0x35,  // KP /
        99 => E | 0x37,  // Print / SysRq
        100 => E | 0x38, // Right Alt (AltGr)
        102 => E | 0x47, // Home
        103 => E | 0x48, // Up
        104 => E | 0x49, // Page Up
        105 => E | 0x4b, // Left
        106 => E | 0x4d, // Right
        107 => E | 0x4f, // End
        108 => E | 0x50, // Down
        109 => E | 0x51, // Page Down
        110 => E | 0x52, // Insert
        111 => E | 0x53, // Delete
        117 => 0x59,     // KP =
        119 => E | 0x46, // Pause (as Ctrl+Break)
        121 => 0x7e,     // KP , (Brazilian)
        124 => 0x7d,     // Yen
        125 => E | 0x5b, // Left Super
        126 => E | 0x5c, // Right Super
        127 => E | 0x5d, // Menu
        89 => 0x73,      // RO (Japanese)
        92 => 0x79,      // Henkan
        93 => 0x70,      // Katakana/Hiragana
        94 => 0x7b,      // Muhenkan
        _ => return None,
    })
}

/// Ctrl+Alt+Delete, which the desktop would take for itself if typed.
pub const CTRL_ALT_DEL: [u32; 3] = [0x1d, 0x38, 0x100 | 0x53];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_pc_scancodes() {
        // Esc, the "Q"/"A" key of azerty (evdev 16 = the key left of W/Z), F1, F12.
        assert_eq!(xt_from_evdev(1), Some(0x01));
        assert_eq!(xt_from_evdev(16), Some(0x10));
        assert_eq!(xt_from_evdev(59), Some(0x3b));
        assert_eq!(xt_from_evdev(88), Some(0x58));
        // Extended keys: arrows, AltGr, Delete.
        assert_eq!(xt_from_evdev(103), Some(0x148));
        assert_eq!(xt_from_evdev(100), Some(0x138));
        assert_eq!(xt_from_evdev(111), Some(0x153));
        assert_eq!(xt_from_evdev(0), None);
        assert_eq!(xt_from_evdev(240), None);
    }
}
