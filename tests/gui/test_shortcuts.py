"""Keyboard shortcuts and the window size kept in GSettings: Ctrl+? shows the shortcuts,
Ctrl+Q quits, and the next start has the size the window had."""

import os
import subprocess
import time

import harness
from harness import App


def press(keys, window="Bilik"):
    """Types a key combination into the window, as a person would (X test extension)."""
    focus(window)
    subprocess.run(["xdotool", "key", keys], check=True, timeout=10)
    time.sleep(0.3)


def focus(title="Bilik"):
    """There is no window manager under Xvfb: give the window keyboard focus as one would."""
    # --onlyvisible skips GTK's unmapped client-leader window (named "bilik").
    subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", f"^{title}$",
                    "windowfocus", "--sync"], check=True, capture_output=True, timeout=10)


def test_shortcuts_window_and_quit_keep_the_size():
    app = App()
    app.find("My user session")
    press("ctrl+question")
    # GTK 4.18 gives the shortcuts window no accessible name; its content is found.
    app.find("Show keyboard shortcuts", roles=["label"], exact=True)
    app.screenshot("40-shortcuts")
    press("Escape", window="Keyboard Shortcuts")
    app.gone("Show keyboard shortcuts")
    press("ctrl+q")
    harness.wait_for("Bilik to quit on Ctrl+Q", lambda: app.proc.poll() is not None, timeout=10)
    keyfile = os.path.join(os.path.dirname(app.log_path), "glib-2.0", "settings", "keyfile")
    saved = open(keyfile).read()
    assert "window-width=1000" in saved and "window-height=700" in saved, saved
    app.quit()


if __name__ == "__main__":
    harness.run_tests([test_shortcuts_window_and_quit_keep_the_size])
