//! The connection worker: one thread per open connection that owns its `virt::Connect`.
//!
//! Screens ask it with [`Connection::call`]: a typed function of a feature module runs on
//! this thread (in order with everything else of the connection) and its result comes back
//! through a future; while disconnected the answer is `NotConnected`, at once. What libvirt
//! pushes — the connection's state, the machine list and its changes, statistics, pool,
//! network and device changes — and a clone's progress go out as [`Update`]s through the
//! sink closure. [`Request`] is only for the connection itself (reconnect, reload) and the
//! clone, whose copy runs on a thread of its own. libvirt's event callbacks feed the same
//! channel, so all libvirt work for a connection stays on this one thread, in order.
//!
//! States come from events; only statistics are polled, with one bulk call per interval for
//! all running machines. When the connection drops (daemon stopped, keepalive timeout) the
//! worker says so and reconnects with backoff; on success it sends the whole list again,
//! which the model applies as a replacement (no duplicates).

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use virt::connect::Connect;
use virt::domain::Domain;
use virt::sys;

use super::error::{BackendError, ErrorKind};
use super::events::{self, LibvirtEvent, Registrations};
use super::stats::{self, RateTracker};
use super::types::{DomainInfo, DomainStats, VmState};
use super::uri;

/// What the UI asks of the connection itself (everything else is a [`Connection::call`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Connect again now (the "Try again" button), resetting the backoff.
    Reconnect,
    /// Send the whole machine list again.
    Reload,
}

/// What the connection tells the UI: what libvirt pushed. No answer to a question travels
/// here.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    Connecting,
    Connected {
        uri: String,
    },
    /// Opening failed; `retrying_in` is set while reconnecting after a loss.
    ConnectFailed {
        error: BackendError,
        retrying_in: Option<Duration>,
    },
    /// An open connection dropped; the worker reconnects by itself.
    Lost {
        error: BackendError,
    },
    /// The complete list (after connecting or on request): replaces what the UI has.
    Domains(Vec<DomainInfo>),
    DomainChanged(DomainInfo),
    DomainRemoved {
        uuid: String,
    },
    AgentChanged {
        uuid: String,
        connected: bool,
    },
    /// A device was added to or removed from a machine.
    DevicesChanged {
        uuid: String,
    },
    Stats(Vec<DomainStats>),
    NetworkChanged {
        name: String,
    },
    PoolChanged {
        name: String,
    },
}

/// Receives updates; called on the worker thread, so it must only hand them on.
pub type UpdateSink = Box<dyn Fn(Update) + Send>;

/// A typed call to run on the connection's thread (see [`Connection::call`]): it gets the
/// open connection (None while disconnected) and says whether it found the connection lost.
type Job = Box<dyn FnOnce(Option<&Connect>) -> bool + Send>;

pub(super) enum Input {
    Request(Request),
    Call(Job),
    Event(LibvirtEvent),
    Shutdown,
}

/// Tunables (tests shorten them).
#[derive(Debug, Clone)]
pub struct Options {
    pub stats_interval: Duration,
    pub max_backoff: Duration,
    /// How long opening may take before "not answering" ([`uri::OPEN_TIME_LIMIT`]).
    pub open_limit: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            stats_interval: Duration::from_secs(2),
            max_backoff: Duration::from_secs(10),
            open_limit: uri::OPEN_TIME_LIMIT,
        }
    }
}

/// The UI's end of a connection. Dropping it stops the worker (without waiting for it, so
/// a slow daemon never holds up the UI).
pub struct ConnectionHandle {
    tx: Sender<Input>,
    uri: String,
    seen_started: SeenStarted,
}

/// When the worker saw machines start (from libvirt's events): their uptime where no
/// process of theirs can be read (remote hosts, the test driver).
type SeenStarted = Arc<std::sync::Mutex<std::collections::HashMap<String, std::time::SystemTime>>>;

fn seen(
    s: &SeenStarted,
) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, std::time::SystemTime>> {
    // A panic while holding it cannot leave the map half-written: use it as it is.
    s.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl ConnectionHandle {
    /// Checks `uri` and starts the worker, which connects at once.
    pub fn open(uri: &str, options: Options, sink: UpdateSink) -> Result<Self, BackendError> {
        uri::parse(uri).map_err(|e| BackendError::new(ErrorKind::InvalidUri(e), uri))?;
        events::start_event_loop().map_err(|e| BackendError::new(ErrorKind::Other, e))?;
        let (tx, rx) = mpsc::channel();
        let seen_started = SeenStarted::default();
        let worker = Worker {
            uri: uri.to_string(),
            options,
            sink,
            tx: tx.clone(),
            conn: None,
            regs: None,
            rates: RateTracker::default(),
            active: HashMap::new(),
            seen_started: seen_started.clone(),
        };
        std::thread::Builder::new()
            .name(format!("libvirt {uri}"))
            .spawn(move || worker.run(rx))
            .map_err(|e| BackendError::new(ErrorKind::Other, e.to_string()))?;
        Ok(ConnectionHandle {
            tx,
            uri: uri.to_string(),
            seen_started,
        })
    }

    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The way screens ask this connection (clonable; it does not keep the worker alive).
    pub fn connection(&self) -> Connection {
        Connection {
            tx: self.tx.clone(),
            uri: self.uri.clone(),
            seen_started: self.seen_started.clone(),
        }
    }

    /// Queues a request; it runs on the worker thread.
    pub fn send(&self, request: Request) {
        // Fails only if the worker has exited, which happens only after Drop.
        if self.tx.send(Input::Request(request)).is_err() {
            log::debug!("a request after the connection's worker ended");
        }
    }
}

/// How a screen asks a connection: [`Connection::call`] runs a typed function of the
/// backend on the connection's own thread (in order with everything else of that
/// connection) and answers through a future, so the screen hears its own answer and no
/// libvirt call runs on the GTK main thread.
#[derive(Clone)]
pub struct Connection {
    tx: Sender<Input>,
    uri: String,
    seen_started: SeenStarted,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Connection({})", self.uri)
    }
}

impl Connection {
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// When this connection's worker saw machine `uuid` start, if it did.
    pub fn seen_start(&self, uuid: &str) -> Option<std::time::SystemTime> {
        seen(&self.seen_started).get(uuid).copied()
    }

    /// Runs `f` with the open connection on its thread. While disconnected (or once the
    /// connection is closed) it answers at once with [`ErrorKind::NotConnected`].
    pub fn call<T, F>(
        &self,
        f: F,
    ) -> impl std::future::Future<Output = Result<T, BackendError>> + Send + 'static
    where
        T: Send + 'static,
        F: FnOnce(&Connect) -> Result<T, BackendError> + Send + 'static,
    {
        let (answer, heard) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = match conn {
                Some(c) => f(c),
                None => Err(BackendError::not_connected()),
            };
            let lost = matches!(&result, Err(e) if e.kind == ErrorKind::ConnectionLost);
            if answer.send(result).is_err() {
                log::debug!("an answer nobody waits for any more (the screen went away)");
            }
            lost
        });
        let sent = self.tx.send(Input::Call(job)).is_ok();
        async move {
            if !sent {
                return Err(BackendError::not_connected());
            }
            // A worker that ends drops the job unanswered: that is "not connected" too.
            heard
                .await
                .unwrap_or_else(|_| Err(BackendError::not_connected()))
        }
    }
}

impl Connection {
    /// A long job (a copy of minutes): `prepare` runs on the connection's thread like
    /// [`Connection::call`], then `work` gets its own thread with a reference to the
    /// connection, so that the connection keeps answering everything else meanwhile.
    /// Progress and cancelling are the caller's (passed into `work`).
    pub fn call_long<P, T, F, W>(
        &self,
        prepare: F,
        work: W,
    ) -> impl std::future::Future<Output = Result<T, BackendError>> + Send + 'static
    where
        P: Send + 'static,
        T: Send + 'static,
        F: FnOnce(&Connect) -> Result<P, BackendError> + Send + 'static,
        W: FnOnce(&Connect, P) -> Result<T, BackendError> + Send + 'static,
    {
        let prepared = self.call(move |c| Ok((c.clone(), prepare(c)?)));
        async move {
            let (conn, plan) = prepared.await?;
            let (answer, heard) = tokio::sync::oneshot::channel();
            std::thread::Builder::new()
                .name("bilik long job".into())
                .spawn(move || {
                    if answer.send(work(&conn, plan)).is_err() {
                        log::debug!("a long job ended after the screen that waited went away");
                    }
                })
                .map_err(|e| {
                    BackendError::new(ErrorKind::Other, format!("no thread for the job: {e}"))
                })?;
            heard.await.unwrap_or_else(|_| {
                Err(BackendError::new(
                    ErrorKind::Other,
                    "the job's thread ended without an answer".to_string(),
                ))
            })
        }
    }
}

impl Drop for ConnectionHandle {
    fn drop(&mut self) {
        // The worker may have ended already (its thread failed to start): nothing to stop.
        super::error::ignored(
            "stopping the connection's worker",
            self.tx.send(Input::Shutdown),
        );
    }
}

pub(super) struct Worker {
    pub(super) uri: String,
    options: Options,
    pub(super) sink: UpdateSink,
    pub(super) tx: Sender<Input>,
    conn: Option<Connect>,
    regs: Option<Registrations>,
    rates: RateTracker,
    /// Machines with a qemu process and their state as last read: the stats call is skipped
    /// when there are none, and its answer is checked against them (`reconcile`).
    active: HashMap<String, VmState>,
    /// When this worker saw machines start: their uptime where no process can be read.
    seen_started: SeenStarted,
}

impl Worker {
    fn run(mut self, rx: Receiver<Input>) {
        let mut retry: Option<(Instant, Duration)> = None;
        let mut next_stats = Instant::now();
        match self.connect() {
            Ok(()) => {}
            Err(error) => (self.sink)(Update::ConnectFailed {
                error,
                retrying_in: None,
            }),
        }
        loop {
            let now = Instant::now();
            let deadline = if self.conn.is_some() {
                next_stats
            } else if let Some((at, _)) = retry {
                at
            } else {
                now + Duration::from_secs(3600)
            };
            let input = match rx.recv_timeout(deadline.saturating_duration_since(now)) {
                Ok(input) => Some(input),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            match input {
                Some(Input::Shutdown) => return,
                Some(Input::Request(Request::Reconnect)) => {
                    self.disconnect();
                    retry = None;
                    match self.connect() {
                        Ok(()) => next_stats = Instant::now(),
                        Err(error) => (self.sink)(Update::ConnectFailed {
                            error,
                            retrying_in: None,
                        }),
                    }
                }
                Some(Input::Request(r)) => {
                    if self.conn.is_some() {
                        self.handle_request(r);
                    }
                }
                Some(Input::Call(job)) => {
                    // A dead connection is handled by the main loop, as for requests.
                    if job(self.conn.as_ref()) {
                        self.regs = None;
                    }
                }
                Some(Input::Event(LibvirtEvent::ConnectionClosed { reason })) => {
                    if self.conn.is_some() {
                        let raw = format!("libvirt closed the connection (reason {reason})");
                        retry = Some(self.lost(BackendError::new(ErrorKind::ConnectionLost, raw)));
                    }
                }
                Some(Input::Event(e)) => {
                    if self.conn.is_some() {
                        self.handle_event(e);
                    }
                }
                None if self.conn.is_some() => {
                    self.poll_stats();
                    next_stats = Instant::now() + self.options.stats_interval;
                }
                None => {
                    // Time to retry a lost connection.
                    let delay = retry.map_or(Duration::from_secs(1), |(_, d)| d);
                    match self.connect() {
                        Ok(()) => {
                            retry = None;
                            next_stats = Instant::now();
                        }
                        Err(error) => {
                            let next = (delay * 2).min(self.options.max_backoff);
                            (self.sink)(Update::ConnectFailed {
                                error,
                                retrying_in: Some(next),
                            });
                            retry = Some((Instant::now() + next, next));
                        }
                    }
                }
            }
            // Any call that found the connection dead marks it lost.
            if self.conn.is_some() && self.regs.is_none() {
                let raw = "the connection to libvirt was lost".to_string();
                retry = Some(self.lost(BackendError::new(ErrorKind::ConnectionLost, raw)));
            }
        }
    }

    fn connect(&mut self) -> Result<(), BackendError> {
        (self.sink)(Update::Connecting);
        // Over SSH: the name, the port, the host key and the login are checked first, so
        // a failure is named by what is the matter (ssh can ask nothing: batch mode).
        if let Some(target) = super::remote::ssh_target(&self.uri) {
            super::remote::preflight(&target)
                .map_err(|(problem, raw)| BackendError::ssh(problem, raw))?;
        }
        let conn = uri::open_within(&self.uri, self.options.open_limit).map_err(|f| match f {
            uri::OpenFailure::Libvirt(e) => BackendError::from_connect(&self.uri, &e),
            uri::OpenFailure::NoAnswer(limit) => BackendError::new(
                ErrorKind::NotAnswering,
                format!("no answer from {} in {} s", self.uri, limit.as_secs()),
            ),
        })?;
        // Keepalive finds dead remote peers; local and test drivers may not support it.
        super::error::ignored(
            "keepalive (this driver does not support it)",
            conn.set_keep_alive(5, 3),
        );
        let tx = self.tx.clone();
        let sink: events::EventSink = Arc::new(move |e| {
            if tx.send(Input::Event(e)).is_err() {
                log::debug!("a libvirt event after the connection's worker ended");
            }
        });
        let regs = Registrations::register(&conn, &sink).map_err(|e| BackendError::from_op(&e))?;
        self.conn = Some(conn);
        self.regs = Some(regs);
        (self.sink)(Update::Connected {
            uri: self.uri.clone(),
        });
        self.send_list();
        Ok(())
    }

    fn disconnect(&mut self) {
        // Registrations first: they deregister on the connection before it is closed.
        self.regs = None;
        self.conn = None;
        self.active.clear();
        self.rates = RateTracker::default();
    }

    /// Marks the connection lost and returns when to try again.
    fn lost(&mut self, error: BackendError) -> (Instant, Duration) {
        self.disconnect();
        (self.sink)(Update::Lost { error });
        let delay = Duration::from_secs(1);
        (Instant::now() + delay, delay)
    }

    /// Notes a failed call; a dead connection is handled by the main loop.
    pub(super) fn check(&mut self, e: &virt::error::Error) -> BackendError {
        let err = BackendError::from_op(e);
        if err.kind == ErrorKind::ConnectionLost {
            self.regs = None;
        }
        err
    }

    pub(super) fn conn(&self) -> &Connect {
        self.conn.as_ref().expect("only called while connected")
    }

    /// The whole list in one round trip: the STATE group of the bulk stats call covers every
    /// machine, running or not. Drivers without it fall back to listing + per-machine state.
    fn send_list(&mut self) {
        let list = match stats::all_domain_stats(self.conn(), sys::VIR_DOMAIN_STATS_STATE, 0) {
            Ok(records) => Ok(records.iter().map(|r| r.to_info()).collect::<Vec<_>>()),
            Err(_) => self
                .conn()
                .list_all_domains(0)
                .map(|doms| doms.iter().filter_map(domain_info).collect()),
        };
        match list {
            Ok(list) => {
                self.active = list
                    .iter()
                    .filter(|d| d.state.is_active())
                    .map(|d| (d.uuid.clone(), d.state))
                    .collect();
                // Machines that stopped while no event could say so.
                seen(&self.seen_started).retain(|uuid, _| self.active.contains_key(uuid));
                (self.sink)(Update::Domains(list));
            }
            Err(e) => {
                let error = self.check(&e);
                (self.sink)(Update::ConnectFailed {
                    error,
                    retrying_in: None,
                });
            }
        }
    }

    fn handle_event(&mut self, event: LibvirtEvent) {
        match event {
            LibvirtEvent::DomainLifecycle { uuid, event, .. } => {
                if event == sys::VIR_DOMAIN_EVENT_STARTED as i32 {
                    seen(&self.seen_started).insert(uuid.clone(), std::time::SystemTime::now());
                } else if event == sys::VIR_DOMAIN_EVENT_STOPPED as i32 {
                    seen(&self.seen_started).remove(&uuid);
                }
                self.refresh_domain(&uuid)
            }
            LibvirtEvent::DomainAgent { uuid, connected } => {
                (self.sink)(Update::AgentChanged { uuid, connected })
            }
            LibvirtEvent::DomainDevice { uuid, .. } | LibvirtEvent::DomainMetadata { uuid } => {
                (self.sink)(Update::DevicesChanged { uuid })
            }
            LibvirtEvent::Network { name, .. } => (self.sink)(Update::NetworkChanged { name }),
            LibvirtEvent::StoragePool { name, .. } => (self.sink)(Update::PoolChanged { name }),
            LibvirtEvent::ConnectionClosed { .. } => {}
        }
    }

    /// Reads one machine's state after an event about it.
    fn refresh_domain(&mut self, uuid: &str) {
        let dom = match self.conn().lookup_domain_by_uuid_string(uuid) {
            Ok(dom) => dom,
            Err(e) => {
                let err = self.check(&e);
                if err.kind == ErrorKind::NoSuchDomain {
                    // Undefined, or a transient machine that stopped.
                    self.active.remove(uuid);
                    (self.sink)(Update::DomainRemoved {
                        uuid: uuid.to_string(),
                    });
                }
                return;
            }
        };
        match domain_info(&dom) {
            Some(info) => {
                if info.state.is_active() {
                    self.active.insert(info.uuid.clone(), info.state);
                } else {
                    self.active.remove(&info.uuid);
                }
                (self.sink)(Update::DomainChanged(info));
            }
            None => {
                self.active.remove(uuid);
                (self.sink)(Update::DomainRemoved {
                    uuid: uuid.to_string(),
                })
            }
        }
    }

    fn poll_stats(&mut self) {
        if self.active.is_empty() {
            return;
        }
        match stats::all_domain_stats(
            self.conn(),
            stats::LIVE_GROUPS,
            sys::VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE,
        ) {
            Ok(records) => {
                self.reconcile(&records);
                let mut figures = self.rates.update(&records, Instant::now());
                // Drivers without figures (the test driver) give nothing to show: no update.
                figures.retain(|f| f.memory_kib.is_some() || f.cpu_percent.is_some());
                if !figures.is_empty() {
                    (self.sink)(Update::Stats(figures));
                }
            }
            Err(e) => {
                // Statistics are best effort; only a dead connection matters here.
                self.check(&e);
            }
        }
    }

    /// libvirt does not announce every change of state: a daemon that restarts stops the
    /// machines it cannot reattach to without an event (found by `build-aux/soak`: a
    /// machine shown running for ever). The statistics already say which machines run and
    /// in which state; a machine where they differ from what the events said is read again.
    fn reconcile(&mut self, records: &[stats::Record]) {
        let now: HashMap<String, VmState> = records
            .iter()
            .map(|r| {
                let info = r.to_info();
                (info.uuid, info.state)
            })
            .collect();
        for uuid in stale_machines(&self.active, &now) {
            log::debug!(
                "machine {uuid}: its state differs from the last one read (an event on its way, or a change libvirt did not announce): reading it again"
            );
            self.refresh_domain(&uuid);
        }
    }

    fn handle_request(&mut self, request: Request) {
        match request {
            Request::Reconnect => {}
            Request::Reload => self.send_list(),
        }
    }
}

/// The machines whose state differs between what the events said (`believed`: the running
/// ones) and the statistics of the running machines (`now`).
fn stale_machines(
    believed: &HashMap<String, VmState>,
    now: &HashMap<String, VmState>,
) -> Vec<String> {
    let mut stale: Vec<String> = believed
        .keys()
        .filter(|uuid| !now.contains_key(*uuid))
        .cloned()
        .collect();
    stale.extend(
        now.iter()
            .filter(|(uuid, state)| believed.get(*uuid) != Some(state))
            .map(|(uuid, _)| uuid.clone()),
    );
    stale.sort();
    stale
}

fn domain_info(dom: &Domain) -> Option<DomainInfo> {
    let uuid = dom.uuid_string().ok()?;
    let name = dom.name().ok()?;
    let mut state: i32 = 0;
    let mut reason: i32 = 0;
    // SAFETY: plain out-parameters; the wrapper's typed reason enums are more than we need.
    let ret = unsafe { sys::virDomainGetState(dom.as_ptr(), &mut state, &mut reason, 0) };
    if ret < 0 {
        return None;
    }
    Some(DomainInfo {
        uuid,
        name,
        state: VmState::from_raw(state),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics_find_changes_no_event_announced() {
        let believed: HashMap<String, VmState> = [
            ("gone".to_string(), VmState::Running),
            ("same".to_string(), VmState::Running),
            ("paused".to_string(), VmState::Running),
        ]
        .into();
        let now: HashMap<String, VmState> = [
            ("same".to_string(), VmState::Running),
            ("paused".to_string(), VmState::Paused),
            ("started".to_string(), VmState::Running),
        ]
        .into();
        assert_eq!(
            stale_machines(&believed, &now),
            ["gone", "paused", "started"],
            "stopped, paused and started without an event: each read again; the same one not"
        );
        assert!(stale_machines(&now, &now).is_empty());
    }
}
