"""When libvirtd dies, Bilik says so and comes back by itself when the daemon does.
Runs as root (it stops and starts the system daemon); root's default is qemu:///system."""

import subprocess

import harness
from harness import App, virsh, wait_for

VM = "bilik-reconnect-vm"


def libvirtd(action):
    subprocess.run(["/project/build-aux/libvirtd-ctl", action], check=True)


def test_list_returns_after_the_daemon_restarts():
    harness.define_tiny_vm(VM)
    try:
        virsh("start", VM)
        app = App()  # no --connect: root's default connection
        app.find(f"{VM}, Running", roles=["list item"])
        libvirtd("kill")
        app.find("Lost connection to qemu:///system", timeout=20)
        app.screenshot("12-connection-lost")
        libvirtd("start")
        app.gone("Lost connection", timeout=30)
        row = app.find(f"{VM}, Running", roles=["list item"], timeout=30)
        rows = [n for n in app.find_all(["list item"]) if harness.name(n).startswith(VM + ",")]
        assert len(rows) == 1, f"exactly one row for {VM}, got {len(rows)}"
        app.select(row)
        app.find("Force Off", roles=["button"], exact=True)
        app.screenshot("13-reconnected")
        app.quit()
    finally:
        libvirtd("start")
        virsh("destroy", VM, check=False)
        virsh("undefine", VM, check=False)
