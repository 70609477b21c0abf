//! Shows the wizard's state: the generic systems, the system list with the choice marked,
//! the fields, notes and the summary of the page shown.

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use super::*;

pub(super) fn page(
    title: &str,
    description: &str,
) -> (adw::PreferencesPage, adw::PreferencesGroup) {
    let page = adw::PreferencesPage::new();
    let group = adw::PreferencesGroup::builder()
        .title(glib::markup_escape_text(title))
        .description(glib::markup_escape_text(description))
        .build();
    page.add(&group);
    (page, group)
}

/// Choosing a row (click, keyboard or a screen reader's selection) picks its system.
pub(super) fn pick_on_select(list: &gtk::ListBox, sender: &ComponentSender<NewVmWizard>) {
    let s = sender.clone();
    list.connect_row_selected(move |_, row| {
        if let Some(row) = row {
            s.input(WizardMsg::PickOs(row.widget_name().to_string()));
        }
    });
}

/// A system's row: its name, its short id, and a check mark shown while it is the choice.
pub(super) fn os_row(id: &str, title: &str, subtitle: &str) -> adw::ActionRow {
    let row = adw::ActionRow::builder().activatable(true).build();
    crate::ui::widgets::set_plain_text(&row, title, Some(subtitle));
    // The row's name carries the osinfo id (see `pick_on_select`).
    row.set_widget_name(id);
    let mark = gtk::Image::builder()
        .icon_name("object-select-symbolic")
        .visible(false)
        .css_classes(["accent"])
        .build();
    mark.update_property(&[gtk::accessible::Property::Label(&gettext("Chosen"))]);
    row.add_suffix(&mark);
    row
}

/// The check mark of a row made by [`os_row`].
pub(super) fn chosen_mark(row: &gtk::Widget) -> Option<gtk::Image> {
    let mut stack = vec![row.clone()];
    while let Some(w) = stack.pop() {
        if let Some(img) = w.downcast_ref::<gtk::Image>() {
            if img.icon_name().as_deref() == Some("object-select-symbolic") {
                return Some(img.clone());
            }
        }
        let mut c = w.first_child();
        while let Some(x) = c {
            c = x.next_sibling();
            stack.push(x);
        }
    }
    None
}

/// Selects the row of system `id` in `list` (none if it is not there), and marks it: a
/// boxed list does not highlight its selected row, so the choice shows a check mark, and
/// its accessible state says "selected".
pub(super) fn sync_selection(list: &gtk::ListBox, id: Option<&str>) -> bool {
    let mut child = list.first_child();
    let mut found = false;
    while let Some(c) = child {
        if let Some(row) = c.downcast_ref::<gtk::ListBoxRow>() {
            let chosen = Some(row.widget_name().as_str()) == id;
            if chosen {
                found = true;
                if !row.is_selected() {
                    list.select_row(Some(row));
                }
            }
            if let Some(mark) = chosen_mark(row.upcast_ref()) {
                mark.set_visible(chosen);
            }
            row.update_state(&[gtk::accessible::State::Selected(Some(chosen))]);
        }
        child = c.next_sibling();
    }
    if !found && list.selected_row().is_some() {
        list.unselect_all();
    }
    found
}

pub(super) fn fill_os_list(list: &gtk::ListBox, db: &OsDb, query: &str, chosen: Option<&str>) {
    while let Some(child) = list.first_child() {
        list.remove(&child);
    }
    // The newest first; a short list keeps typing instant — the search narrows it.
    let mut found = db.search(query).into_iter().take(40).collect::<Vec<_>>();
    // The current choice (e.g. recognised from the disc) is always there to be seen.
    if query.is_empty() {
        if let Some(e) = chosen.and_then(|id| db.get(id)) {
            if !found.iter().any(|f| f.id == e.id) {
                found.insert(0, e);
            }
        }
    }
    for e in found {
        list.append(&os_row(&e.id, &e.name, &e.short_id));
    }
}

impl NewVmWizard {
    pub(super) fn fill_generic(&self, widgets: &WizardWidgets, db: &OsDb) {
        let g = db.generic();
        for (title, subtitle, id) in [
            (
                gettext("Generic Linux"),
                gettext("Any recent Linux distribution"),
                g.linux,
            ),
            (
                gettext("Generic Windows"),
                gettext("A recent desktop Windows"),
                g.windows,
            ),
            (
                gettext("Other"),
                gettext("Anything else: safe, slower devices"),
                g.other,
            ),
        ] {
            let Some(id) = id else { continue };
            widgets.generic_list.append(&os_row(&id, &title, &subtitle));
        }
    }

    pub(super) fn render(&mut self, w: &mut WizardWidgets, sender: &ComponentSender<NewVmWizard>) {
        let names = ["source", "system", "resources", "name", "summary"];
        if w.stack.visible_child_name().as_deref() != Some(names[self.plan.step]) {
            w.stack.set_visible_child_name(names[self.plan.step]);
        }
        w.title.set_subtitle(&gettext_f(
            "Step {n} of {total}",
            &[
                ("n", &(self.plan.step + 1).to_string()),
                ("total", &STEPS.to_string()),
            ],
        ));
        w.back.set_sensitive(self.plan.step > 0 && !self.plan.busy);
        w.next.set_visible(self.plan.step < STEPS - 1);
        w.next.set_sensitive(self.plan.can_go_on());
        w.create.set_visible(self.plan.step == STEPS - 1);
        w.create.set_sensitive(
            self.plan.step == STEPS - 1 && self.plan.can_go_on() && self.plan.name_check().is_ok(),
        );
        w.spinner.set_visible(self.plan.busy);
        w.spinner.set_spinning(self.plan.busy);

        // 1. Source.
        w.path_group
            .set_visible(self.plan.kind != SourceKind::Network);
        w.path_row.set_title(&match self.plan.kind {
            SourceKind::Import => gettext("Disk image file"),
            _ => gettext("Disc image file (.iso)"),
        });
        w.source_error.set_visible(self.source_error.is_some());
        w.source_error
            .set_label(self.source_error.as_deref().unwrap_or(""));
        w.allow_access.set_visible(self.access.is_some());

        // 2. System.
        if self.plan.step == 1 {
            let several = self.plan.candidates.len() > 1;
            let (title, subtitle) = match self.plan.kind {
                _ if self.plan.recognised() && several => (
                    gettext_f("Recognised: {system}", &[("system", &self.plan.os_name())]),
                    gettext(
                        "This disc fits several systems (listed under “On this disc”); Bilik picked the first, as libosinfo does. If yours is another one, pick it there.",
                    ),
                ),
                _ if self.plan.recognised() => (
                    gettext_f("Recognised: {system}", &[("system", &self.plan.os_name())]),
                    gettext(
                        "Bilik read this from the disc. If it is wrong, pick the right one below.",
                    ),
                ),
                SourceKind::Iso if self.plan.os_id.is_none() => (
                    gettext("Bilik could not recognise this disc"),
                    gettext("Pick the system below (type to search), or a generic choice."),
                ),
                _ if self.plan.os_id.is_none() => (
                    gettext("Which system is it?"),
                    gettext("Pick it below (type to search), or a generic choice."),
                ),
                _ => (
                    gettext_f("Chosen: {system}", &[("system", &self.plan.os_name())]),
                    gettext("Pick another one below to change it."),
                ),
            };
            w.detected_row.set_title(&title);
            w.detected_row.set_subtitle(&subtitle);
            // The systems the disc fits, when there is a choice to make among them.
            w.candidates_group.set_visible(several);
            let ids: Vec<&str> = self
                .plan
                .candidates
                .iter()
                .map(|c| c.os_id.as_str())
                .collect();
            let mut shown = Vec::new();
            let mut child = w.candidates_list.first_child();
            while let Some(c) = child {
                shown.push(c.widget_name().to_string());
                child = c.next_sibling();
            }
            if several && shown != ids {
                w.candidates_list.remove_all();
                for c in &self.plan.candidates {
                    w.candidates_list
                        .append(&os_row(&c.os_id, &c.name, &c.short_id));
                }
            }
            sync_selection(&w.candidates_list, self.plan.os_id.as_deref());
            if let Some(db) = &self.plan.db {
                if self.listed.as_deref() != Some(self.search.as_str()) {
                    fill_os_list(&w.os_list, db, &self.search, self.plan.os_id.as_deref());
                    self.listed = Some(self.search.clone());
                }
            }
            let in_list = sync_selection(&w.os_list, self.plan.os_id.as_deref());
            let generic = sync_selection(&w.generic_list, self.plan.os_id.as_deref());
            // A choice made before the list was filled (recognised from the disc) must be
            // there to be seen: fill it again with the choice in it.
            if let (Some(db), false, false) = (&self.plan.db, in_list, generic) {
                if self.plan.os_id.is_some() && self.search.is_empty() {
                    fill_os_list(&w.os_list, db, &self.search, self.plan.os_id.as_deref());
                    sync_selection(&w.os_list, self.plan.os_id.as_deref());
                }
            }
        }

        // 3. Resources.
        let push = std::mem::take(&mut self.push_fields);
        if self.plan.step == 2 || push {
            let max_mem = (self.plan.facts.memory_total >> 20)
                .max(self.plan.memory_mib)
                .max(1024) as f64;
            w.memory.adjustment().set_upper(max_mem);
            if push {
                w.memory.set_value(self.plan.memory_mib as f64);
            }
            let max_cpus = (self.plan.facts.cpus.max(1)).max(self.plan.vcpus) as f64;
            w.vcpus.adjustment().set_upper(max_cpus);
            if push {
                w.vcpus.set_value(self.plan.vcpus as f64);
            }
            w.memory_row.set_subtitle(&mib(self.plan.memory_mib));
            w.vcpus_row.set_subtitle(&gettext_f(
                "This computer has {n}",
                &[("n", &self.plan.facts.cpus.to_string())],
            ));
            if push {
                w.disk.set_value(self.plan.disk_gib as f64);
            }
            if w.pool.selected() != self.plan.pool
                && (self.plan.pool as usize) < self.plan.facts.pools.len()
            {
                w.pool.set_selected(self.plan.pool);
            }
            w.memory_note.set_label(&self.plan.memory_note());
            w.disk_group
                .set_visible(self.plan.kind != SourceKind::Import);
            w.disk_note.set_label(&self.plan.disk_note());
        }

        // 4. Name.
        if push {
            w.name_row.set_text(&self.plan.name);
        }
        let problem = self.plan.name_check().err();
        w.name_error.set_visible(
            problem.is_some() && (self.plan.name_touched || !self.plan.name.is_empty()),
        );
        w.name_error.set_label(
            &problem
                .as_ref()
                .map(crate::errors::name_problem)
                .unwrap_or_default(),
        );

        // 4. Express install.
        let possible = self.plan.express_possible();
        w.express_group.set_visible(possible);
        if possible {
            let on = self.plan.express && !self.plan.customise;
            for row in [
                w.user_row.upcast_ref::<gtk::Widget>(),
                w.realname_row.upcast_ref(),
                w.password_row.upcast_ref(),
                w.again_row.upcast_ref(),
                w.product_key_row.upcast_ref(),
            ] {
                row.set_sensitive(on);
            }
            w.express_switch.set_subtitle(&if on {
                gettext_f(
                    "{system} will ask nothing: no language, keyboard, user or disk questions",
                    &[("system", &self.plan.os_name())],
                )
            } else {
                gettext("Off: you answer the installer yourself, in the machine’s console")
            });
            let layout = crate::keyboard_layout::describe(
                self.plan.layout_description.as_deref(),
                self.plan.layout.as_deref().unwrap_or(""),
            );
            w.express_note.set_label(&gettext_f(
                // Translators: {layout} is a keyboard layout in words with its code, such as “French” (fr).
                "The new system gets the keyboard layout {layout}, like this computer, and “{user}” may administer it.",
                &[("layout", &layout), ("user", self.plan.user_login.trim())],
            ));
            w.product_key_row.set_visible(self.plan.windows());
            let problem = self.plan.express_check().err();
            // A password not typed yet, or not typed twice yet, is not wrong yet.
            use crate::backend::express::AnswerProblem;
            let shown = on
                && match &problem {
                    None | Some(AnswerProblem::NoPassword) => false,
                    Some(AnswerProblem::PasswordsDiffer) => !self.plan.password_again.is_empty(),
                    Some(_) => true,
                };
            w.express_error.set_visible(shown);
            w.express_error.set_label(
                &problem
                    .as_ref()
                    .map(crate::errors::answer_problem)
                    .unwrap_or_default(),
            );
        }

        // 4. Shared folders: one row per folder, with its remove button.
        if w.shares_rows.len() != self.plan.shared.len()
            || w.shares_rows
                .iter()
                .zip(&self.plan.shared)
                .any(|(r, d)| r.title() != d.as_str())
        {
            for r in w.shares_rows.drain(..) {
                w.shares_group.remove(&r);
            }
            for (i, share) in self.plan.shares().into_iter().enumerate() {
                let row = adw::ActionRow::builder()
                    .use_markup(false)
                    .title(&share.dir)
                    .subtitle(gettext_f(
                        // Translators: {tag} is the name the machine mounts the folder by.
                        "Mount name “{tag}”",
                        &[("tag", &share.tag)],
                    ))
                    .build();
                let remove = gtk::Button::builder()
                    .icon_name("list-remove-symbolic")
                    .valign(gtk::Align::Center)
                    .css_classes(["flat"])
                    .tooltip_text(gettext("Do Not Share"))
                    .build();
                remove.update_property(&[gtk::accessible::Property::Label(&gettext_f(
                    // Translators: {folder} is a folder of this computer.
                    "Do not share {folder}",
                    &[("folder", &share.dir)],
                ))]);
                let s = sender.clone();
                remove.connect_clicked(move |_| s.input(WizardMsg::RemoveShare(i)));
                row.add_suffix(&remove);
                w.shares_group.add(&row);
                w.shares_rows.push(row);
            }
        }

        // 5. Summary.
        if self.plan.step == 4 {
            for r in w.summary_rows.drain(..) {
                w.summary.remove(&r);
            }
            for (title, text) in self.plan.summary() {
                let row = adw::ActionRow::builder()
                    .use_markup(false)
                    .title(&title)
                    .subtitle(&text)
                    .css_classes(["property"])
                    .build();
                w.summary.add(&row);
                w.summary_rows.push(row);
            }
            let hint = self.plan.keyboard_hint();
            w.keyboard.set_visible(hint.is_some());
            w.keyboard.set_label(hint.as_deref().unwrap_or(""));
        }
        w.failure_box.set_visible(self.failure.is_some());
        if let Some(f) = &self.failure {
            w.failure.set_label(&format!("{} {}", f.title, f.advice));
            w.failure_details.set_label(&f.details);
        }
    }
}
