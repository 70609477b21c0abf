//! Build-time configuration. meson passes these as environment variables to cargo; a plain
//! `cargo build` (the dev run and the tests) gets the defaults below, and the locale
//! directory can be pointed elsewhere at run time with `BILIK_LOCALEDIR`.

pub const APP_ID: &str = "io.github.bilik.Bilik";
pub const GETTEXT_PACKAGE: &str = "bilik";
pub const VERSION: &str = match option_env!("BILIK_VERSION") {
    Some(v) => v,
    None => env!("CARGO_PKG_VERSION"),
};
pub const PROFILE: &str = match option_env!("BILIK_PROFILE") {
    Some(p) => p,
    None => "development",
};
const LOCALEDIR: &str = match option_env!("BILIK_LOCALEDIR") {
    Some(d) => d,
    None => "/usr/share/locale",
};

/// Where compiled translations are: `BILIK_LOCALEDIR` at run time (dev run, tests), else
/// the directory meson configured.
pub fn localedir() -> String {
    std::env::var("BILIK_LOCALEDIR").unwrap_or_else(|_| LOCALEDIR.to_string())
}
