//! Bringing an open console to the front. virt-viewer has no remote control, so Bilik finds
//! the viewer's window itself: on X11, by the process id the toolkit stores on it
//! (`_NET_WM_PID`), or by its class and title (a viewer started through flatpak-spawn has
//! a process id Bilik cannot see). It then asks the window manager to activate it
//! (`_NET_ACTIVE_WINDOW`, as task bars do); with no window manager it raises and focuses
//! the window directly. On Wayland no program may raise another's window: the caller then
//! tells the person where the console is.

use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ClientMessageEvent, ConfigureWindowAux, ConnectionExt as _, EventMask, InputFocus,
    MapState, StackMode, Window,
};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Brings the console window of the viewer process `pid` (or, failing that, the
/// virt-viewer window titled after the machine `name`) to the front. False when no such
/// window can be reached (no X11, not found).
pub fn raise(pid: Option<u32>, name: &str) -> bool {
    let env = |k| std::env::var(k).ok();
    if !viewer_on_x11(env("DISPLAY"), env("WAYLAND_DISPLAY"), env("GDK_BACKEND")) {
        return false;
    }
    raise_x11(pid, name).unwrap_or(false)
}

/// Whether the viewer (which inherits Bilik's environment) shows its window through X11. In
/// a Wayland session it is a Wayland client unless GDK_BACKEND says x11 first; there Bilik
/// must not even connect to X11, which would start Xwayland on demand for nothing.
fn viewer_on_x11(
    display: Option<String>,
    wayland_display: Option<String>,
    gdk_backend: Option<String>,
) -> bool {
    let prefers_x11 = gdk_backend.is_some_and(|b| b.trim_start().starts_with("x11"));
    display.is_some_and(|d| !d.is_empty())
        && (wayland_display.is_none_or(|w| w.is_empty()) || prefers_x11)
}

struct Atoms {
    client_list: u32,
    wm_check: u32,
    wm_pid: u32,
    net_wm_name: u32,
    utf8: u32,
    active: u32,
}

fn raise_x11(pid: Option<u32>, name: &str) -> Res<bool> {
    let (conn, screen) = x11rb::connect(None)?;
    let root = conn.setup().roots[screen].root;
    let atom = |n: &str| -> Res<u32> { Ok(conn.intern_atom(false, n.as_bytes())?.reply()?.atom) };
    let atoms = Atoms {
        client_list: atom("_NET_CLIENT_LIST")?,
        wm_check: atom("_NET_SUPPORTING_WM_CHECK")?,
        wm_pid: atom("_NET_WM_PID")?,
        net_wm_name: atom("_NET_WM_NAME")?,
        utf8: atom("UTF8_STRING")?,
        active: atom("_NET_ACTIVE_WINDOW")?,
    };
    let has_wm = !words(&conn, root, atoms.wm_check, AtomEnum::WINDOW.into())?.is_empty();
    // A window manager lists the applications' windows; without one they are the root's
    // mapped children.
    let candidates: Vec<Window> = if has_wm {
        words(&conn, root, atoms.client_list, AtomEnum::WINDOW.into())?
    } else {
        let mut shown = Vec::new();
        for w in conn.query_tree(root)?.reply()?.children {
            let a = conn.get_window_attributes(w)?.reply()?;
            if a.map_state == MapState::VIEWABLE && !a.override_redirect {
                shown.push(w);
            }
        }
        shown
    };
    let mut found = None;
    for w in candidates {
        if is_console(&conn, w, &atoms, pid, name)? {
            found = Some(w);
            break;
        }
    }
    let Some(window) = found else {
        return Ok(false);
    };
    if has_wm {
        // Source 2: a pager or task bar acting for the person, which window managers obey
        // (a plain application's request may only make the window flash).
        let event = ClientMessageEvent::new(32, window, atoms.active, [2u32, 0, 0, 0, 0]);
        conn.send_event(
            false,
            root,
            EventMask::SUBSTRUCTURE_REDIRECT | EventMask::SUBSTRUCTURE_NOTIFY,
            event,
        )?;
    } else {
        conn.configure_window(
            window,
            &ConfigureWindowAux::new().stack_mode(StackMode::ABOVE),
        )?;
        conn.set_input_focus(InputFocus::PARENT, window, x11rb::CURRENT_TIME)?;
    }
    // A round trip: the requests have been handled (or refused) before the answer.
    conn.get_input_focus()?.reply()?;
    Ok(true)
}

/// Whether `w` is the console: the viewer's process, or a virt-viewer window titled after
/// the machine ("NAME - Virt Viewer", "NAME (1) - Virt Viewer" or just "NAME").
fn is_console(
    conn: &impl Connection,
    w: Window,
    atoms: &Atoms,
    pid: Option<u32>,
    name: &str,
) -> Res<bool> {
    if let Some(pid) = pid {
        if words(conn, w, atoms.wm_pid, AtomEnum::CARDINAL.into())?.first() == Some(&pid) {
            return Ok(true);
        }
    }
    let class = bytes(conn, w, AtomEnum::WM_CLASS.into(), AtomEnum::STRING.into())?;
    let class = String::from_utf8_lossy(&class).to_lowercase();
    if !class.contains("virt-viewer") && !class.contains("remote-viewer") {
        return Ok(false);
    }
    let mut title = bytes(conn, w, atoms.net_wm_name, atoms.utf8)?;
    if title.is_empty() {
        title = bytes(conn, w, AtomEnum::WM_NAME.into(), AtomEnum::STRING.into())?;
    }
    Ok(title_names(&String::from_utf8_lossy(&title), name))
}

fn title_names(title: &str, name: &str) -> bool {
    title == name
        || title.starts_with(&format!("{name} - "))
        || title.starts_with(&format!("{name} ("))
}

fn bytes(conn: &impl Connection, w: Window, prop: u32, kind: u32) -> Res<Vec<u8>> {
    Ok(conn
        .get_property(false, w, prop, kind, 0, 1024)?
        .reply()?
        .value)
}

fn words(conn: &impl Connection, w: Window, prop: u32, kind: u32) -> Res<Vec<u32>> {
    let reply = conn.get_property(false, w, prop, kind, 0, 1024)?.reply()?;
    Ok(reply.value32().map(|v| v.collect()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    #[test]
    fn x11_only_where_the_viewer_uses_it() {
        use super::viewer_on_x11;
        let s = |v: &str| Some(v.to_string());
        assert!(viewer_on_x11(s(":0"), None, None));
        assert!(!viewer_on_x11(None, None, None));
        // A Wayland session: the viewer is a Wayland client.
        assert!(!viewer_on_x11(s(":0"), s("wayland-0"), None));
        assert!(!viewer_on_x11(s(":0"), s("wayland-0"), s("wayland,x11")));
        // Unless GDK is told to use X11 first.
        assert!(viewer_on_x11(s(":0"), s("wayland-0"), s("x11")));
    }

    #[test]
    fn titles_name_their_machine_only() {
        use super::title_names;
        assert!(title_names("web - Virt Viewer", "web"));
        assert!(title_names("web (1) - Virt Viewer", "web"));
        assert!(title_names("web", "web"));
        assert!(!title_names("web2 - Virt Viewer", "web"));
        assert!(!title_names("webserver", "web"));
    }
}
