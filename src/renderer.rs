//! Which renderer GTK draws Bilik's window with, decided before GTK starts.
//!
//! On a computer without a graphics processor (a virtual machine without 3D, a server
//! reached over remote desktop, the Xvfb display the tests use) OpenGL can only be Mesa's
//! CPU emulation, llvmpipe. GTK then still sets up OpenGL for every window (and 4.18 even
//! says "Not using GL: renderer is llvmpipe" before falling back to its older GL renderer),
//! which costs over 100 MB of memory (LLVM, gallium and their heap) and slows the first
//! frame, to draw on the CPU what its own cairo renderer draws on the CPU anyway. Without a
//! GPU render node Bilik therefore tells GTK not to try OpenGL or Vulkan. Anyone who chose
//! a renderer themselves (`GSK_RENDERER`, `GDK_DISABLE`, `GDK_DEBUG`) keeps their choice.

use std::path::Path;

/// The environment variables to set, if any, for a GTK of version `minor` (4.x) on a
/// machine with (`gpu`) or without a GPU, given what the user already set.
fn plan(
    gpu: bool,
    minor: u32,
    already_chosen: impl Fn(&str) -> bool,
) -> Option<(&'static str, &'static str)> {
    if gpu
        || ["GSK_RENDERER", "GDK_DISABLE", "GDK_DEBUG"]
            .iter()
            .any(|v| already_chosen(v))
    {
        return None;
    }
    // GTK 4.16 moved these switches from GDK_DEBUG to GDK_DISABLE.
    Some(if minor >= 16 {
        ("GDK_DISABLE", "gl,vulkan")
    } else {
        ("GDK_DEBUG", "gl-disable,vulkan-disable")
    })
}

/// Whether `dir` (normally /dev/dri) has a render node, which every GPU driver (and no
/// CPU emulation) provides.
fn has_render_node(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// Applies the choice. Must run before GTK initialises and before any other thread starts
/// (it sets environment variables); returns what was set, for `BILIK_BENCH` and tests.
pub fn choose() -> Option<(&'static str, &'static str)> {
    let gpu = has_render_node(Path::new("/dev/dri"));
    let chosen = plan(gpu, gtk::minor_version(), |v| std::env::var_os(v).is_some());
    if let Some((name, value)) = chosen {
        std::env::set_var(name, value);
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_without_a_gpu_and_without_a_choice_of_the_users() {
        let none = |_: &str| false;
        assert_eq!(plan(true, 18, none), None);
        assert_eq!(plan(false, 18, none), Some(("GDK_DISABLE", "gl,vulkan")));
        assert_eq!(
            plan(false, 14, none),
            Some(("GDK_DEBUG", "gl-disable,vulkan-disable"))
        );
        for v in ["GSK_RENDERER", "GDK_DISABLE", "GDK_DEBUG"] {
            assert_eq!(plan(false, 18, |x| x == v), None, "{v} set by the user");
        }
    }

    #[test]
    fn render_nodes_are_found_by_name() {
        let dir = std::env::temp_dir().join(format!("bilik-dri-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("card0"), "").unwrap();
        assert!(
            !has_render_node(&dir),
            "a display node alone is no GPU renderer"
        );
        std::fs::write(dir.join("renderD128"), "").unwrap();
        assert!(has_render_node(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(!has_render_node(&dir), "no /dev/dri at all");
    }
}
