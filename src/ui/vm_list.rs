//! The sidebar's machine list: search, sort, and a virtualised `gtk::ListView` bound to the
//! connection's [`VmStore`] (kept by its [`crate::model::connection_model::ConnectionModel`];
//! the list is told only that it changed), with status pages for "connecting", "empty",
//! "no match" and "connection failed".

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use crate::backend::VmState;
use crate::errors::UserMessage;
use crate::i18n::gettext_f;
use crate::model::connection_model::Change;
use crate::model::{VmObject, VmStore};
use crate::ui::vm_row::VmRow;

#[derive(Debug)]
pub enum VmListMsg {
    Connecting(String),
    Failed(UserMessage),
    /// Show this connection's machines (a new connection: a store of its own).
    Bind(VmStore),
    /// The bound store changed.
    Changed(Change),
    Search(String),
    SortBy(u32),
    SelectionChanged,
    TryAgain,
    SetupCheck,
    NewVm,
    /// Select this machine as soon as it is listed (a machine just created).
    Select(String),
    /// Put the keyboard focus on the list as soon as it shows (at start, when no dialog
    /// asks for it).
    FocusList,
    /// Time to show the "Connecting…" spinner of this connection attempt, if still loading.
    RevealSpinner(u64),
}

#[derive(Debug)]
pub enum VmListOutput {
    Selected(Option<VmObject>),
    Activated(VmObject),
    TryAgain,
    SetupCheck,
    NewVm,
}

pub struct VmList {
    store: VmStore,
    query: String,
    sort_by_state: bool,
    /// "loading", "error" or "ready": which page shows when the list is not the answer.
    phase: &'static str,
    /// A machine to select once it appears (one just created).
    pending_select: Option<String>,
    /// Attempts to connect, counted: a spinner timer of an earlier one does nothing.
    attempt: u64,
    /// Focus the list when it next shows.
    focus_list: bool,
}

pub struct VmListWidgets {
    stack: gtk::Stack,
    connecting_label: gtk::Label,
    spinner: gtk::Spinner,
    error_page: adw::StatusPage,
    error_details: gtk::Label,
    no_results: adw::StatusPage,
    filter: gtk::CustomFilter,
    filtered: gtk::FilterListModel,
    sorter: gtk::MultiSorter,
    by_name: gtk::StringSorter,
    by_state: gtk::CustomSorter,
    selection: gtk::SingleSelection,
    list_view: gtk::ListView,
}

/// How long connecting may take before the list says "Connecting to …" with a spinner.
const SPINNER_DELAY: std::time::Duration = std::time::Duration::from_millis(300);

fn state_rank(s: VmState) -> u8 {
    match s {
        VmState::Running | VmState::Blocked => 0,
        VmState::Paused | VmState::Suspended | VmState::ShuttingDown => 1,
        VmState::Crashed => 2,
        VmState::ShutOff | VmState::NoState => 3,
    }
}

impl Component for VmList {
    type CommandOutput = ();
    type Input = VmListMsg;
    type Output = VmListOutput;
    type Init = ();
    type Root = gtk::Box;
    type Widgets = VmListWidgets;

    fn init_root() -> Self::Root {
        gtk::Box::new(gtk::Orientation::Vertical, 0)
    }

    fn init(_: (), root: Self::Root, sender: ComponentSender<Self>) -> ComponentParts<Self> {
        let model = VmList {
            store: VmStore::default(),
            query: String::new(),
            sort_by_state: false,
            phase: "loading",
            pending_select: None,
            attempt: 0,
            focus_list: false,
        };
        // Search and sort.
        let tools = gtk::Box::builder()
            .spacing(6)
            .margin_start(12)
            .margin_end(12)
            .margin_top(6)
            .margin_bottom(6)
            .build();
        let search = gtk::SearchEntry::builder()
            .hexpand(true)
            .placeholder_text(gettext("Search machines"))
            .build();
        search.update_property(&[gtk::accessible::Property::Label(&gettext(
            "Search machines",
        ))]);
        let s = sender.clone();
        search.connect_search_changed(move |e| s.input(VmListMsg::Search(e.text().to_string())));
        // Short labels: a long one squeezes the search field (Indonesian "Berdasarkan nama").
        let sort = gtk::DropDown::from_strings(&[&gettext("Name"), &gettext("State")]);
        sort.set_tooltip_text(Some(&gettext("Sort order")));
        sort.update_property(&[gtk::accessible::Property::Label(&gettext("Sort order"))]);
        let s = sender.clone();
        sort.connect_selected_notify(move |d| s.input(VmListMsg::SortBy(d.selected())));
        // Typing while a machine row has the focus searches: the list, not the search field,
        // has the focus at start (arrow keys walk the machines at once, and no text cursor
        // blinks, redrawing the window, for GTK's first ten seconds).
        search.set_key_capture_widget(Some(&root));
        tools.append(&search);
        tools.append(&sort);
        root.append(&tools);

        // The list.
        let filter = gtk::CustomFilter::new(|_| true);
        let filtered =
            gtk::FilterListModel::new(Some(model.store.model().clone()), Some(filter.clone()));
        // Filtering and sorting run at once, not in chunks over later frames: for thousands of
        // machines that takes a few milliseconds, and a list shown half-sorted (the cost of
        // incremental sorting) would be wrong for several frames.
        filtered.set_incremental(false);
        // By name: GTK's string sorter compares collation keys it computes once per item
        // (case-insensitive), so sorting thousands of machines allocates nothing per
        // comparison. By state: state rank first, then the same name order.
        let by_name = gtk::StringSorter::builder()
            .expression(gtk::PropertyExpression::new(
                VmObject::static_type(),
                gtk::Expression::NONE,
                "name",
            ))
            .ignore_case(true)
            .build();
        let by_state = gtk::CustomSorter::new(|a, b| {
            let rank = |o: &glib::Object| {
                o.downcast_ref::<VmObject>()
                    .map_or(9, |v| state_rank(v.vm_state()))
            };
            rank(a).cmp(&rank(b)).into()
        });
        let sorter = gtk::MultiSorter::new();
        sorter.append(by_name.clone());
        let sorted = gtk::SortListModel::new(Some(filtered.clone()), Some(sorter.clone()));
        let selection = gtk::SingleSelection::builder()
            .model(&sorted)
            .autoselect(false)
            .can_unselect(true)
            .build();
        let s = sender.clone();
        selection.connect_selected_item_notify(move |_| s.input(VmListMsg::SelectionChanged));

        let factory = gtk::SignalListItemFactory::new();
        factory.connect_setup(|_, item| {
            let item = item.downcast_ref::<gtk::ListItem>().expect("ListItem");
            let row = VmRow::default();
            row.set_margin_start(12);
            row.set_margin_end(12);
            row.set_margin_top(8);
            row.set_margin_bottom(8);
            item.set_child(Some(&row));
            // Expressions follow both the item and its properties: no bind/unbind code.
            let obj = item.property_expression("item");
            obj.chain_property::<VmObject>("name")
                .bind(&row, "title", gtk::Widget::NONE);
            obj.chain_property::<VmObject>("row-detail")
                .bind(&row, "subtitle", gtk::Widget::NONE);
            obj.chain_property::<VmObject>("state-icon")
                .bind(&row, "icon-name", gtk::Widget::NONE);
            obj.chain_property::<VmObject>("accessible-label").bind(
                item,
                "accessible-label",
                gtk::Widget::NONE,
            );
        });
        let list_view = gtk::ListView::builder()
            .model(&selection)
            .factory(&factory)
            .single_click_activate(false)
            .css_classes(["navigation-sidebar"])
            .build();
        list_view.update_property(&[gtk::accessible::Property::Label(&gettext(
            "Virtual machines",
        ))]);
        let s = sender.clone();
        let sel = selection.clone();
        list_view.connect_activate(move |_, pos| {
            if let Some(obj) = sel.item(pos).and_downcast::<VmObject>() {
                s.output(VmListOutput::Activated(obj)).ok();
            }
        });
        let scrolled = gtk::ScrolledWindow::builder()
            .hscrollbar_policy(gtk::PolicyType::Never)
            .vexpand(true)
            .child(&list_view)
            .build();

        // Status pages.
        let connecting = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(12)
            .valign(gtk::Align::Center)
            .build();
        // gtk::Spinner: AdwSpinner needs libadwaita 1.6, newer than our baseline.
        // Shown only when connecting takes a while (see VmListMsg::RevealSpinner).
        let spinner = gtk::Spinner::builder()
            .spinning(true)
            .visible(false)
            .width_request(32)
            .height_request(32)
            .halign(gtk::Align::Center)
            .build();
        let connecting_label = gtk::Label::builder()
            .visible(false)
            .wrap(true)
            .justify(gtk::Justification::Center)
            .css_classes(["dim-label"])
            .build();
        connecting.append(&spinner);
        connecting.append(&connecting_label);

        let empty = adw::StatusPage::builder()
            .icon_name("computer-symbolic")
            .title(gettext("No virtual machines here"))
            .description(gettext(
                "This connection has no virtual machines yet. Machines of “This computer (system)” and of “My user session” are kept apart: switch connection at the top to see the others.",
            ))
            .css_classes(["compact"])
            .build();
        let create = gtk::Button::builder()
            .label(gettext("New Virtual Machine"))
            .halign(gtk::Align::Center)
            .css_classes(["pill", "suggested-action"])
            .build();
        let s = sender.clone();
        create.connect_clicked(move |_| s.input(VmListMsg::NewVm));
        empty.set_child(Some(&create));
        let no_results = adw::StatusPage::builder()
            .icon_name("edit-find-symbolic")
            .title(gettext("No machine matches"))
            .css_classes(["compact"])
            .build();

        let error_page = adw::StatusPage::builder()
            .icon_name("network-offline-symbolic")
            .css_classes(["compact"])
            .build();
        let error_box = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(12)
            .halign(gtk::Align::Center)
            .build();
        let retry = gtk::Button::builder()
            .label(gettext("Try Again"))
            .halign(gtk::Align::Center)
            .css_classes(["pill", "suggested-action"])
            .build();
        let s = sender.clone();
        retry.connect_clicked(move |_| s.input(VmListMsg::TryAgain));
        let error_details = gtk::Label::builder()
            .selectable(true)
            .wrap(true)
            .wrap_mode(gtk::pango::WrapMode::WordChar)
            .xalign(0.0)
            .css_classes(["monospace", "caption"])
            .build();
        let expander = gtk::Expander::builder()
            .label(gettext("Details"))
            .child(&error_details)
            .build();
        let check = gtk::Button::builder()
            .label(gettext("Run Setup Check"))
            .halign(gtk::Align::Center)
            .css_classes(["pill"])
            .tooltip_text(gettext(
                "Check what virtual machines need on this computer, with fixes",
            ))
            .build();
        let s = sender.clone();
        check.connect_clicked(move |_| s.input(VmListMsg::SetupCheck));
        error_box.append(&retry);
        error_box.append(&check);
        error_box.append(&expander);
        error_page.set_child(Some(&error_box));

        let stack = gtk::Stack::builder()
            .vexpand(true)
            .hhomogeneous(false)
            .build();
        stack.add_named(&scrolled, Some("list"));
        stack.add_named(&connecting, Some("loading"));
        stack.add_named(&empty, Some("empty"));
        stack.add_named(&no_results, Some("no-results"));
        stack.add_named(&error_page, Some("error"));
        stack.set_visible_child_name("loading");
        root.append(&stack);

        let widgets = VmListWidgets {
            stack,
            connecting_label,
            spinner,
            error_page,
            error_details,
            no_results,
            filter,
            filtered,
            sorter,
            by_name,
            by_state,
            selection,
            list_view,
        };
        ComponentParts { model, widgets }
    }

    fn update_with_view(
        &mut self,
        widgets: &mut Self::Widgets,
        msg: Self::Input,
        sender: ComponentSender<Self>,
        root: &Self::Root,
    ) {
        match msg {
            VmListMsg::Connecting(uri) => {
                self.phase = "loading";
                widgets
                    .connecting_label
                    .set_label(&gettext_f("Connecting to {uri}…", &[("uri", &uri)]));
                // Most connections answer within a few frames: a spinner then only flashes.
                // It appears if this one takes longer.
                self.attempt += 1;
                widgets.spinner.set_visible(false);
                widgets.connecting_label.set_visible(false);
                let (s, attempt) = (sender.clone(), self.attempt);
                glib::timeout_add_local_once(SPINNER_DELAY, move || {
                    s.input(VmListMsg::RevealSpinner(attempt))
                });
            }
            VmListMsg::RevealSpinner(attempt) => {
                if attempt == self.attempt && self.phase == "loading" {
                    widgets.spinner.set_visible(true);
                    widgets.connecting_label.set_visible(true);
                }
            }
            VmListMsg::Failed(msg) => {
                self.phase = "error";
                widgets.error_page.set_title(&msg.title);
                widgets.error_page.set_description(Some(&msg.advice));
                widgets.error_details.set_label(&msg.details);
            }
            VmListMsg::Bind(store) => {
                widgets.filtered.set_model(Some(store.model()));
                self.store = store;
            }
            VmListMsg::Changed(Change::Listed(n)) => {
                self.phase = "ready";
                crate::bench::list_applied(n, root.upcast_ref());
            }
            VmListMsg::Changed(Change::Machines) => {
                if self.sort_by_state {
                    widgets.by_state.changed(gtk::SorterChange::Different);
                }
            }
            // The rows redraw their own figures.
            VmListMsg::Changed(Change::Figures | Change::None) => return,
            VmListMsg::Search(q) => {
                self.query = q.to_lowercase();
                let query = self.query.clone();
                widgets.filter.set_filter_func(move |o| {
                    query.is_empty()
                        || o.downcast_ref::<VmObject>()
                            .is_some_and(|v| v.name().to_lowercase().contains(&query))
                });
                widgets.no_results.set_description(Some(&gettext_f(
                    "No machine’s name contains “{query}”.",
                    &[("query", &self.query)],
                )));
            }
            VmListMsg::SortBy(i) => {
                self.sort_by_state = i == 1;
                while widgets.sorter.n_items() > 0 {
                    widgets.sorter.remove(0);
                }
                if self.sort_by_state {
                    widgets.sorter.append(widgets.by_state.clone());
                }
                widgets.sorter.append(widgets.by_name.clone());
            }
            VmListMsg::SelectionChanged => {
                let obj = widgets.selection.selected_item().and_downcast::<VmObject>();
                sender.output(VmListOutput::Selected(obj)).ok();
            }
            VmListMsg::TryAgain => {
                sender.output(VmListOutput::TryAgain).ok();
            }
            VmListMsg::SetupCheck => {
                sender.output(VmListOutput::SetupCheck).ok();
            }
            VmListMsg::NewVm => {
                sender.output(VmListOutput::NewVm).ok();
            }
            VmListMsg::Select(uuid) => self.pending_select = Some(uuid),
            VmListMsg::FocusList => self.focus_list = true,
        }
        if let Some(uuid) = self.pending_select.clone() {
            if self.select(widgets, &uuid) {
                self.pending_select = None;
            }
        }
        let page = match self.phase {
            "loading" => "loading",
            "error" => "error",
            _ if self.store.is_empty() => "empty",
            _ if widgets.filtered.n_items() == 0 => "no-results",
            _ => "list",
        };
        if widgets.stack.visible_child_name().as_deref() != Some(page) {
            widgets.stack.set_visible_child_name(page);
        }
        if self.focus_list && page == "list" {
            self.focus_list = false;
            widgets.list_view.grab_focus();
        }
    }
}

impl VmList {
    /// Selects the machine `uuid` if it is listed (and shown by the search).
    fn select(&self, widgets: &VmListWidgets, uuid: &str) -> bool {
        if self.store.get(uuid).is_none() {
            return false;
        }
        let model = &widgets.selection;
        for i in 0..model.n_items() {
            if model
                .item(i)
                .and_downcast::<VmObject>()
                .is_some_and(|v| v.uuid() == uuid)
            {
                model.set_selected(i);
                return true;
            }
        }
        false
    }

    /// The machine with this UUID, if listed.
    pub fn get(&self, uuid: &str) -> Option<VmObject> {
        self.store.get(uuid)
    }
}
