//! The main window as built at start: header bar, switcher, list, the machine's tabs and
//! panels, shortcuts and actions. Only construction lives here; what the window does is in
//! `app/mod.rs` (messages) and `app/actions.rs` (questions to the connection).

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use super::*;

/// Builds the window, its children and the App (the body of `App::init`).
pub(super) fn build(
    init: AppInit,
    window: adw::ApplicationWindow,
    sender: ComponentSender<App>,
) -> ComponentParts<App> {
    crate::bench::mark("app-init");
    let settings = init.settings;
    window.set_default_size(
        settings.int(Key::WindowWidth).max(360),
        settings.int(Key::WindowHeight).max(294),
    );
    if settings.boolean(Key::WindowMaximized) {
        window.maximize();
    }
    let s = settings.clone();
    window.connect_close_request(move |w| {
        let (width, height) = w.default_size();
        s.set_int(Key::WindowWidth, width);
        s.set_int(Key::WindowHeight, height);
        s.set_boolean(Key::WindowMaximized, w.is_maximized());
        glib::Propagation::Proceed
    });

    let switcher = ConnectionSwitcher::builder()
        .launch((settings.clone(), Vec::new()))
        .forward(sender.input_sender(), |o| match o {
            SwitcherOutput::Open(u) => AppMsg::OpenUri(u),
            SwitcherOutput::Close(u) => AppMsg::CloseUri(u),
        });
    let list = VmList::builder()
        .launch(())
        .forward(sender.input_sender(), |o| match o {
            VmListOutput::Selected(v) => AppMsg::Selected(v),
            // Enter or a double click opens the machine's console, as in virt-manager.
            VmListOutput::Activated(uri, v) => AppMsg::OpenConsole {
                uri,
                uuid: v.uuid(),
                name: v.name(),
                fullscreen: None,
                in_bilik: None,
            },
            VmListOutput::Header(ask) => AppMsg::Header(ask),
        });
    let machine_view =
        MachineView::builder()
            .launch(())
            .forward(sender.input_sender(), |o| match o {
                // The shown machine's: its connection is found by the App.
                MachineViewOutput::Action { uuid, name, action } => AppMsg::Action {
                    uri: String::new(),
                    uuid,
                    name,
                    action,
                },
                MachineViewOutput::OpenConsole {
                    uuid,
                    name,
                    fullscreen,
                    in_bilik,
                } => AppMsg::OpenConsole {
                    uri: String::new(),
                    uuid,
                    name,
                    fullscreen,
                    in_bilik,
                },
                MachineViewOutput::Cloned(uuid) => AppMsg::ShowMachine(String::new(), uuid),
                MachineViewOutput::Move { uuid, name } => AppMsg::Move {
                    uri: String::new(),
                    uuid,
                    name,
                },
            });

    // Sidebar: header with the connections menu and the main menu, then the list.
    let menu = gio::Menu::new();
    let connection_section = gio::Menu::new();
    connection_section.append(Some(&gettext("_Storage")), Some("app.storage"));
    connection_section.append(Some(&gettext("_Networks")), Some("app.networks"));
    menu.append_section(None, &connection_section);
    menu.append(Some(&gettext("_Preferences")), Some("app.preferences"));
    menu.append(Some(&gettext("_Setup Check")), Some("app.setup-check"));
    menu.append(Some(&gettext("_Keyboard Shortcuts")), Some("app.shortcuts"));
    menu.append(Some(&gettext("_About Bilik")), Some("app.about"));
    let menu_button = gtk::MenuButton::builder()
        .icon_name("open-menu-symbolic")
        .menu_model(&menu)
        .primary(true)
        .tooltip_text(gettext("Main Menu"))
        .build();
    menu_button.update_property(&[gtk::accessible::Property::Label(&gettext("Main Menu"))]);
    let sidebar_header = adw::HeaderBar::builder()
        .title_widget(switcher.widget())
        .build();
    sidebar_header.pack_end(&menu_button);
    let new_button = gtk::Button::builder()
        .icon_name("list-add-symbolic")
        .action_name("app.new-vm")
        .tooltip_text(gettext("New Virtual Machine (Ctrl+N)"))
        .build();
    new_button.update_property(&[gtk::accessible::Property::Label(&gettext(
        "New Virtual Machine",
    ))]);
    sidebar_header.pack_start(&new_button);
    let sidebar_view = adw::ToolbarView::new();
    sidebar_view.add_top_bar(&sidebar_header);
    sidebar_view.set_content(Some(list.widget()));
    let sidebar = adw::NavigationPage::builder()
        .title(gettext("Virtual Machines"))
        .tag("sidebar")
        .child(&sidebar_view)
        .build();

    let content = adw::NavigationPage::builder()
        .title(gettext("Details"))
        .tag("content")
        .child(machine_view.widget())
        .build();

    let split = adw::NavigationSplitView::builder()
        .sidebar(&sidebar)
        .content(&content)
        .min_sidebar_width(300.0)
        .max_sidebar_width(420.0)
        .build();
    let toasts = adw::ToastOverlay::new();
    toasts.set_child(Some(&split));
    window.set_content(Some(&toasts));

    // Narrow windows show one pane at a time.
    let bp = adw::Breakpoint::new(
        adw::BreakpointCondition::parse("max-width: 600sp").expect("valid condition"),
    );
    bp.add_setter(&split, "collapsed", Some(&true.to_value()));
    window.add_breakpoint(bp);

    crate::ui::shortcuts::install_actions(&window);
    let setup_action = gio::SimpleAction::new("setup-check", None);
    let s = sender.clone();
    setup_action.connect_activate(move |_, _| s.input(AppMsg::OpenSetupCheck(None)));
    relm4::main_application().add_action(&setup_action);
    let prefs_action = gio::SimpleAction::new("preferences", None);
    let s = sender.clone();
    prefs_action.connect_activate(move |_, _| s.input(AppMsg::OpenPreferences));
    relm4::main_application().add_action(&prefs_action);
    relm4::main_application().set_accels_for_action("app.preferences", &["<Control>comma"]);
    let new_action = gio::SimpleAction::new("new-vm", None);
    let s = sender.clone();
    new_action.connect_activate(move |_, _| s.input(AppMsg::NewVm(None)));
    relm4::main_application().add_action(&new_action);
    relm4::main_application().set_accels_for_action("app.new-vm", &["<Control>n"]);
    let storage_action = gio::SimpleAction::new("storage", None);
    let s = sender.clone();
    storage_action.connect_activate(move |_, _| s.input(AppMsg::OpenStorage(None)));
    relm4::main_application().add_action(&storage_action);
    let networks_action = gio::SimpleAction::new("networks", None);
    let s = sender.clone();
    networks_action.connect_activate(move |_, _| s.input(AppMsg::OpenNetworks(None)));
    relm4::main_application().add_action(&networks_action);
    let setup = SetupCheck::builder().launch(()).detach();
    // First run: show what this computer needs before anything else.
    let first_run = !settings.boolean(Key::SetupCheckSeen);
    if first_run {
        settings.set_boolean(Key::SetupCheckSeen, true);
        let first = init.early.first().map(|e| e.uri().to_string());
        setup.emit(SetupMsg::Open(window.clone(), first.unwrap_or_default()));
        // The check comes first: no reason to wait for the list.
        sender.input(AppMsg::Present);
    } else {
        let s = sender.clone();
        glib::timeout_add_local_once(
            SHOW_WINDOW_BY.saturating_sub(init.started.elapsed()),
            move || s.input(AppMsg::Present),
        );
    }

    let mut model = App {
        settings,
        connections: Vec::new(),
        generations: 0,
        connect_asked: init.connect_asked,
        shown: None,
        moving_toast: None,
        switcher,
        list,
        machine_view,
        setup,
        wizard: None,
        storage: None,
        networks: None,
        setup_auto_opened: first_run,
        consoles: Default::default(),
        pending_select: init.select.clone(),
        own_consoles: Default::default(),
    };
    super::INBOX.with(|inbox| *inbox.borrow_mut() = Some(sender.input_sender().clone()));
    crate::bench::start();
    crate::bench::mark("app-init-built");
    // While the first connection loads, compute the window's styles and sizes (fonts,
    // icons, every widget's CSS), then show it: its first frame is drawn while libvirt
    // is still answering, and the list (if it came meanwhile) follows in the next.
    let (w, s) = (window.clone(), sender.clone());
    glib::idle_add_local_once(move || {
        if !w.is_visible() {
            gtk::prelude::WidgetExt::realize(&w);
            let _ = w.measure(gtk::Orientation::Horizontal, -1);
            let _ = w.measure(gtk::Orientation::Vertical, -1);
            crate::bench::mark("window-prepared");
            s.input(AppMsg::Present);
        }
    });
    model.adopt_connections(init.early, &sender);
    let widgets = AppWidgets {
        window,
        toasts,
        split,
    };
    ComponentParts { model, widgets }
}
