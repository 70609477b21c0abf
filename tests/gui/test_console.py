"""Open Console launches virt-viewer (an argument vector, --attach on a local connection,
the configured hotkeys), shows the hints, and keeps one console per machine. The screenshot
shows virt-viewer's window with the machine's firmware screen."""

import subprocess
import time

import harness
from harness import App, virsh, wait_for

VM = "bilik-console-vm"


def viewer_pids():
    r = subprocess.run(["pgrep", "-f", "^virt-viewer --connect"], capture_output=True, text=True)
    return [int(p) for p in r.stdout.split()]


def test_open_console_of_a_running_machine():
    harness.define_tiny_vm(VM)
    virsh("start", VM)
    uuid = virsh("domuuid", VM)
    try:
        app = App(["--connect", "qemu:///system"])
        app.select(app.find(f"{VM}, Running", roles=["list item"]))
        app.click(app.find("Open Console", roles=["button", "push button"], exact=True))
        pids = wait_for("virt-viewer to start", viewer_pids, timeout=20)
        argv = open(f"/proc/{pids[0]}/cmdline").read().split("\0")[:-1]
        assert argv == ["virt-viewer", "--connect", "qemu:///system", "--wait", "--reconnect",
                        "--attach", "--hotkeys=toggle-fullscreen=shift+f11,release-cursor=ctrl+alt",
                        "--", uuid], argv
        # The hint says which keys release the cursor and switch full screen, and that
        # copy-paste needs spice-vdagent (this machine has no agent).
        hint = app.find("gives the mouse back", roles=["label"])
        assert "CTRL+ALT" in harness.name(hint) and "spice-vdagent" in harness.name(hint)
        wait_for("the console window", lambda: subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", VM],
            capture_output=True).returncode == 0, timeout=20)
        time.sleep(2)  # let the firmware screen draw
        app.screenshot("50-console")

        # One console per machine: a second click opens no second viewer.
        app.click(app.find("Open Console", roles=["button", "push button"], exact=True))
        app.find(f"The console of “{VM}” is already open.")
        assert len(viewer_pids()) == 1
        for p in viewer_pids():
            subprocess.run(["kill", str(p)])
        wait_for("virt-viewer to end", lambda: not viewer_pids())
        app.quit()
    finally:
        for p in viewer_pids():
            subprocess.run(["kill", str(p)])
        virsh("destroy", VM, check=False)
        virsh("undefine", VM, check=False)


if __name__ == "__main__":
    harness.run_tests([test_open_console_of_a_running_machine])
