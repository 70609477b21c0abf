"""Bilik's main window, driven as a person would through AT-SPI."""

import os
import socket
import threading

import harness
from harness import App, wait_for


def test_starts_on_the_user_session_and_the_system_side_by_side():
    """No --connect and nothing remembered: the user session (empty for this new user),
    and the system too, as this user is in the libvirt group — each under its heading."""
    app = App()
    app.window("Bilik")
    app.find("My user session: No virtual machines here", roles=["list item"])
    app.find("This computer (system):", roles=["list item"])
    switcher = app.find("Connections", roles=["toggle button", "push button", "button"])
    assert switcher is not None
    assert "Open or close connections" in (switcher.get_description() or "")
    texts = " ".join(app.texts())
    assert "are kept apart" in texts, texts
    app.screenshot("01-empty-session")
    app.quit()


def test_list_states_and_lifecycle_buttons():
    uri = harness.node_file([("web-01", True), ("web-02", True), ("db-01", False)])
    app = App(["--connect", uri])
    app.window()
    app.find("Virtual machines", roles=["list"])
    row = app.find("web-01, Running", roles=["list item"])
    app.find("db-01, Shut off", roles=["list item"])
    # No machine chosen yet: the pane says what to do, without a tab bar to choose from.
    app.find("No machine selected")
    assert not [t for t in app.find_all(["page tab"]) if harness.name(t) == "Overview"]
    app.screenshot("02-list")

    app.select(row)
    app.find("web-01", roles=["label"], exact=True)
    app.gone("No machine selected")
    app.find("Overview", roles=["page tab"], exact=True)
    app.click(app.find("Pause", roles=["button"], exact=True))
    app.find("web-01, Paused", roles=["list item"])
    assert "Paused by you." in " ".join(app.texts())
    app.screenshot("03-paused")
    app.click(app.find("Resume", roles=["button"], exact=True))
    app.find("web-01, Running", roles=["list item"])

    # Force Off asks first, in words a newcomer understands.
    app.click(app.find("Force Off", roles=["button"], exact=True))
    app.find("Force off “web-01”?")
    assert any("pulling the power cable" in t for t in app.texts())
    app.screenshot("04-force-off-dialog")
    dialog_button = wait_for("the dialog's Force Off button", lambda: [
        b for b in app.find_all(["button"]) if harness.name(b) == "Force Off"][-1])
    app.click(dialog_button)
    app.find("web-01, Shut off", roles=["list item"])
    app.screenshot("05-forced-off")

    # Search filters by name.
    search = app.find("Search machines", roles=["text", "entry"])
    search.get_editable_text_iface().set_text_contents("db")
    app.gone("web-02", roles=["list item"])
    app.find("db-01, Shut off", roles=["list item"])
    search.get_editable_text_iface().set_text_contents("zzz")
    app.find("No machine matches")
    search.get_editable_text_iface().set_text_contents("")
    app.find("web-02, Running", roles=["list item"])
    app.quit()


def test_delete_lists_disks_unticked():
    uri = harness.node_file([("old-vm", False), ("keep-vm", False)])
    app = App(["--connect", uri])
    app.select(app.find("old-vm, Shut off", roles=["list item"]))
    app.click(app.find("Delete", roles=["button"], exact=True))
    app.find("Delete “old-vm”?")
    check = app.find("/pool/old-vm.qcow2", roles=["check box"], exact=True)
    states = check.get_state_set()
    assert not states.contains(harness.Atspi.StateType.CHECKED), "disks are kept by default"
    assert any("Disk images are kept" in t for t in app.texts())
    app.screenshot("06-delete-dialog")
    dialog_delete = [b for b in app.find_all(["button"]) if harness.name(b) == "Delete"][-1]
    app.click(dialog_delete)
    app.gone("old-vm", roles=["list item"])
    app.find("keep-vm, Shut off", roles=["list item"])
    app.quit()


def test_mistyped_uri_gets_a_sentence():
    uri = harness.node_file([("a", True)])
    app = App(["--connect", uri])
    app.find("a, Running", roles=["list item"])
    app.click(app.find("Connections", roles=["toggle button"]))
    entry = app.find("Add a connection address", roles=["text", "entry"])
    entry.get_editable_text_iface().set_text_contents("qemu:///sys-tem")
    app.click(app.find("Add", roles=["button"], exact=True))
    msg = app.find("/sys-tem", roles=["label"])
    assert "/system" in harness.name(msg), harness.name(msg)
    app.find("This computer (system)")
    app.find("My user session")
    app.screenshot("07-bad-uri")
    app.quit()


def test_a_slow_connection_says_it_is_connecting():
    """A daemon that accepts the connection and never answers (a busy or hung libvirtd):
    the window appears anyway, and the connection's heading says what it is waiting for."""
    path = "/tmp/bilik-silent.sock"
    if os.path.exists(path):
        os.unlink(path)
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    silent.bind(path)
    silent.listen(4)
    accepted = []
    threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True).start()
    try:
        app = App(["--connect", f"qemu+unix:///system?socket={path}"])
        app.window()
        app.find("qemu+unix:///system?socket=/tmp/bilik-silent.sock: Connecting…",
                 roles=["list item"])
        assert accepted, "Bilik never reached the socket"
        app.screenshot("08-connecting")
        app.quit()
    finally:
        silent.close()
        os.unlink(path)


def test_two_connections_tell_same_names_apart():
    """Two open connections (remembered from last time) with a machine of the same name:
    the rows say which connection each is on, search finds both, the wizard asks where a
    new machine goes, and closing one connection takes only its machines away."""
    a = harness.node_file([("web", True), ("only-a", False)], "/tmp/bilik-gui-a.xml")
    b = harness.node_file([("web", False)], "/tmp/bilik-gui-b.xml")
    app = App(settings=f"open-connections=['{a}', '{b}']\n")
    app.find(f"{a}: 2 machines", roles=["list item"])
    app.find(f"{b}: 1 machine", roles=["list item"])
    app.find(f"web, Running, {a}", roles=["list item"], exact=True)
    app.find(f"web, Shut off, {b}", roles=["list item"], exact=True)
    app.find("only-a, Shut off", roles=["list item"], exact=True)
    app.screenshot("09-same-names")

    search = app.find("Search machines", roles=["text", "entry"])
    search.get_editable_text_iface().set_text_contents("web")
    app.gone("only-a", roles=["list item"])
    app.find(f"web, Shut off, {b}", roles=["list item"], exact=True)
    search.get_editable_text_iface().set_text_contents("")

    # The wizard asks which connection (the one in view first).
    app.click(app.find("New Virtual Machine", roles=["push button", "button"], exact=True))
    app.find("Make it in")
    app.click(app.find("Close", roles=["push button", "button"], exact=True))

    app.click(app.find(f"Menu of {b}", roles=["toggle button"]))
    # The menu says what the connection is, as libvirt's test driver tells it.
    facts = app.find(" · TEST ", roles=["label"])
    words = harness.name(facts)
    assert " · libvirt " in words and "processor" in words, words
    app.screenshot("09b-connection-menu")
    app.click(app.find("Close Connection", roles=["push button", "button"], exact=True))
    app.gone(f"{b}:", roles=["list item"])
    app.find("web, Running", roles=["list item"], exact=True)
    # The last one closed: the sidebar says where connections come back from.
    app.click(app.find(f"Menu of {a}", roles=["toggle button"]))
    app.click(app.find("Close Connection", roles=["push button", "button"], exact=True))
    app.find("No connection open")
    app.screenshot("10-no-connection")
    app.quit()
