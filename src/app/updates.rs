//! What libvirt pushed — a connection's state, its machine list and its changes,
//! statistics, device / pool / network changes — applied to the window. Each connection's
//! updates touch only its own header and machines.
//! No answer to a question arrives here (see `app/actions.rs` and the screens).

use relm4::prelude::*;

use super::*;

impl App {
    /// Applies what libvirt pushed (the connection's state, the list and its changes,
    /// statistics); no answer to a question arrives here.
    pub(super) fn handle_update(
        &mut self,
        widgets: &AppWidgets,
        sender: &ComponentSender<Self>,
        index: usize,
        update: Update,
    ) {
        if matches!(update, Update::Domains(_)) {
            crate::bench::mark("list-received");
        }
        let model = self.connections[index].model.clone();
        let uri = model.uri.clone();
        let connection = self.connections[index]
            .handle
            .as_ref()
            .map(|h| h.connection());
        // The machines first: the list view shows the store it is bound to, told only
        // that it changed.
        let change = model.apply(&update);
        match change {
            Change::None => {}
            change => self.list.emit(VmListMsg::Changed(change)),
        }
        // For build-aux/soak: the list as shown, and whether the connection is up.
        let up = match &update {
            Update::Domains(_) => Some(true),
            Update::Connecting | Update::Lost { .. } | Update::ConnectFailed { .. } => Some(false),
            _ => None,
        };
        if up.is_some() || matches!(change, Change::Machines) {
            crate::bench::list_changed(model.store.model(), up);
        }
        // A machine appeared, went or was renamed: names shared between connections are
        // told apart (only when several are open; it reads every row).
        let names_may_change = matches!(
            update,
            Update::Domains(_)
                | Update::DomainChanged(_)
                | Update::DomainRemoved { .. }
                | Update::ConnectFailed { .. }
        );
        if self.connections.len() > 1 && names_may_change {
            self.mark_same_names();
        }
        match update {
            Update::Connecting => {}
            Update::Connected { uri } => {
                crate::bench::mark("connected");
                self.settings.set_string(Key::LastConnection, &uri);
            }
            Update::ConnectFailed { retrying_in, .. } => {
                if retrying_in.is_some() {
                    // Still reconnecting after a loss: the header already says so.
                    return;
                }
                if self.shown.as_ref().is_some_and(|(u, _)| *u == uri) {
                    self.show_vm(None);
                }
                // A local connection that fails is most often a set-up problem: check the
                // host once per run, and show the check if something must be fixed.
                if !self.setup_auto_opened && uri.starts_with("qemu:///") {
                    self.setup_auto_opened = true;
                    self.setup
                        .emit(SetupMsg::OpenIfProblems(widgets.window.clone(), uri));
                }
            }
            Update::Lost { .. } => {}
            Update::Domains(_) => {
                crate::bench::mark("store-replaced");
                self.machine_view
                    .emit(MachineViewMsg::Listed(self.all_uuids()));
                self.select_pending();
                // Which running machines are installing their system (after the list is
                // shown: it waits for nothing).
                if let Some(conn) = connection {
                    let (c, u) = (conn.clone(), uri.clone());
                    sender.oneshot_command(async move {
                        let found = conn.call(crate::backend::express::installs_under_way).await;
                        match found {
                            Ok(uuids) => AppCmd::Installing(
                                uri,
                                uuids.into_iter().map(|u| (u, true)).collect(),
                            ),
                            Err(e) => {
                                log::debug!("which machines are installing: {}", e.raw);
                                AppCmd::Installing(uri, Vec::new())
                            }
                        }
                    });
                    // Then what the connection is, for its header's menu (again after each
                    // reconnect: the daemon may have been updated).
                    sender.oneshot_command(async move {
                        AppCmd::Facts(u, c.call(crate::backend::connection_facts::read).await)
                    });
                }
                // A whole list was read and the previous one's rows dropped.
                give_back_freed_memory();
            }
            Update::DomainChanged(info) => {
                log::debug!("machine {} is now {:?}", info.name, info.state);
                if info.state == crate::backend::VmState::Running {
                    // Started: by an express install (the wizard's, "Install Again", or
                    // Windows' setup going on in the installed machine)?
                    if let Some(conn) = connection.clone() {
                        let (uuid, uri) = (info.uuid.clone(), uri.clone());
                        sender.oneshot_command(async move {
                            let u = uuid.clone();
                            let mark = conn
                                .call(move |c| crate::backend::express::installing(c, &u))
                                .await;
                            AppCmd::Installing(uri, vec![(uuid, matches!(mark, Ok(Some(_))))])
                        });
                    }
                }
                if info.state == crate::backend::VmState::ShutOff {
                    // An express install ends with the installer's reboot (its transient
                    // definition is destroyed): the installed machine starts. Machines
                    // that are not being installed answer "no" at once.
                    if let Some(conn) = connection.clone() {
                        let (uuid, uri) = (info.uuid.clone(), uri.clone());
                        sender.oneshot_command(async move {
                            let u = uuid.clone();
                            let result = conn
                                .call(move |c| crate::backend::express::finish(c, &u))
                                .await;
                            AppCmd::InstallEnded { uri, uuid, result }
                        });
                    }
                }
                if info.state == crate::backend::VmState::Running {
                    if let Some(w) = self.own_consoles.get(&info.uuid) {
                        w.machine_running();
                    }
                }
                // Started or stopped: what can be attached live changes.
                self.machine_view
                    .emit(MachineViewMsg::StateChanged(info.uuid));
            }
            Update::DomainRemoved { uuid } => {
                self.machine_view.emit(MachineViewMsg::Removed(uuid));
            }
            Update::Stats(stats) => {
                self.machine_view.emit(MachineViewMsg::Stats(stats));
            }
            Update::AgentChanged { uuid, .. } | Update::DevicesChanged { uuid } => {
                self.machine_view.emit(MachineViewMsg::DevicesChanged(uuid))
            }
            Update::NetworkChanged { .. } => self.emit_networks(NetworksMsg::Changed),
            Update::PoolChanged { .. } => self.emit_storage(StorageMsg::Changed),
        }
    }
}

/// Hands the heap's free pages back to the system, on a thread of GIO's pool. glibc keeps
/// what was freed for later allocations of the same arena, and each list read (at every
/// connect and reconnect) allocates and frees megabytes on the connection's thread and
/// here: without this, those pages stay counted in Bilik's memory after each restart of
/// the daemon, a little more each time as the heap fragments (see build-aux/soak).
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    drop(gtk::gio::spawn_blocking(|| {
        // SAFETY: malloc_trim takes the allocator's own locks; it frees nothing in use,
        // it only tells the kernel which free pages it may take back.
        unsafe { libc::malloc_trim(0) };
    }));
}
