//! What the SPICE agent inside the machine (spice-vdagent) makes possible in Bilik's own
//! console: copy and paste of text and images both ways, the guest's resolution following the
//! window, and files dropped onto the screen copied into the guest. Without the agent
//! none of it happens, and the console says what to install. The machine's own switches
//! (Copy and paste, File transfer: libvirt's `<clipboard>` and `<filetransfer>`) are
//! enforced by QEMU: a refused one simply does nothing here.

use std::cell::RefCell;
use std::rc::Rc;

use gtk::prelude::*;
use spice_client_glib as spice;

/// VD_AGENT_CLIPBOARD_SELECTION_CLIPBOARD and the types Bilik exchanges (spice-protocol):
/// VD_AGENT_CLIPBOARD_UTF8_TEXT and VD_AGENT_CLIPBOARD_IMAGE_PNG.
const CLIPBOARD: u32 = 0;
const UTF8_TEXT: u32 = 1;
const IMAGE_PNG: u32 = 2;

/// Copy and paste of text and images between this computer's clipboard and the guest's,
/// while `allowed` (the machine's Copy and paste switch, honoured here too: with it off,
/// this computer's clipboard is not even read). Images travel as PNG.
pub fn share_clipboard(
    main: &spice::MainChannel,
    widget: &impl IsA<gtk::Widget>,
    allowed: Rc<std::cell::Cell<bool>>,
) {
    let clipboard = widget.as_ref().clipboard();
    // The text the guest last gave us: its own copy must not go back to it.
    let from_guest: Rc<RefCell<Option<String>>> = Rc::default();

    // The guest copied: fetch it (text first), and put it on this computer's clipboard.
    let a = allowed.clone();
    main.connect_main_clipboard_selection_grab(move |main, selection, types| {
        if !a.get() || selection != CLIPBOARD {
            return;
        }
        if types.contains(&UTF8_TEXT) {
            main.clipboard_selection_request(CLIPBOARD, UTF8_TEXT);
        } else if types.contains(&IMAGE_PNG) {
            main.clipboard_selection_request(CLIPBOARD, IMAGE_PNG);
        }
    });
    let (c, seen, a) = (clipboard.clone(), from_guest.clone(), allowed.clone());
    main.connect_main_clipboard_selection(move |_, selection, kind, data| {
        if !a.get() || selection != CLIPBOARD {
            return;
        }
        match kind {
            UTF8_TEXT => {
                let text = String::from_utf8_lossy(data)
                    .trim_end_matches('\0')
                    .to_string();
                *seen.borrow_mut() = Some(text.clone());
                c.set_text(&text);
            }
            IMAGE_PNG => match gtk::gdk::Texture::from_bytes(&glib::Bytes::from(data)) {
                Ok(texture) => c.set_texture(&texture),
                Err(e) => log::info!("the guest's copied image is not a PNG: {e}"),
            },
            _ => {}
        }
    });
    // This computer copied (another program): offer it to the guest…
    let (m, seen, a) = (main.clone(), from_guest.clone(), allowed.clone());
    clipboard.connect_changed(move |c| {
        if c.is_local() || !a.get() {
            return;
        }
        // Another program's formats are MIME types; Bilik's own, GTypes.
        let formats = c.formats();
        let mime = |prefix: &str| formats.mime_types().iter().any(|m| m.starts_with(prefix));
        if formats.contains_type(glib::Type::STRING) || mime("text/plain") {
            let (m, seen) = (m.clone(), seen.clone());
            c.read_text_async(None::<&gio::Cancellable>, move |r| {
                if let Ok(Some(text)) = r {
                    if seen.borrow().as_deref() != Some(text.as_str()) {
                        m.clipboard_selection_grab(CLIPBOARD, &[UTF8_TEXT]);
                    }
                }
            });
        } else if formats.contains_type(gtk::gdk::Texture::static_type()) || mime("image/") {
            m.clipboard_selection_grab(CLIPBOARD, &[IMAGE_PNG]);
        }
    });
    // …and give it when the guest pastes.
    main.connect_main_clipboard_selection_request(move |main, selection, kind| {
        if !allowed.get() || selection != CLIPBOARD {
            return false;
        }
        let main = main.clone();
        match kind {
            UTF8_TEXT => clipboard.read_text_async(None::<&gio::Cancellable>, move |r| {
                let text = r.ok().flatten().map(|t| t.to_string()).unwrap_or_default();
                main.clipboard_selection_notify(CLIPBOARD, UTF8_TEXT, text.as_bytes());
            }),
            IMAGE_PNG => clipboard.read_texture_async(None::<&gio::Cancellable>, move |r| {
                let png = match r {
                    Ok(Some(texture)) => texture.save_to_png_bytes().to_vec(),
                    _ => Vec::new(),
                };
                main.clipboard_selection_notify(CLIPBOARD, IMAGE_PNG, &png);
            }),
            _ => return false,
        }
        true
    });
}

/// The guest's resolution follows the view's size (when the agent runs), a moment after
/// the window stopped changing size.
pub fn follow_size(main: &spice::MainChannel, picture: &gtk::Picture) {
    let last = Rc::new(RefCell::new((0, 0, None::<glib::SourceId>)));
    let main = main.clone();
    picture.add_tick_callback(move |p, _| {
        let scale = p.scale_factor().max(1);
        let size = (p.width() * scale, p.height() * scale);
        let mut l = last.borrow_mut();
        if (l.0, l.1) != size && size.0 > 64 && size.1 > 64 {
            (l.0, l.1) = size;
            if let Some(pending) = l.2.take() {
                pending.remove();
            }
            let (main, last2) = (main.clone(), last.clone());
            l.2 = Some(glib::timeout_add_local_once(
                std::time::Duration::from_millis(400),
                move || {
                    last2.borrow_mut().2 = None;
                    if main.is_agent_connected() {
                        // Even widths only: some guest drivers refuse odd ones.
                        main.update_display(0, 0, 0, size.0 & !1, size.1, true);
                        main.update_display_enabled(0, true, true);
                    }
                },
            ));
        }
        glib::ControlFlow::Continue
    });
}

/// What hears the end of a file copy.
type Done = Box<dyn FnOnce(Result<(), glib::Error>)>;

/// Copies `files` into the guest (the agent puts them in the user's Downloads folder, or
/// where the guest's settings say), then calls `done`.
pub fn copy_files(
    main: &spice::MainChannel,
    files: &[gio::File],
    done: impl FnOnce(Result<(), glib::Error>) + 'static,
) {
    use glib::translate::{from_glib_full, ToGlibPtr};
    unsafe extern "C" fn finished(
        source: *mut glib::gobject_ffi::GObject,
        result: *mut gio::ffi::GAsyncResult,
        data: glib::ffi::gpointer,
    ) {
        // SAFETY: `data` is the box made below, taken back exactly once.
        let done: Box<Done> = unsafe { Box::from_raw(data.cast()) };
        let mut err = std::ptr::null_mut();
        // SAFETY: the channel and result libvirt's SPICE client handed back.
        let ok = unsafe {
            spice_client_glib::ffi::spice_main_channel_file_copy_finish(
                source.cast(),
                result,
                &mut err,
            )
        };
        if ok == glib::ffi::GFALSE && !err.is_null() {
            // SAFETY: an error set for us.
            done(Err(unsafe { from_glib_full(err) }));
        } else {
            done(Ok(()));
        }
    }
    let done: Box<Done> = Box::new(Box::new(done) as Done);
    // A NULL-terminated array of GFile pointers, alive for the call.
    let mut ptrs: Vec<*mut gio::ffi::GFile> = files
        .iter()
        .map(|f| ToGlibPtr::<*mut gio::ffi::GFile>::to_glib_none(f).0)
        .collect();
    ptrs.push(std::ptr::null_mut());
    // SAFETY: live objects; the copy takes its own references to the files.
    unsafe {
        spice_client_glib::ffi::spice_main_channel_file_copy_async(
            ToGlibPtr::<*mut spice_client_glib::ffi::SpiceMainChannel>::to_glib_none(main).0,
            ptrs.as_mut_ptr(),
            gio::ffi::G_FILE_COPY_NONE,
            std::ptr::null_mut(),
            None,
            std::ptr::null_mut(),
            Some(finished),
            Box::into_raw(done).cast(),
        );
    }
}
