//! Bilik's own console view: a machine's screen drawn by GTK 4 from a SPICE session of
//! spice-client-glib (the GTK-free half of spice-gtk, which exists only for GTK 3).
//!
//! The session gets its sockets from libvirt (`virDomainOpenGraphicsFD`, asked on the
//! connection's thread): one for the session, then one for each channel that asks
//! (`open-fd`), so no port listens and no password is needed. The display channel's
//! primary surface becomes a texture at most once a frame; keys go to the guest as PC
//! scancodes of the physical key ([`crate::backend::scancode`]), so the guest's layout
//! decides the character; the pointer goes as absolute positions (the USB tablet of
//! Bilik's machines), so it is never captured and needs no releasing.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;

use gtk::prelude::*;
use spice_client_glib as spice;
use spice_client_glib::prelude::*;

use crate::backend::{scancode, Connection};

#[derive(Default)]
struct State {
    session: Option<spice::Session>,
    display: Option<spice::DisplayChannel>,
    inputs: Option<spice::InputsChannel>,
    main: Option<spice::MainChannel>,
    /// Told when the agent in the machine comes and goes.
    on_agent: Listeners<bool>,
    /// Told when the session connects and ends.
    on_phase: Listeners<Phase>,
    /// Told whether the pointer goes as moves (no tablet in the machine) or positions.
    on_relative: Listeners<bool>,
    /// The machine shown (kept to connect again when it starts anew).
    target: Option<(Connection, String)>,
    /// Counts sessions: what an ended session says late is not taken for the new one's.
    generation: u64,
    /// Where the session is now.
    phase: Option<Phase>,
    /// The running machine's Copy and paste switch (off until read).
    copypaste: Rc<std::cell::Cell<bool>>,
    /// Its File transfer switch (off until read).
    filetransfer: bool,
    /// The last pointer position on the guest's screen (relative mode sends moves).
    last_pointer: Option<(i32, i32)>,
    /// The guest screen's size.
    size: (i32, i32),
    /// A redraw is already queued for the widget's next frame.
    frame_queued: bool,
    /// Scancodes held down now (released when the view loses the keyboard).
    held: BTreeSet<u32>,
    /// SPICE's mask of the mouse buttons held down.
    buttons: i32,
}

/// SPICE's server mouse mode: the machine has no tablet and takes relative moves.
const SERVER_MODE: i32 = 1;

/// Why files dropped onto the screen did not go into the machine.
#[derive(Debug)]
pub enum DropProblem {
    NoAgent,
    /// The machine's File transfer switch is off.
    SwitchedOff,
    Failed(String),
}

/// Where the session is: shown in the console's title and over its screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Connecting,
    Connected,
    /// The session ended: the machine stopped (or its display went away).
    Ended,
}

/// The screen of one machine, with its keyboard and pointer.
#[derive(Clone)]
pub struct SpiceView {
    picture: gtk::Picture,
    state: Rc<RefCell<State>>,
}

impl Default for SpiceView {
    fn default() -> Self {
        Self::new()
    }
}

impl SpiceView {
    pub fn new() -> Self {
        // Black around the guest's screen, as on a monitor (not the window's grey); the
        // style is added once for the program.
        thread_local! {
            static STYLED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
        }
        if !STYLED.with(|s| s.replace(true)) {
            if let Some(display) = gtk::gdk::Display::default() {
                let css = gtk::CssProvider::new();
                css.load_from_string(".bilik-console { background-color: black; }");
                gtk::style_context_add_provider_for_display(
                    &display,
                    &css,
                    gtk::STYLE_PROVIDER_PRIORITY_APPLICATION,
                );
            }
        }
        let picture = gtk::Picture::builder()
            .content_fit(gtk::ContentFit::Contain)
            .can_shrink(true)
            .focusable(true)
            .hexpand(true)
            .vexpand(true)
            .css_classes(["bilik-console"])
            .build();
        picture.update_property(&[gtk::accessible::Property::Label(&gettextrs::gettext(
            "The machine’s screen",
        ))]);
        let view = SpiceView {
            picture,
            state: Rc::default(),
        };
        view.attach_input();
        view
    }

    pub fn widget(&self) -> &gtk::Picture {
        &self.picture
    }

    /// Shows machine `uuid`'s screen ([`Self::close`] ends it, [`Self::reopen`] connects
    /// again to a machine started anew).
    pub fn open(&self, connection: Connection, uuid: String) {
        let generation = {
            let mut st = self.state.borrow_mut();
            st.target = Some((connection.clone(), uuid.clone()));
            st.generation += 1;
            st.generation
        };
        self.set_phase(Phase::Connecting);
        let session = spice::Session::new();
        let state = self.state.clone();
        let picture = self.picture.clone();
        let (c, u) = (connection.clone(), uuid.clone());
        session.connect_channel_new(move |_, channel| {
            // Every channel's socket comes from libvirt, asked when the channel asks.
            let (c, u) = (c.clone(), u.clone());
            channel.connect_open_fd(move |channel, _tls| {
                let channel = channel.clone();
                with_display_socket(
                    &c,
                    &u,
                    || (),
                    move |fd| {
                        if !channel.open_fd(fd) {
                            log::debug!("a SPICE channel did not take its socket");
                        }
                    },
                );
            });
            if let Ok(display) = channel.clone().downcast::<spice::DisplayChannel>() {
                let (s, p) = (state.clone(), picture.clone());
                display.connect_display_primary_create(move |d| {
                    if let Some(primary) = d.primary(0) {
                        s.borrow_mut().size = (primary.width() as i32, primary.height() as i32);
                    }
                    queue_frame(&s, &p);
                });
                let (s, p) = (state.clone(), picture.clone());
                display.connect_display_invalidate(move |_, _, _, _, _| queue_frame(&s, &p));
                state.borrow_mut().display = Some(display.clone());
                ChannelExt::connect(&display);
            } else if let Ok(inputs) = channel.clone().downcast::<spice::InputsChannel>() {
                state.borrow_mut().inputs = Some(inputs.clone());
                ChannelExt::connect(&inputs);
            } else if let Ok(main) = channel.clone().downcast::<spice::MainChannel>() {
                let s = state.clone();
                main.connect_channel_event(move |_, event| {
                    let phase = match event {
                        spice::ChannelEvent::Opened => Phase::Connected,
                        spice::ChannelEvent::Switching | spice::ChannelEvent::None => return,
                        _ => Phase::Ended,
                    };
                    if s.borrow().generation == generation {
                        tell_phase(&s, phase);
                    }
                });
                let allowed = state.borrow().copypaste.clone();
                super::spice_agent::share_clipboard(&main, &picture, allowed);
                super::spice_agent::follow_size(&main, &picture);
                let s = state.clone();
                main.connect_agent_connected_notify(move |m| {
                    tell_agent(&s, m.is_agent_connected())
                });
                let s = state.clone();
                main.connect_mouse_mode_notify(move |m| {
                    tell(&s, |s| &mut s.on_relative, m.mouse_mode() == SERVER_MODE)
                });
                state.borrow_mut().main = Some(main.clone());
            }
        });
        // The machine's own switches, honoured here too.
        let (c, u, st) = (connection.clone(), uuid.clone(), self.state.clone());
        glib::MainContext::default().spawn_local(async move {
            let switches = c
                .call(move |conn| crate::backend::agent_settings::live_switches(conn, &u))
                .await;
            match switches {
                Ok((copypaste, filetransfer)) => {
                    let agent = {
                        let mut s = st.borrow_mut();
                        s.copypaste.set(copypaste);
                        s.filetransfer = filetransfer;
                        s.main.as_ref().is_some_and(|m| m.is_agent_connected())
                    };
                    tell_agent(&st, agent);
                }
                Err(e) => log::debug!("the machine's clipboard switches: {}", e.raw),
            }
        });
        // The session's own (main) channel.
        let (s, st) = (session.clone(), self.state.clone());
        let no_socket = move || {
            if st.borrow().generation == generation {
                tell_phase(&st, Phase::Ended);
            }
        };
        with_display_socket(&connection, &uuid, no_socket, move |fd| {
            if !s.open_fd(fd) {
                log::debug!("the SPICE session did not take its socket");
            }
        });
        self.state.borrow_mut().session = Some(session);
    }

    /// The SPICE session while it is connected (USB redirection works on it).
    pub fn session(&self) -> Option<spice::Session> {
        let st = self.state.borrow();
        st.session
            .clone()
            .filter(|_| st.phase == Some(Phase::Connected))
    }

    /// The machine's Copy and paste switch, as the running machine has it.
    pub fn copypaste(&self) -> bool {
        self.state.borrow().copypaste.get()
    }

    /// Whether the session ended (the machine stopped).
    pub fn ended(&self) -> bool {
        self.state.borrow().phase == Some(Phase::Ended)
    }

    /// Connects again (the machine was started anew: a new qemu, a new display).
    pub fn reopen(&self) {
        let Some((connection, uuid)) = self.state.borrow().target.clone() else {
            return;
        };
        self.end_session();
        self.open(connection, uuid);
    }

    /// `f` hears whether the machine takes the pointer as moves (it has no tablet).
    pub fn connect_relative(&self, f: impl Fn(bool) + 'static) {
        self.state.borrow_mut().on_relative.push(Box::new(f));
    }

    /// `f` hears where the session is (connecting, connected, ended).
    pub fn connect_phase(&self, f: impl Fn(Phase) + 'static) {
        self.state.borrow_mut().on_phase.push(Box::new(f));
    }

    fn set_phase(&self, phase: Phase) {
        tell_phase(&self.state, phase);
    }

    /// Ends the session (the machine keeps running); nobody is told any more.
    pub fn close(&self) {
        self.end_session();
        let mut st = self.state.borrow_mut();
        st.on_agent.clear();
        st.on_phase.clear();
        st.on_relative.clear();
        st.target = None;
    }

    fn end_session(&self) {
        self.release_keys();
        let session = {
            let mut st = self.state.borrow_mut();
            st.display = None;
            st.inputs = None;
            st.main = None;
            st.buttons = 0;
            st.last_pointer = None;
            st.session.take()
        };
        if let Some(s) = session {
            s.disconnect();
        }
    }

    /// `f` hears whether the SPICE agent runs in the machine (copy and paste, resolution).
    pub fn connect_agent(&self, f: impl Fn(bool) + 'static) {
        self.state.borrow_mut().on_agent.push(Box::new(f));
    }

    /// Files dropped onto the screen go into the machine (with the agent, and with the
    /// machine's File transfer switch on); `done` hears how it went.
    pub fn accept_files(&self, done: Rc<dyn Fn(Result<usize, DropProblem>)>) {
        let drop = gtk::DropTarget::new(
            gtk::gdk::FileList::static_type(),
            gtk::gdk::DragAction::COPY,
        );
        let view = self.clone();
        drop.connect_drop(move |_, value, _, _| {
            let Ok(list) = value.get::<gtk::gdk::FileList>() else {
                return false;
            };
            view.send_files(&list.files(), done.clone())
        });
        self.picture.add_controller(drop);
    }

    /// Copies `files` into the machine (the agent puts them in its Downloads folder);
    /// false when they cannot go (`done` says why).
    pub fn send_files(
        &self,
        files: &[gio::File],
        done: Rc<dyn Fn(Result<usize, DropProblem>)>,
    ) -> bool {
        let (main, allowed) = {
            let s = self.state.borrow();
            (s.main.clone(), s.filetransfer)
        };
        match main.filter(|m| m.is_agent_connected()) {
            Some(_) if !allowed => {
                done(Err(DropProblem::SwitchedOff));
                false
            }
            Some(main) => {
                let n = files.len();
                super::spice_agent::copy_files(&main, files, move |r| {
                    done(
                        r.map(|()| n)
                            .map_err(|e| DropProblem::Failed(e.to_string())),
                    )
                });
                true
            }
            None => {
                done(Err(DropProblem::NoAgent));
                false
            }
        }
    }

    /// Whether the machine's screen is shown.
    pub fn has_screen(&self) -> bool {
        self.state.borrow().size.0 > 0
    }

    /// Presses and releases `keys` together (e.g. Ctrl+Alt+Delete).
    pub fn send_keys(&self, keys: &[u32]) {
        if let Some(inputs) = self.state.borrow().inputs.clone() {
            for k in keys {
                inputs.key_press(*k);
            }
            for k in keys.iter().rev() {
                inputs.key_release(*k);
            }
        }
    }

    fn release_keys(&self) {
        let (inputs, held) = {
            let mut st = self.state.borrow_mut();
            (st.inputs.clone(), std::mem::take(&mut st.held))
        };
        if let Some(inputs) = inputs {
            for k in held {
                inputs.key_release(k);
            }
        }
    }

    fn attach_input(&self) {
        let keys = gtk::EventControllerKey::new();
        let st = self.state.clone();
        keys.connect_key_pressed(move |_, _, keycode, _| {
            let Some(code) = keycode.checked_sub(8).and_then(scancode::xt_from_evdev) else {
                return glib::Propagation::Proceed;
            };
            let inputs = st.borrow().inputs.clone();
            if let Some(inputs) = inputs {
                st.borrow_mut().held.insert(code);
                inputs.key_press(code);
            }
            glib::Propagation::Stop
        });
        let st = self.state.clone();
        keys.connect_key_released(move |_, _, keycode, _| {
            if let Some(code) = keycode.checked_sub(8).and_then(scancode::xt_from_evdev) {
                let inputs = st.borrow().inputs.clone();
                if let Some(inputs) = inputs {
                    st.borrow_mut().held.remove(&code);
                    inputs.key_release(code);
                }
            }
        });
        self.picture.add_controller(keys);
        // Leaving with keys held (Alt+Tab to another window): none stays stuck.
        let focus = gtk::EventControllerFocus::new();
        let view = self.clone();
        focus.connect_leave(move |_| view.release_keys());
        self.picture.add_controller(focus);

        let motion = gtk::EventControllerMotion::new();
        let view = self.clone();
        motion.connect_motion(move |_, x, y| view.pointer(x, y));
        self.picture.add_controller(motion);

        let click = gtk::GestureClick::builder().button(0).build();
        let view = self.clone();
        click.connect_pressed(move |g, _, x, y| {
            view.picture.grab_focus();
            view.pointer(x, y);
            view.button(g.current_button(), true);
        });
        let view = self.clone();
        click.connect_released(move |g, _, x, y| {
            view.pointer(x, y);
            view.button(g.current_button(), false);
        });
        self.picture.add_controller(click);

        let scroll = gtk::EventControllerScroll::new(gtk::EventControllerScrollFlags::VERTICAL);
        let view = self.clone();
        scroll.connect_scroll(move |_, _, dy| {
            // SPICE's wheel: buttons 4 (up) and 5 (down), pressed and released.
            let b = if dy < 0.0 { 4 } else { 5 };
            let st = view.state.borrow();
            if let Some(inputs) = &st.inputs {
                inputs.button_press(b, st.buttons);
                inputs.button_release(b, st.buttons);
            }
            glib::Propagation::Stop
        });
        self.picture.add_controller(scroll);
    }

    /// The pointer at (x, y) of the view, as a position on the guest's screen.
    fn pointer(&self, x: f64, y: f64) {
        let mut st = self.state.borrow_mut();
        let (gw, gh) = st.size;
        let Some(inputs) = st.inputs.clone() else {
            return;
        };
        if gw <= 0 || gh <= 0 {
            return;
        }
        let (w, h) = (
            f64::from(self.picture.width()),
            f64::from(self.picture.height()),
        );
        let scale = (w / f64::from(gw)).min(h / f64::from(gh));
        if scale <= 0.0 {
            return;
        }
        let (ox, oy) = (
            (w - f64::from(gw) * scale) / 2.0,
            (h - f64::from(gh) * scale) / 2.0,
        );
        let gx = ((x - ox) / scale).clamp(0.0, f64::from(gw - 1)) as i32;
        let gy = ((y - oy) / scale).clamp(0.0, f64::from(gh - 1)) as i32;
        // A machine without a tablet (SPICE's server mouse mode) takes moves, not
        // positions. GTK 4 cannot capture the pointer, so it is never lost either.
        let relative = st
            .main
            .as_ref()
            .is_some_and(|m| m.mouse_mode() == SERVER_MODE);
        if relative {
            if let Some((lx, ly)) = st.last_pointer {
                inputs.motion(gx - lx, gy - ly, st.buttons);
            }
        } else {
            inputs.position(gx, gy, 0, st.buttons);
        }
        st.last_pointer = Some((gx, gy));
    }

    fn button(&self, gtk_button: u32, pressed: bool) {
        // SPICE: buttons 1 left, 2 middle, 3 right; the mask has bits 0, 1, 2 for them.
        let (button, bit) = match gtk_button {
            1 => (1, 1),
            2 => (2, 2),
            3 => (3, 4),
            _ => return,
        };
        let mut st = self.state.borrow_mut();
        if pressed {
            st.buttons |= bit;
        } else {
            st.buttons &= !bit;
        }
        if let Some(inputs) = &st.inputs {
            if pressed {
                inputs.button_press(button, st.buttons);
            } else {
                inputs.button_release(button, st.buttons);
            }
        }
    }
}

type Listeners<T> = Vec<Box<dyn Fn(T)>>;

/// Tells the listeners `which` of `value`. They are taken out while called: a listener
/// may reach the view again (and add listeners, which are kept).
fn tell<T: Copy>(state: &Rc<RefCell<State>>, which: fn(&mut State) -> &mut Listeners<T>, value: T) {
    let listeners = std::mem::take(which(&mut state.borrow_mut()));
    for f in &listeners {
        f(value);
    }
    let mut st = state.borrow_mut();
    let added = std::mem::replace(which(&mut st), listeners);
    which(&mut st).extend(added);
}

/// Tells the listeners whether the agent runs (and so that the switches were read).
fn tell_agent(state: &Rc<RefCell<State>>, on: bool) {
    tell(state, |s| &mut s.on_agent, on);
}

/// Tells the listeners where the session is.
fn tell_phase(state: &Rc<RefCell<State>>, phase: Phase) {
    state.borrow_mut().phase = Some(phase);
    tell(state, |s| &mut s.on_phase, phase);
}

/// Asks libvirt, on the connection's thread, for a new socket to machine `uuid`'s display,
/// and hands it to `take` (on the main thread); `none` is called when there is none (the
/// machine is off).
fn with_display_socket(
    connection: &Connection,
    uuid: &str,
    none: impl FnOnce() + 'static,
    take: impl FnOnce(i32) + 'static,
) {
    let (c, u) = (connection.clone(), uuid.to_string());
    glib::MainContext::default().spawn_local(async move {
        let u2 = u.clone();
        match c
            .call(move |conn| crate::backend::console::graphics_fd(conn, &u2))
            .await
        {
            Ok(fd) => {
                use std::os::fd::IntoRawFd;
                take(fd.into_raw_fd());
            }
            Err(e) => {
                log::debug!("no console socket for {u}: {}", e.raw);
                none();
            }
        }
    });
}

/// Draws the guest's screen at the widget's next frame: one picture per frame of the
/// display, however many parts of the guest's screen changed meanwhile (a text screen
/// sends hundreds of small changes a second; an upload per change cost a core).
fn queue_frame(state: &Rc<RefCell<State>>, picture: &gtk::Picture) {
    if std::mem::replace(&mut state.borrow_mut().frame_queued, true) {
        return;
    }
    let s = state.clone();
    picture.add_tick_callback(move |p, _| {
        let display = {
            let mut st = s.borrow_mut();
            st.frame_queued = false;
            st.display.clone()
        };
        if let Some(primary) = display.and_then(|d| d.primary(0)) {
            let (w, h) = (primary.width() as i32, primary.height() as i32);
            if w > 0 && h > 0 {
                s.borrow_mut().size = (w, h);
                // SPICE's 32-bit surfaces are B, G, R, unused, in memory order. Made
                // opaque here (the unused byte set) so that GTK takes the picture in its
                // own format as it is: any other format is converted pixel by pixel
                // through floating point on every frame (most of a core at 30 frames).
                let mut pixels = primary.data().to_vec();
                for px in pixels.chunks_exact_mut(4) {
                    px[3] = 0xff;
                }
                let bytes = glib::Bytes::from_owned(pixels);
                let texture = gtk::gdk::MemoryTexture::new(
                    w,
                    h,
                    gtk::gdk::MemoryFormat::B8g8r8a8Premultiplied,
                    &bytes,
                    primary.stride(),
                );
                p.set_paintable(Some(&texture));
                crate::bench::console_frame();
            }
        }
        glib::ControlFlow::Break
    });
}
