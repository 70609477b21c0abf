//! The sidebar's machine list: search, sort, and one virtualised `gtk::ListView` of every
//! open connection, each under its header row (ui/connection_header.rs). Per connection,
//! its [`VmStore`] (kept by its [`crate::model::connection_model::ConnectionModel`]) goes
//! through the shared filter and sorter, after its header item; a `gtk::FlattenListModel`
//! puts the connections one after the other. The list is told only that a store changed.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use adw::prelude::*;
use gettextrs::gettext;
use relm4::prelude::*;

use crate::backend::VmState;
use crate::i18n::gettext_f;
use crate::model::connection_item::{ConnectionItem, Phase};
use crate::model::connection_model::{Change, ConnectionModel};
use crate::model::{VmObject, VmStore};
use crate::ui::connection_header::{self, HeaderAsk};
use crate::ui::vm_row::VmRow;

#[derive(Debug)]
pub enum VmListMsg {
    /// List this connection's machines too (after the others).
    Add(ConnectionModel),
    /// Stop listing the connection with this URI.
    Remove(String),
    /// A connection's store changed.
    Changed(Change),
    Search(String),
    SortBy(u32),
    SelectionChanged,
    /// A header's button.
    Header(HeaderAsk),
    /// Select this machine of this connection (URI, UUID) as soon as it is listed.
    Select(String, String),
    /// Put the keyboard focus on the list as soon as it shows (at start, when no dialog
    /// asks for it).
    FocusList,
}

#[derive(Debug)]
pub enum VmListOutput {
    /// A machine was chosen (with its connection's URI), or none.
    Selected(Option<(String, VmObject)>),
    Activated(String, VmObject),
    Header(HeaderAsk),
}

/// One connection as the list shows it.
struct Section {
    uri: String,
    store: VmStore,
    item: ConnectionItem,
    filtered: gtk::FilterListModel,
}

pub struct VmList {
    sections: Vec<Section>,
    query: String,
    sort_by_state: bool,
    /// A machine to select once it appears (one just created): URI and UUID.
    pending_select: Option<(String, String)>,
    /// Focus the list when it next shows.
    focus_list: bool,
    /// The list was shown whole once (for the benchmark's figure).
    shown_whole: bool,
}

pub struct VmListWidgets {
    stack: gtk::Stack,
    no_results: adw::StatusPage,
    sections: gio::ListStore,
    filter: gtk::CustomFilter,
    sorter: gtk::MultiSorter,
    by_name: gtk::StringSorter,
    by_state: gtk::CustomSorter,
    selection: gtk::SingleSelection,
    list_view: gtk::ListView,
}

fn state_rank(s: VmState) -> u8 {
    match s {
        VmState::Running | VmState::Blocked => 0,
        VmState::Paused | VmState::Suspended | VmState::ShuttingDown => 1,
        VmState::Crashed => 2,
        VmState::ShutOff | VmState::NoState => 3,
    }
}

/// The rows' factory: a machine row (drawn by hand, see ui/vm_row.rs) or a connection's
/// header, bound when shown and unbound when the row shows another item.
fn factory(ask: relm4::Sender<VmListMsg>) -> gtk::SignalListItemFactory {
    // The bindings of each list item, undone when it is unbound.
    let bound: Rc<RefCell<HashMap<usize, Vec<glib::Binding>>>> = Default::default();
    let factory = gtk::SignalListItemFactory::new();
    let b = bound.clone();
    factory.connect_bind(move |_, item| {
        let item = item.downcast_ref::<gtk::ListItem>().expect("ListItem");
        let key = item.as_ptr() as usize;
        let mut bindings = Vec::new();
        if let Some(vm) = item.item().and_downcast::<VmObject>() {
            let row = match item.child().and_downcast::<VmRow>() {
                Some(row) => row,
                None => {
                    let row = VmRow::default();
                    row.set_margin_start(12);
                    row.set_margin_end(12);
                    row.set_margin_top(8);
                    row.set_margin_bottom(8);
                    item.set_child(Some(&row));
                    row
                }
            };
            for (from, to) in [
                ("name", "title"),
                ("row-detail", "subtitle"),
                ("state-icon", "icon-name"),
                ("unreachable", "dimmed"),
            ] {
                bindings.push(vm.bind_property(from, &row, to).sync_create().build());
            }
            bindings.push(
                vm.bind_property("accessible-label", item, "accessible-label")
                    .sync_create()
                    .build(),
            );
            item.set_selectable(true);
            item.set_activatable(true);
        } else if let Some(conn) = item.item().and_downcast::<ConnectionItem>() {
            let tx = ask.clone();
            let (header, mut header_bindings) =
                connection_header::build(&conn, move |a| tx.emit(VmListMsg::Header(a)));
            item.set_child(Some(&header));
            bindings.append(&mut header_bindings);
            bindings.push(
                conn.bind_property("accessible-label", item, "accessible-label")
                    .sync_create()
                    .build(),
            );
            item.set_selectable(false);
            item.set_activatable(false);
        }
        b.borrow_mut().insert(key, bindings);
    });
    // Unbound, or thrown away: its bindings go.
    let undo = move |_: &gtk::SignalListItemFactory, item: &glib::Object| {
        let key = item.as_ptr() as usize;
        for binding in bound.borrow_mut().remove(&key).unwrap_or_default() {
            binding.unbind();
        }
    };
    factory.connect_unbind(undo.clone());
    factory.connect_teardown(undo);
    factory
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
            sections: Vec::new(),
            query: String::new(),
            sort_by_state: false,
            pending_select: None,
            focus_list: false,
            shown_whole: false,
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

        // One filter and one sorter for every connection. By name: GTK's string sorter
        // compares collation keys it computes once per item (case-insensitive), so sorting
        // thousands of machines allocates nothing per comparison. By state: state rank
        // first, then the same name order.
        let filter = gtk::CustomFilter::new(|_| true);
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
        // The connections, one after the other (each: its header, then its machines).
        let sections = gio::ListStore::new::<gio::ListModel>();
        let flat = gtk::FlattenListModel::new(Some(sections.clone()));
        let selection = gtk::SingleSelection::builder()
            .model(&flat)
            .autoselect(false)
            .can_unselect(true)
            .build();
        let s = sender.clone();
        selection.connect_selected_item_notify(move |_| s.input(VmListMsg::SelectionChanged));
        let list_view = gtk::ListView::builder()
            .model(&selection)
            .factory(&factory(sender.input_sender().clone()))
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
                let uri = s_uri(&sel, pos);
                s.output(VmListOutput::Activated(uri, obj)).ok();
            }
        });
        let scrolled = gtk::ScrolledWindow::builder()
            .hscrollbar_policy(gtk::PolicyType::Never)
            .vexpand(true)
            .child(&list_view)
            .build();

        let no_results = adw::StatusPage::builder()
            .icon_name("edit-find-symbolic")
            .title(gettext("No machine matches"))
            .css_classes(["compact"])
            .build();
        // Every connection closed: say where they come back from.
        let no_connection = adw::StatusPage::builder()
            .icon_name("network-offline-symbolic")
            .title(gettext("No connection open"))
            .description(gettext(
                "Open “My user session” or “This computer (system)” from the Connections menu at the top, or add another computer there.",
            ))
            .css_classes(["compact"])
            .build();
        let stack = gtk::Stack::builder()
            .vexpand(true)
            .hhomogeneous(false)
            .build();
        stack.add_named(&scrolled, Some("list"));
        stack.add_named(&no_results, Some("no-results"));
        stack.add_named(&no_connection, Some("no-connection"));
        stack.set_visible_child_name("list");
        root.append(&stack);

        let widgets = VmListWidgets {
            stack,
            no_results,
            sections,
            filter,
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
            VmListMsg::Add(conn) => {
                if self.sections.iter().any(|s| s.uri == conn.uri) {
                    return;
                }
                let filtered = gtk::FilterListModel::new(
                    Some(conn.store.model().clone()),
                    Some(widgets.filter.clone()),
                );
                // Filtering and sorting run at once, not in chunks over later frames: for
                // thousands of machines that takes a few milliseconds, and a list shown
                // half-sorted (the cost of incremental sorting) would be wrong for frames.
                filtered.set_incremental(false);
                let sorted =
                    gtk::SortListModel::new(Some(filtered.clone()), Some(widgets.sorter.clone()));
                let header = gio::ListStore::new::<ConnectionItem>();
                header.append(&conn.item);
                let parts = gio::ListStore::new::<gio::ListModel>();
                parts.append(&header);
                parts.append(&sorted);
                widgets
                    .sections
                    .append(&gtk::FlattenListModel::new(Some(parts)));
                self.sections.push(Section {
                    uri: conn.uri,
                    store: conn.store,
                    item: conn.item,
                    filtered,
                });
            }
            VmListMsg::Remove(uri) => {
                if let Some(i) = self.sections.iter().position(|s| s.uri == uri) {
                    self.sections.remove(i);
                    widgets.sections.remove(i as u32);
                }
            }
            VmListMsg::Changed(Change::Listed(_)) => {
                let waiting = self
                    .sections
                    .iter()
                    .any(|s| s.item.phase_now() == Phase::Connecting);
                if !waiting && !self.shown_whole {
                    // Every open connection has answered: the figure of the benchmark.
                    self.shown_whole = true;
                    let n = self.sections.iter().map(|s| s.store.len()).sum();
                    crate::bench::list_applied(n, root.upcast_ref());
                }
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
                let pos = widgets.selection.selected();
                let chosen = widgets
                    .selection
                    .selected_item()
                    .and_downcast::<VmObject>()
                    .map(|obj| (s_uri(&widgets.selection, pos), obj));
                sender.output(VmListOutput::Selected(chosen)).ok();
            }
            VmListMsg::Header(ask) => {
                sender.output(VmListOutput::Header(ask)).ok();
            }
            VmListMsg::Select(uri, uuid) => {
                if !uuid.is_empty() {
                    self.pending_select = Some((uri, uuid))
                }
            }
            VmListMsg::FocusList => self.focus_list = true,
        }
        if let Some((uri, uuid)) = self.pending_select.clone() {
            if self.select(widgets, &uri, &uuid) {
                self.pending_select = None;
            }
        }
        let searching = !self.query.is_empty();
        let page = if self.sections.is_empty() {
            "no-connection"
        } else if searching && self.sections.iter().all(|s| s.filtered.n_items() == 0) {
            "no-results"
        } else {
            "list"
        };
        if widgets.stack.visible_child_name().as_deref() != Some(page) {
            widgets.stack.set_visible_child_name(page);
        }
        if self.focus_list && page == "list" && self.sections.iter().any(|s| !s.store.is_empty()) {
            self.focus_list = false;
            widgets.list_view.grab_focus();
        }
    }
}

/// The URI of the connection the row at `pos` belongs to: that of the header above it.
fn s_uri(selection: &gtk::SingleSelection, pos: u32) -> String {
    (0..=pos)
        .rev()
        .find_map(|i| selection.item(i).and_downcast::<ConnectionItem>())
        .map(|c| c.uri())
        .unwrap_or_default()
}

impl VmList {
    /// Selects machine `uuid` of connection `uri` if it is listed (and shown by the
    /// search).
    fn select(&self, widgets: &VmListWidgets, uri: &str, uuid: &str) -> bool {
        let Some(section) = self.sections.iter().position(|s| s.uri == uri) else {
            return false;
        };
        if self.sections[section].store.get(uuid).is_none() {
            return false;
        }
        // The section's rows start after the sections before it (header and shown machines).
        let start: u32 = self.sections[..section]
            .iter()
            .map(|s| 1 + s.filtered.n_items())
            .sum::<u32>()
            + 1;
        let count = self.sections[section].filtered.n_items();
        let model = &widgets.selection;
        for i in start..start + count {
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
}
