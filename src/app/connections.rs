//! The window's open connections: which open at start, opening (each with its own
//! worker, which reconnects by itself), closing, and finding the connection a machine is
//! on. One connection going away never touches the others: each has its own store, header
//! and generation number, and updates are routed by that number.

use relm4::prelude::*;

use super::{App, AppCmd};
use crate::backend::{Connection, ConnectionHandle, Options, Request, Update};
use crate::model::connection_model::ConnectionModel;
use crate::settings::{Key, Settings};
use crate::ui::connection_switcher::{self, SwitcherMsg, SESSION_URI, SYSTEM_URI};
use crate::ui::machine_view::MachineViewMsg;
use crate::ui::vm_list::VmListMsg;

/// One open connection.
pub(super) struct Open {
    pub model: ConnectionModel,
    pub handle: Option<ConnectionHandle>,
    /// Updates tagged with another number come from an older worker: dropped.
    pub generation: u64,
}

/// A connection's worker started before GTK and the window: libvirt reads the machine
/// list while the window is being built and drawn. Its updates wait in a channel until
/// the window forwards them.
pub struct EarlyConnection {
    uri: String,
    handle: Result<ConnectionHandle, crate::backend::BackendError>,
    updates: std::sync::mpsc::Receiver<Update>,
}

impl EarlyConnection {
    pub fn uri(&self) -> &str {
        &self.uri
    }

    pub fn open(uri: &str) -> Self {
        let (tx, updates) = std::sync::mpsc::channel();
        let sink = Box::new(move |u| {
            // Fails only once the window is gone and nobody listens.
            if tx.send(u).is_err() {
                log::debug!("an update after the window closed");
            }
        });
        EarlyConnection {
            uri: uri.to_string(),
            handle: ConnectionHandle::open(uri, Options::default(), sink),
            updates,
        }
    }
}

/// The connections to open at start: `--connect`, then `LIBVIRT_DEFAULT_URI`, then
/// `VIRSH_DEFAULT_CONNECT_URI` (each alone); else those open when Bilik last closed;
/// else, for a normal user, the user session, and the system's too when its daemon lets
/// this user in (the setup check's rule: its socket accepts us); root gets the system.
pub fn initial_uris(connect_arg: Option<String>, settings: Option<&Settings>) -> Vec<String> {
    let nonempty = |s: String| (!s.trim().is_empty()).then_some(s);
    if let Some(uri) = asked_uri(connect_arg) {
        return vec![uri];
    }
    let saved: Vec<String> = settings
        .map(|s| s.strv(Key::OpenConnections))
        .unwrap_or_default()
        .into_iter()
        .filter_map(nonempty)
        .collect();
    if !saved.is_empty() {
        return saved;
    }
    // SAFETY: getuid has no failure mode.
    if unsafe { libc::getuid() } == 0 {
        return vec![SYSTEM_URI.to_string()];
    }
    // The session first: a newcomer's machines go there unless they choose otherwise.
    let mut uris = vec![SESSION_URI.to_string()];
    if crate::backend::host_check::system_daemon_lets_us_in() {
        uris.push(SYSTEM_URI.to_string());
    }
    uris
}

/// The connection the command line or libvirt's variables ask for: `--connect`, then
/// `LIBVIRT_DEFAULT_URI`, then `VIRSH_DEFAULT_CONNECT_URI`.
pub fn asked_uri(connect_arg: Option<String>) -> Option<String> {
    let nonempty = |s: String| (!s.trim().is_empty()).then_some(s);
    connect_arg
        .and_then(nonempty)
        .or_else(|| std::env::var("LIBVIRT_DEFAULT_URI").ok().and_then(nonempty))
        .or_else(|| {
            std::env::var("VIRSH_DEFAULT_CONNECT_URI")
                .ok()
                .and_then(nonempty)
        })
}

impl App {
    pub(super) fn conn(&self, uri: &str) -> Option<&Open> {
        self.connections.iter().find(|c| c.model.uri == uri)
    }

    /// How screens ask connection `uri` (None when it is not open, or its worker could
    /// not start).
    pub(super) fn connection_for(&self, uri: &str) -> Option<Connection> {
        self.conn(uri)?.handle.as_ref().map(|h| h.connection())
    }

    /// The connection machine `uuid` is on: the shown machine's, else the first that
    /// lists it. An empty `uri` asks for this; a given one is kept.
    pub(super) fn resolve(&self, uri: String, uuid: &str) -> String {
        if !uri.is_empty() {
            return uri;
        }
        if let Some((shown, vm)) = &self.shown {
            if vm.uuid() == uuid {
                return shown.clone();
            }
        }
        self.connections
            .iter()
            .find(|c| c.model.store.get(uuid).is_some())
            .map(|c| c.model.uri.clone())
            .unwrap_or_default()
    }

    /// The connection that connection-wide dialogs (Storage, Networks, New) use when not
    /// told: the shown machine's, else the first that is up, else the first.
    pub(super) fn default_uri(&self) -> Option<String> {
        if let Some((uri, _)) = &self.shown {
            return Some(uri.clone());
        }
        self.connections
            .iter()
            .find(|c| c.model.item.phase_now() == crate::model::connection_item::Phase::Ready)
            .or(self.connections.first())
            .map(|c| c.model.uri.clone())
    }

    fn next_generation(&mut self) -> u64 {
        self.generations += 1;
        self.generations
    }

    /// Adds `uri` to the list (a header of its own) without a worker yet.
    fn add(&mut self, uri: &str) -> usize {
        if let Some(i) = self.connections.iter().position(|c| c.model.uri == uri) {
            return i;
        }
        let model = ConnectionModel::new(uri, &connection_switcher::display_name(uri));
        self.list.emit(VmListMsg::Add(model.clone()));
        self.connections.push(Open {
            model,
            handle: None,
            generation: 0,
        });
        self.said_open();
        self.connections.len() - 1
    }

    /// Opens `uri` (or opens it again: a new worker, the old one dropped).
    pub(super) fn open_connection(&mut self, uri: &str, sender: &ComponentSender<Self>) {
        let i = self.add(uri);
        let generation = self.next_generation();
        // The command channel is Send (AppMsg is not: it carries GObjects).
        let commands = sender.command_sender().clone();
        let sink = Box::new(move |u| commands.emit(AppCmd::Backend(generation, u)));
        let opened = ConnectionHandle::open(uri, Options::default(), sink);
        self.use_connection(i, generation, opened);
    }

    /// Keeps a just-opened worker, or shows why it could not start.
    fn use_connection(
        &mut self,
        i: usize,
        generation: u64,
        opened: Result<ConnectionHandle, crate::backend::BackendError>,
    ) {
        let open = &mut self.connections[i];
        // Dropping an old handle stops its worker without waiting for it.
        open.handle = None;
        open.generation = generation;
        open.model.apply(&Update::Connecting);
        match opened {
            Ok(handle) => open.handle = Some(handle),
            Err(error) => {
                open.model.apply(&Update::ConnectFailed {
                    error,
                    retrying_in: None,
                });
            }
        }
    }

    /// Takes over the connections opened before the window ([`EarlyConnection`]): their
    /// updates are forwarded, in order, as if they had been opened here.
    pub(super) fn adopt_connections(
        &mut self,
        early: Vec<EarlyConnection>,
        sender: &ComponentSender<Self>,
    ) {
        for e in early {
            let i = self.add(&e.uri);
            let generation = self.next_generation();
            self.use_connection(i, generation, e.handle);
            let updates = e.updates;
            // On a blocking thread of relm4's; ends when the worker ends (its sink, the
            // channel's sender, is dropped).
            sender.spawn_command(move |out| {
                for u in updates {
                    out.emit(AppCmd::Backend(generation, u));
                }
            });
        }
    }

    /// Try Again / Reconnect on connection `uri`.
    pub(super) fn try_again(&mut self, uri: &str, sender: &ComponentSender<Self>) {
        let Some(open) = self.conn(uri) else {
            return self.open_connection(uri, sender);
        };
        match &open.handle {
            Some(c) => {
                open.model.apply(&Update::Connecting);
                c.send(Request::Reconnect)
            }
            None => self.open_connection(uri, sender),
        }
    }

    /// Closes connection `uri`: its worker stops, its machines leave the list.
    pub(super) fn close_connection(&mut self, uri: &str) {
        let Some(i) = self.connections.iter().position(|c| c.model.uri == uri) else {
            return;
        };
        self.connections.remove(i);
        self.list.emit(VmListMsg::Remove(uri.to_string()));
        if self.shown.as_ref().is_some_and(|(u, _)| u == uri) {
            self.show_vm(None);
        }
        self.machine_view
            .emit(MachineViewMsg::Listed(self.all_uuids()));
        self.mark_same_names();
        self.said_open();
    }

    /// Machines of the same name in several open connections say which connection they
    /// are on in their rows; the others say nothing more.
    pub(super) fn mark_same_names(&self) {
        let mut seen: std::collections::HashMap<String, usize> = Default::default();
        for c in &self.connections {
            for obj in c.model.store.objects() {
                *seen.entry(obj.name()).or_default() += 1;
            }
        }
        for c in &self.connections {
            let title = c.model.item.title();
            for obj in c.model.store.objects() {
                let shared = seen.get(&obj.name()).is_some_and(|&n| n > 1);
                obj.set_place_now(if shared { &title } else { "" });
            }
        }
    }

    /// Every listed machine's UUID, of every connection.
    pub(super) fn all_uuids(&self) -> std::collections::HashSet<String> {
        self.connections
            .iter()
            .flat_map(|c| c.model.store.uuids())
            .collect()
    }

    /// Remembers which connections are open (for the next start) and tells the menu.
    fn said_open(&self) {
        let open: Vec<String> = self
            .connections
            .iter()
            .map(|c| c.model.uri.clone())
            .collect();
        if !self.connect_asked {
            self.settings.set_strv(Key::OpenConnections, &open);
        }
        self.switcher.emit(SwitcherMsg::SetOpen(open));
    }

    /// The open connection whose worker has this generation number.
    pub(super) fn by_generation(&self, generation: u64) -> Option<usize> {
        self.connections
            .iter()
            .position(|c| c.generation == generation)
    }
}
