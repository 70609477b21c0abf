//! Small widget builders shared by the dialogs (storage, networks): rows, labels and
//! navigation pages with the same look and accessible names everywhere.

use adw::prelude::*;

pub fn error_label() -> gtk::Label {
    gtk::Label::builder()
        .wrap(true)
        .xalign(0.0)
        .margin_top(12)
        .selectable(true)
        .css_classes(["error"])
        .visible(false)
        .build()
}

pub fn note_label() -> gtk::Label {
    gtk::Label::builder()
        .wrap(true)
        .xalign(0.0)
        .margin_top(6)
        .css_classes(["dim-label"])
        .build()
}

pub fn entry(title: &str) -> adw::EntryRow {
    adw::EntryRow::builder()
        .use_markup(false)
        .title(title)
        .build()
}

pub fn group(title: &str, description: &str) -> adw::PreferencesGroup {
    let g = adw::PreferencesGroup::builder()
        .title(glib::markup_escape_text(title))
        .build();
    if !description.is_empty() {
        g.set_description(Some(&glib::markup_escape_text(description)));
    }
    g
}

/// A page with a header bar around `content`.
pub fn nav_page(title: &str, tag: &str, content: &impl IsA<gtk::Widget>) -> adw::NavigationPage {
    let view = adw::ToolbarView::new();
    view.add_top_bar(&adw::HeaderBar::new());
    view.set_content(Some(content));
    adw::NavigationPage::builder()
        .title(title)
        .tag(tag)
        .child(&view)
        .build()
}

/// libvirt's (or ssh's) own words under a "Details" expander: small, monospace,
/// selectable.
pub fn details_label() -> gtk::Label {
    gtk::Label::builder()
        .selectable(true)
        .wrap(true)
        .wrap_mode(gtk::pango::WrapMode::WordChar)
        .xalign(0.0)
        .css_classes(["monospace", "caption"])
        .build()
}

/// A row with a spin button. (AdwSpinRow does not appear in the accessibility tree with
/// GTK 4.18 / libadwaita 1.7, so screen readers and tests could not reach it.)
pub fn spin_row(title: &str, adjustment: gtk::Adjustment) -> (adw::ActionRow, gtk::SpinButton) {
    let spin = gtk::SpinButton::builder()
        .adjustment(&adjustment)
        .numeric(true)
        .valign(gtk::Align::Center)
        .build();
    spin.update_property(&[gtk::accessible::Property::Label(title)]);
    let row = adw::ActionRow::builder()
        .use_markup(false)
        .title(title)
        .activatable_widget(&spin)
        .build();
    row.add_suffix(&spin);
    (row, spin)
}

/// A size in GiB (1 GiB to 64 TiB).
pub fn size_spin(title: &str, value: f64) -> (adw::ActionRow, gtk::SpinButton) {
    spin_row(
        title,
        gtk::Adjustment::new(value, 1.0, 65536.0, 1.0, 10.0, 0.0),
    )
}

/// The main button at the end of a form ("Create Pool").
pub fn submit_button(label: &str) -> gtk::Button {
    gtk::Button::builder()
        .label(label)
        .halign(gtk::Align::End)
        .margin_top(12)
        .css_classes(["suggested-action"])
        .build()
}

/// Sets up a dialog that shows pages in a navigation view, with toasts over them.
pub fn nav_dialog(dialog: &adw::Dialog) -> (adw::NavigationView, adw::ToastOverlay) {
    let nav = adw::NavigationView::new();
    let toasts = adw::ToastOverlay::new();
    toasts.set_child(Some(&nav));
    dialog.set_child(Some(&toasts));
    (nav, toasts)
}

pub fn button(label: &str) -> gtk::Button {
    gtk::Button::builder()
        .label(label)
        .valign(gtk::Align::Center)
        .build()
}

/// A button in a group's header (beside its title) that runs `on_click`.
pub fn header_button(
    group: &adw::PreferencesGroup,
    label: &str,
    on_click: impl Fn() + 'static,
) -> gtk::Button {
    let b = button(label);
    b.connect_clicked(move |_| on_click());
    group.set_header_suffix(Some(&b));
    b
}

/// A details panel's group, hidden until a machine is shown.
pub fn panel_group(title: &str, description: &str) -> adw::PreferencesGroup {
    let g = group(title, description);
    g.set_visible(false);
    g
}

/// Ends a form: its main button (which runs `on_click`) and, under it, the label where a
/// refusal is said. Returns the label.
pub fn form_end(
    group: &adw::PreferencesGroup,
    label: &str,
    on_click: impl Fn() + 'static,
) -> gtk::Label {
    let b = submit_button(label);
    b.connect_clicked(move |_| on_click());
    group.add(&b);
    let error = error_label();
    group.add(&error);
    error
}

/// Shows `dialog` over `parent` unless it is already showing.
pub fn present_over(dialog: &adw::Dialog, parent: &impl IsA<gtk::Widget>) {
    if dialog.parent().is_none() {
        dialog.present(Some(parent));
    }
}

/// Sets a row's title and subtitle as plain text (commands contain `&&`, names `&` or `<`).
/// `use-markup` must be off before the text arrives: a builder sets it after the title, and
/// the label then first parses the title as markup (and warns).
pub fn set_plain_text(row: &impl IsA<adw::PreferencesRow>, title: &str, subtitle: Option<&str>) {
    row.set_use_markup(false);
    row.set_title(title);
    if let Some(sub) = subtitle {
        if let Some(r) = row.dynamic_cast_ref::<adw::ActionRow>() {
            r.set_subtitle(sub);
        } else if let Some(r) = row.dynamic_cast_ref::<adw::ExpanderRow>() {
            r.set_subtitle(sub);
        }
    }
}

/// The window's toast overlay that `widget` is in (every screen of the main window is).
fn toast_overlay(widget: &impl IsA<gtk::Widget>) -> Option<adw::ToastOverlay> {
    widget
        .ancestor(adw::ToastOverlay::static_type())
        .and_downcast::<adw::ToastOverlay>()
}

/// A toast's words, as plain text (not markup) that wraps onto more lines: a toast's own
/// title is one line cut with "…", and Bilik's sentences are often longer than that
/// (more so translated).
pub fn wrapped_title(text: &str) -> gtk::Label {
    let label = gtk::Label::builder()
        .label(text)
        .wrap(true)
        .wrap_mode(gtk::pango::WrapMode::WordChar)
        // Lines of up to 60 characters, none narrower than the text needs: the toast
        // would otherwise give a wrapping label little more than its longest word.
        .width_chars(text.chars().count().min(50) as i32)
        .max_width_chars(60)
        .xalign(0.0)
        .build();
    // As the toast's own title looks.
    label.add_css_class("heading");
    // libadwaita tells screen readers a toast's own title only: this one says itself
    // when it is shown.
    label.connect_map(|l| {
        l.announce(&l.label(), gtk::AccessibleAnnouncementPriority::Medium);
    });
    label
}

/// A toast saying `text` (plain text, wrapped: see [`wrapped_title`]).
pub fn wrapped_toast(text: &str) -> adw::Toast {
    adw::Toast::builder()
        .custom_title(&wrapped_title(text))
        .build()
}

/// Shows `text` as a toast of the window `widget` is in (a screen's own answer).
pub fn toast(widget: &impl IsA<gtk::Widget>, text: &str) {
    match toast_overlay(widget) {
        Some(o) => o.add_toast(wrapped_toast(text)),
        None => log::debug!("no window to show “{text}” in (the screen is not shown)"),
    }
}

/// Shows a failure as a toast whose "Details" button opens the advice and libvirt's own
/// words, in the window `widget` is in.
pub fn toast_error(widget: &impl IsA<gtk::Widget>, msg: crate::errors::UserMessage) {
    let Some(overlay) = toast_overlay(widget) else {
        log::debug!("no window to show “{}” in", msg.title);
        return;
    };
    show_error_toast(&overlay, msg);
}

/// [`toast_error`] on a known overlay (the main window's own).
pub fn show_error_toast(overlay: &adw::ToastOverlay, msg: crate::errors::UserMessage) {
    // The soak counts these lines: an error shown while nobody did anything is a bug.
    log::info!("error shown: {}", msg.title);
    let toast = adw::Toast::builder()
        .custom_title(&wrapped_title(&msg.title))
        .timeout(10)
        .build();
    toast.set_button_label(Some(&gettextrs::gettext("Details")));
    let parent = overlay.clone();
    toast.connect_button_clicked(move |_| {
        crate::ui::lifecycle::show_details(&parent, &msg.title, &msg.advice, &msg.details)
    });
    overlay.add_toast(toast);
}
