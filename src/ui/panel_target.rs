//! The machine a details panel shows, and the Show / Refresh handling every per-machine panel
//! (clipboard, shared folders, USB) shares: hide until the answer for the new machine comes,
//! ask again only for the machine still shown.

/// The UUID of the machine a panel shows, if any.
#[derive(Debug, Default)]
pub struct PanelTarget(Option<String>);

impl PanelTarget {
    /// Shows `uuid` (or nothing): hides `group` until its data arrives and asks for it.
    pub fn show(
        &mut self,
        uuid: Option<String>,
        group: &adw::PreferencesGroup,
        ask: impl Fn(String),
    ) {
        use gtk::prelude::WidgetExt;
        group.set_visible(false);
        if let Some(u) = &uuid {
            ask(u.clone());
        }
        self.0 = uuid;
    }

    /// Asks again when `uuid` is still the machine shown (after an event about it).
    pub fn refresh(&self, uuid: String, ask: impl Fn(String)) {
        if self.is(&uuid) {
            ask(uuid);
        }
    }

    pub fn is(&self, uuid: &str) -> bool {
        self.0.as_deref() == Some(uuid)
    }

    pub fn get(&self) -> Option<&String> {
        self.0.as_ref()
    }
}
