//! The new-machine wizard's widgets as built when it is first opened: its five pages (source, system, resources, name, summary). What the wizard does is in mod.rs.

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use super::*;

/// Builds the widgets and the model (the body of `NewVmWizard::init`).
pub(super) fn build(
    settings: Settings,
    dialog: adw::Dialog,
    sender: ComponentSender<NewVmWizard>,
) -> ComponentParts<NewVmWizard> {
    let title = adw::WindowTitle::new(&gettext("New Virtual Machine"), "");
    let header = adw::HeaderBar::builder().title_widget(&title).build();
    let stack = gtk::Stack::builder()
        .transition_type(gtk::StackTransitionType::SlideLeftRight)
        .vexpand(true)
        .build();

    // 1. Source.
    let (p1, g1) = page(
        &gettext("How will the machine start?"),
        &gettext("Most people install a system from a disc image (.iso file) they downloaded."),
    );
    let kinds = [
        (
            gettext("Install from a disc image (ISO)"),
            gettext("An installer file such as Fedora, Ubuntu, Debian or Windows"),
            SourceKind::Iso,
        ),
        (
            gettext("Import an existing disk image"),
            gettext("A qcow2 or raw disk with a system already installed; it is used where it is"),
            SourceKind::Import,
        ),
        (
            gettext("Empty machine (network boot)"),
            gettext("No disc: the machine starts from the network (PXE), then from its new disk"),
            SourceKind::Network,
        ),
    ];
    let mut checks = Vec::new();
    for (t, sub, kind) in kinds {
        let check = gtk::CheckButton::new();
        check.update_property(&[gtk::accessible::Property::Label(&t)]);
        if let Some(first) = checks.first() {
            check.set_group(Some(first));
        }
        let row = adw::ActionRow::builder().activatable_widget(&check).build();
        crate::ui::widgets::set_plain_text(&row, &t, Some(&sub));
        row.add_prefix(&check);
        let s = sender.clone();
        check.connect_toggled(move |c| {
            if c.is_active() {
                s.input(WizardMsg::Kind(kind));
            }
        });
        g1.add(&row);
        checks.push(check);
    }
    checks[0].set_active(true);
    let kind_checks: [gtk::CheckButton; 3] = checks.try_into().expect("three kinds");
    let path_group = adw::PreferencesGroup::new();
    let path_row = adw::EntryRow::builder()
        .use_markup(false)
        .title(gettext("File"))
        .build();
    let choose = gtk::Button::builder()
        .icon_name("document-open-symbolic")
        .valign(gtk::Align::Center)
        .tooltip_text(gettext("Choose File"))
        .css_classes(["flat"])
        .build();
    choose.update_property(&[gtk::accessible::Property::Label(&gettext("Choose File"))]);
    let s = sender.clone();
    choose.connect_clicked(move |_| s.input(WizardMsg::Choose));
    path_row.add_suffix(&choose);
    let s = sender.clone();
    path_row.connect_changed(move |e| s.input(WizardMsg::Path(e.text().to_string())));
    let s = sender.clone();
    path_row.connect_entry_activated(move |_| s.input(WizardMsg::Next));
    path_group.add(&path_row);
    let source_error = error_label();
    path_group.add(&source_error);
    let allow_access = gtk::Button::builder()
        .label(gettext("Allow Access"))
        .halign(gtk::Align::Start)
        .margin_top(6)
        .visible(false)
        .build();
    let s = sender.clone();
    allow_access.connect_clicked(move |_| s.input(WizardMsg::AllowAccess));
    path_group.add(&allow_access);
    p1.add(&path_group);
    // Which connection the machine goes to, when several are open.
    let place_model = gtk::StringList::new(&[]);
    let place_row = adw::ComboRow::builder()
        .title(gettext("Make it in"))
        .model(&place_model)
        .build();
    let s = sender.clone();
    place_row.connect_selected_notify(move |r| s.input(WizardMsg::Place(r.selected())));
    let place_group = adw::PreferencesGroup::builder().visible(false).build();
    place_group.add(&place_row);
    p1.add(&place_group);
    stack.add_named(&p1, Some("source"));

    // 2. Operating system.
    let (p2, g2) = page(
        &gettext("Operating system"),
        &gettext("Bilik sets memory, disk and devices to what this system needs."),
    );
    let detected_row = adw::ActionRow::builder().use_markup(false).build();
    g2.add(&detected_row);
    // A disc that fits several systems (one label, two Windows versions): they are listed
    // first, libosinfo's own first choice picked.
    let candidates_group = adw::PreferencesGroup::builder()
        .title(glib::markup_escape_text(&gettext("On this disc")))
        .visible(false)
        .build();
    let candidates_list = gtk::ListBox::builder().css_classes(["boxed-list"]).build();
    candidates_list.update_property(&[gtk::accessible::Property::Label(&gettext(
        "Systems this disc fits",
    ))]);
    pick_on_select(&candidates_list, &sender);
    candidates_group.add(&candidates_list);
    let generic_group = adw::PreferencesGroup::builder()
        .title(glib::markup_escape_text(&gettext("Not in the list?")))
        .build();
    let generic_list = gtk::ListBox::builder().css_classes(["boxed-list"]).build();
    generic_list.update_property(&[gtk::accessible::Property::Label(&gettext(
        "Generic systems",
    ))]);
    pick_on_select(&generic_list, &sender);
    generic_group.add(&generic_list);
    let list_group = adw::PreferencesGroup::builder()
        .title(glib::markup_escape_text(&gettext("All systems")))
        .build();
    let search = gtk::SearchEntry::builder()
        .placeholder_text(gettext("Search by name or version"))
        .build();
    search.update_property(&[gtk::accessible::Property::Label(&gettext("Search systems"))]);
    let s = sender.clone();
    search.connect_search_changed(move |e| s.input(WizardMsg::Search(e.text().to_string())));
    list_group.add(&search);
    let os_list = gtk::ListBox::builder()
        .css_classes(["boxed-list"])
        .margin_top(12)
        .build();
    os_list.update_property(&[gtk::accessible::Property::Label(&gettext(
        "Operating systems",
    ))]);
    pick_on_select(&os_list, &sender);
    list_group.add(&os_list);
    // As a person reads it: the systems, then what to pick when it is not among them.
    p2.add(&candidates_group);
    p2.add(&list_group);
    p2.add(&generic_group);
    stack.add_named(&p2, Some("system"));

    // 3. Resources.
    let (p3, g3) = page(
        &gettext("Memory, processors and disk"),
        &gettext("Proposed from what the system recommends; you can change them later."),
    );
    let (memory_row, memory) = spin_row(
        &gettext("Memory (MiB)"),
        gtk::Adjustment::new(2048.0, 128.0, 1.0e7, 256.0, 1024.0, 0.0),
    );
    let s = sender.clone();
    memory.connect_value_changed(move |r| s.input(WizardMsg::Memory(r.value() as u64)));
    g3.add(&memory_row);
    let memory_note = note_label();
    g3.add(&memory_note);
    let (vcpus_row, vcpus) = spin_row(
        &gettext("Processors"),
        gtk::Adjustment::new(2.0, 1.0, 512.0, 1.0, 2.0, 0.0),
    );
    let s = sender.clone();
    vcpus.connect_value_changed(move |r| s.input(WizardMsg::Vcpus(r.value() as u32)));
    g3.add(&vcpus_row);
    let disk_group = adw::PreferencesGroup::new();
    let (disk_row, disk) = spin_row(
        &gettext("Disk size (GiB)"),
        gtk::Adjustment::new(20.0, 1.0, 65536.0, 1.0, 10.0, 0.0),
    );
    let s = sender.clone();
    disk.connect_value_changed(move |r| s.input(WizardMsg::DiskSize(r.value() as u64)));
    disk_group.add(&disk_row);
    let pool_names = gtk::StringList::new(&[]);
    // The choice is shown whole under the title (a pool's folder is long; at the row's
    // end it was cut off).
    let pool = adw::ComboRow::builder()
        .use_markup(false)
        .title(gettext("Storage pool: where the disk file is kept"))
        .use_subtitle(true)
        .model(&pool_names)
        .build();
    let s = sender.clone();
    pool.connect_selected_notify(move |r| s.input(WizardMsg::Pool(r.selected())));
    disk_group.add(&pool);
    let disk_note = note_label();
    disk_group.add(&disk_note);
    p3.add(&disk_group);
    stack.add_named(&p3, Some("resources"));

    // 4. Name.
    let (p4, g4) = page(
        &gettext("Name"),
        &gettext("The name appears in the list and names the machine’s disk file."),
    );
    let name_row = adw::EntryRow::builder()
        .use_markup(false)
        .title(gettext("Name"))
        .build();
    let s = sender.clone();
    name_row.connect_changed(move |e| s.input(WizardMsg::Name(e.text().to_string())));
    let s = sender.clone();
    name_row.connect_entry_activated(move |_| s.input(WizardMsg::Next));
    g4.add(&name_row);
    let name_error = error_label();
    g4.add(&name_error);
    // Express install: the answers the installer would ask for, typed here on this
    // computer's own keyboard (shown only when the disc's installer takes an answer file).
    let express_group = adw::PreferencesGroup::builder()
        .title(glib::markup_escape_text(&gettext("Express install")))
        .description(glib::markup_escape_text(&gettext(
            "The system installs itself with these answers and asks nothing in its console. You type them here, on your own keyboard, so they are what you think.",
        )))
        .visible(false)
        .build();
    let express_switch = adw::SwitchRow::builder()
        .use_markup(false)
        .title(gettext("Install by itself"))
        .active(true)
        .build();
    let s = sender.clone();
    express_switch.connect_active_notify(move |r| s.input(WizardMsg::Express(r.is_active())));
    express_group.add(&express_switch);
    let user_row = adw::EntryRow::builder()
        .use_markup(false)
        .title(gettext("User name (login)"))
        .build();
    let s = sender.clone();
    user_row.connect_changed(move |e| s.input(WizardMsg::UserLogin(e.text().to_string())));
    express_group.add(&user_row);
    let realname_row = adw::EntryRow::builder()
        .use_markup(false)
        .title(gettext("Full name"))
        .build();
    let s = sender.clone();
    realname_row.connect_changed(move |e| s.input(WizardMsg::RealName(e.text().to_string())));
    express_group.add(&realname_row);
    // AdwPasswordEntryRow has its own show/hide button.
    let password_row = adw::PasswordEntryRow::builder()
        .title(gettext("Password"))
        .build();
    let s = sender.clone();
    password_row.connect_changed(move |e| s.input(WizardMsg::Password(e.text().to_string())));
    express_group.add(&password_row);
    let again_row = adw::PasswordEntryRow::builder()
        .title(gettext("Password again"))
        .build();
    let s = sender.clone();
    again_row.connect_changed(move |e| s.input(WizardMsg::PasswordAgain(e.text().to_string())));
    express_group.add(&again_row);
    let product_key_row = adw::EntryRow::builder()
        .use_markup(false)
        .title(gettext("Windows product key (may stay empty)"))
        .visible(false)
        .build();
    let s = sender.clone();
    product_key_row.connect_changed(move |e| s.input(WizardMsg::ProductKey(e.text().to_string())));
    express_group.add(&product_key_row);
    let express_note = note_label();
    express_group.add(&express_note);
    let express_error = error_label();
    express_group.add(&express_error);
    p4.add(&express_group);
    // Folders of this computer the new machine sees (virtiofs), from its first start.
    let shares_group = adw::PreferencesGroup::builder()
        .title(glib::markup_escape_text(&gettext("Shared folders")))
        .description(glib::markup_escape_text(&gettext(
            "Folders of this computer that the new machine can open, as in its Shared folders tab. With express install a Linux system mounts them by itself.",
        )))
        .build();
    let add_share = gtk::Button::builder()
        .icon_name("folder-new-symbolic")
        .tooltip_text(gettext("Share a Folder…"))
        .valign(gtk::Align::Center)
        .css_classes(["flat"])
        .build();
    add_share.update_property(&[gtk::accessible::Property::Label(&gettext(
        "Share a Folder…",
    ))]);
    let s = sender.clone();
    add_share.connect_clicked(move |_| s.input(WizardMsg::AddShare));
    shares_group.set_header_suffix(Some(&add_share));
    p4.add(&shares_group);
    stack.add_named(&p4, Some("name"));

    // 5. Summary.
    let (p5, summary) = page(
        &gettext("Ready to create"),
        &gettext("This is what Bilik will make."),
    );
    let options = adw::PreferencesGroup::new();
    let customise = adw::SwitchRow::builder()
        .use_markup(false)
        .title(gettext("Customise before install"))
        .subtitle(gettext(
            "Create the machine without starting it and show its details, to change the hardware first",
        ))
        .build();
    let s = sender.clone();
    customise.connect_active_notify(move |r| s.input(WizardMsg::Customise(r.is_active())));
    options.add(&customise);
    let keyboard = note_label();
    keyboard.set_css_classes(&["warning"]);
    keyboard.set_visible(false);
    options.add(&keyboard);
    let failure_box = gtk::Box::builder()
        .orientation(gtk::Orientation::Vertical)
        .spacing(6)
        .visible(false)
        .build();
    let failure = error_label();
    failure.set_visible(true);
    let failure_details = gtk::Label::builder()
        .wrap(true)
        .xalign(0.0)
        .selectable(true)
        .css_classes(["dim-label", "monospace"])
        .build();
    let expander = gtk::Expander::builder()
        .label(gettext("Details"))
        .child(&failure_details)
        .build();
    failure_box.append(&failure);
    failure_box.append(&expander);
    options.add(&failure_box);
    p5.add(&options);
    stack.add_named(&p5, Some("summary"));

    // Bottom bar: Back, then Next or Create.
    let back = gtk::Button::with_label(&gettext("Back"));
    let next = gtk::Button::builder()
        .label(gettext("Next"))
        .css_classes(["suggested-action"])
        .build();
    let create = gtk::Button::builder()
        .label(gettext("Create"))
        .css_classes(["suggested-action"])
        .visible(false)
        .build();
    let spinner = gtk::Spinner::builder().visible(false).build();
    let s = sender.clone();
    back.connect_clicked(move |_| s.input(WizardMsg::Back));
    let s = sender.clone();
    next.connect_clicked(move |_| s.input(WizardMsg::Next));
    let s = sender.clone();
    create.connect_clicked(move |_| s.input(WizardMsg::Create));
    let bar = gtk::CenterBox::builder()
        .margin_start(12)
        .margin_end(12)
        .margin_top(6)
        .margin_bottom(6)
        .build();
    bar.set_start_widget(Some(&back));
    let end = gtk::Box::new(gtk::Orientation::Horizontal, 12);
    end.append(&spinner);
    end.append(&next);
    end.append(&create);
    bar.set_end_widget(Some(&end));

    let view = adw::ToolbarView::new();
    view.add_top_bar(&header);
    view.set_content(Some(&stack));
    view.add_bottom_bar(&bar);
    dialog.set_child(Some(&view));

    let model = NewVmWizard {
        settings,
        connection: None,
        places: Vec::new(),
        parent: None,
        plan: NewVmPlan::default(),
        source_error: None,
        access: None,
        search: String::new(),
        listed: None,
        failure: None,
        push_fields: false,
    };
    let widgets = WizardWidgets {
        stack,
        title,
        back,
        next,
        create,
        spinner,
        kind_checks,
        place_group,
        place_row,
        place_model,
        path_group,
        path_row,
        source_error,
        allow_access,
        detected_row,
        candidates_group,
        candidates_list,
        search,
        os_list,
        generic_list,
        memory_row,
        memory,
        memory_note,
        vcpus_row,
        vcpus,
        disk_group,
        disk,
        pool,
        pool_names,
        disk_note,
        name_row,
        express_group,
        express_switch,
        user_row,
        realname_row,
        password_row,
        again_row,
        express_note,
        express_error,
        product_key_row,
        shares_group,
        shares_rows: Vec::new(),
        name_error,
        summary,
        summary_rows: Vec::new(),
        keyboard,
        failure,
        failure_details,
        failure_box,
    };
    ComponentParts { model, widgets }
}
