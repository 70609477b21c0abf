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


def test_the_list_has_the_focus_and_typing_searches():
    """At start the keyboard is on the machine list: arrow keys walk the machines, and
    typing goes to the search field (no text cursor blinks in it meanwhile)."""
    uri = harness.node_file([("web-01", True), ("web-02", True), ("db-01", False)])
    app = App(["--connect", uri])
    app.find("web-01, Running", roles=["list item"])
    search = app.find("Search machines", roles=["text", "entry"])
    assert not search.get_state_set().contains(harness.Atspi.StateType.FOCUSED), \
        "the search field has the focus at start"
    focused = harness.wait_for("a focused list or row", lambda: [
        n for n in app.find_all(["list", "list item"])
        if n.get_state_set().contains(harness.Atspi.StateType.FOCUSED)])
    assert focused, focused
    press("Down")
    press("Down")
    app.gone("No machine selected")  # a machine was selected with the arrow keys
    press("w")
    press("e")
    press("b")
    # The letters reached the search field: the list is filtered by them.
    app.gone("db-01", roles=["list item"])
    app.screenshot("41-typed-search")
    app.find("web-02, Running", roles=["list item"])
    app.quit()
