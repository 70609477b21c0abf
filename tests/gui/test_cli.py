"""The command line beside the window: a second `bilik --connect URI` or `bilik open NAME`
while Bilik runs is handed to the running window (GApplication), which switches connection
or shows that machine, and the second process ends at once (no second window, no second
libvirt connection); `bilik console NAME` opens the console as the window does."""

import os
import subprocess
import time

import harness
from harness import App, BIN, viewer_pids, virsh, wait_for


def bilik(*args, timeout=20):
    """A second `bilik` in the same desktop session (the same D-Bus session bus)."""
    started = time.monotonic()
    done = subprocess.run([BIN, *args], capture_output=True, text=True, timeout=timeout,
                          env=dict(os.environ, LANGUAGE="en", GSETTINGS_BACKEND="memory"))
    return done, time.monotonic() - started


def bilik_processes():
    out = subprocess.run(["pgrep", "-x", "bilik"], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def test_a_second_bilik_hands_its_command_line_to_the_window():
    app = App(["--connect", "qemu:///system"])
    app.find("This computer (system)")
    assert len(bilik_processes()) == 1

    done, took = bilik("--connect", "test:///default")
    print(f"second bilik --connect returned {done.returncode} after {took:.2f} s")
    assert done.returncode == 0, done.stderr
    assert took < 10, took
    # The running window switched: the test driver's machine is listed.
    app.find("test, Running", roles=["list item"])
    assert bilik_processes() == [app.proc.pid], "no second Bilik stays"

    done, _ = bilik("open", "test")
    assert done.returncode == 0, done.stderr
    app.find("test", roles=["heading", "label"], exact=True)
    app.screenshot("230-cli-open-test")

    # A command line the window cannot take: refused by the second process itself.
    done, _ = bilik("--connect")
    assert done.returncode == 2 and "URI" in done.stderr, done.stderr
    assert bilik_processes() == [app.proc.pid]
    app.quit()


def test_console_from_the_command_line(tiny_vm):
    name = tiny_vm("bilik-gui-cli-console")
    virsh("start", name)
    try:
        done, _ = bilik("-c", "qemu:///system", "console", name)
        assert done.returncode == 0, done.stderr
        assert "gives the mouse back" in done.stdout, done.stdout
        wait_for("virt-viewer to run", lambda: len(viewer_pids()) == 1, timeout=20)
        # A machine without a screen: the window's sentence.
        done, _ = bilik("-c", "test:///default", "console", "test")
        assert done.returncode == 1
        assert "has no screen to show" in done.stderr, done.stderr
    finally:
        for p in viewer_pids():
            subprocess.run(["kill", str(p)])
