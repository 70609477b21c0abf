//! Developer logging: the `log` crate's records (the backend uses it too, without GTK) go
//! to GLib's log under the domain "bilik", so `G_MESSAGES_DEBUG=bilik` shows the debug
//! lines, and warnings appear as GLib's do.

struct GLibLogger;

impl log::Log for GLibLogger {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }

    fn log(&self, record: &log::Record) {
        let target = record.target();
        let args = record.args();
        match record.level() {
            log::Level::Error | log::Level::Warn => {
                glib::g_warning!("bilik", "{target}: {args}")
            }
            log::Level::Info => glib::g_info!("bilik", "{target}: {args}"),
            log::Level::Debug | log::Level::Trace => glib::g_debug!("bilik", "{target}: {args}"),
        }
    }

    fn flush(&self) {}
}

static LOGGER: GLibLogger = GLibLogger;

/// Installs the logger (once; a second call changes nothing).
pub fn init() {
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(log::LevelFilter::Debug);
    }
}
