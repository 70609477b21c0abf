//! Typed access to Bilik's GSettings (schema `io.github.bilik.Bilik`): no raw key strings
//! elsewhere in the code.

use gio::prelude::*;

use crate::config::APP_ID;

/// Every key of the schema.
#[derive(Debug, Clone, Copy)]
pub enum Key {
    WindowWidth,
    WindowHeight,
    WindowMaximized,
    CustomConnections,
    LastConnection,
    /// The connections open when Bilik last closed (reopened at start).
    OpenConnections,
    LastImageFolder,
    SetupCheckSeen,
    ConsoleFullscreen,
    /// "bilik" or "virt-viewer".
    ConsoleViewer,
    HotkeyToggleFullscreen,
    HotkeyReleaseCursor,
    ShowConsoleHints,
}

impl Key {
    fn name(self) -> &'static str {
        match self {
            Key::WindowWidth => "window-width",
            Key::WindowHeight => "window-height",
            Key::WindowMaximized => "window-maximized",
            Key::CustomConnections => "custom-connections",
            Key::LastConnection => "last-connection",
            Key::OpenConnections => "open-connections",
            Key::LastImageFolder => "last-image-folder",
            Key::SetupCheckSeen => "setup-check-seen",
            Key::ConsoleFullscreen => "console-fullscreen",
            Key::ConsoleViewer => "console-viewer",
            Key::HotkeyToggleFullscreen => "hotkey-toggle-fullscreen",
            Key::HotkeyReleaseCursor => "hotkey-release-cursor",
            Key::ShowConsoleHints => "show-console-hints",
        }
    }
}

/// The application's settings.
#[derive(Clone, Debug)]
pub struct Settings(gio::Settings);

impl Settings {
    /// Opens the settings, or explains that the schema is not installed.
    /// How consoles open: full screen or not, with the keys chosen in Preferences (the
    /// window's and `bilik console`'s).
    pub fn console_options(&self, fullscreen: bool) -> crate::backend::console::ConsoleOptions {
        crate::backend::console::ConsoleOptions {
            fullscreen,
            toggle_fullscreen: self.string(Key::HotkeyToggleFullscreen),
            release_cursor: self.string(Key::HotkeyReleaseCursor),
        }
    }

    /// Whether consoles open in Bilik's own window (else in virt-viewer).
    pub fn consoles_in_bilik(&self) -> bool {
        self.string(Key::ConsoleViewer) != "virt-viewer"
    }

    pub fn open() -> Result<Settings, String> {
        let source = gio::SettingsSchemaSource::default()
            .ok_or_else(|| "no GSettings schemas are installed".to_string())?;
        if source.lookup(APP_ID, true).is_none() {
            return Err(format!(
                "the GSettings schema {APP_ID} is not installed; install Bilik with meson, \
                 or run it with build-aux/run, which compiles the schema and sets \
                 GSETTINGS_SCHEMA_DIR"
            ));
        }
        Ok(Settings(gio::Settings::new(APP_ID)))
    }

    pub fn int(&self, key: Key) -> i32 {
        self.0.int(key.name())
    }

    pub fn set_int(&self, key: Key, value: i32) {
        // Writes fail only for keys outside the schema (which `Key` rules out) or a
        // read-only backend: said in the log, not to the person.
        if let Err(e) = self.0.set_int(key.name(), value) {
            log::warn!("setting {} not saved: {e}", key.name());
        }
    }

    pub fn boolean(&self, key: Key) -> bool {
        self.0.boolean(key.name())
    }

    pub fn set_boolean(&self, key: Key, value: bool) {
        if let Err(e) = self.0.set_boolean(key.name(), value) {
            log::warn!("setting {} not saved: {e}", key.name());
        }
    }

    pub fn string(&self, key: Key) -> String {
        self.0.string(key.name()).to_string()
    }

    pub fn set_string(&self, key: Key, value: &str) {
        if let Err(e) = self.0.set_string(key.name(), value) {
            log::warn!("setting {} not saved: {e}", key.name());
        }
    }

    /// Keeps `property` of `object` and the key in step, both ways.
    pub fn bind(&self, key: Key, object: &impl IsA<glib::Object>, property: &str) {
        self.0.bind(key.name(), object, property).build();
    }

    pub fn strv(&self, key: Key) -> Vec<String> {
        self.0
            .strv(key.name())
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    pub fn set_strv(&self, key: Key, value: &[String]) {
        let v: Vec<&str> = value.iter().map(String::as_str).collect();
        if let Err(e) = self.0.set_strv(key.name(), v.as_slice()) {
            log::warn!("setting {} not saved: {e}", key.name());
        }
    }
}
