"""Bilik on the real qemu:///system (libvirtd + qemu/KVM in the dev root), run as an
ordinary user in the libvirt group: buttons change the real machine, checked with virsh."""

import os

import harness
from harness import App, virsh, wait_for

VM = "bilik-gui-vm"


def test_start_and_force_off_a_real_kvm_machine(tiny_vm):
    tiny_vm(VM)
    app = App(["--connect", "qemu:///system"])
    row = app.find(f"{VM}, Shut off", roles=["list item"])
    app.select(row)
    app.click(app.find("Start", roles=["button"], exact=True))
    wait_for("virsh to say running", lambda: virsh("domstate", VM) == "running")
    app.find(f"{VM}, Running", roles=["list item"])
    # Live figures from the bulk statistics call appear on the row.
    wait_for("CPU and memory on the row",
             lambda: any("CPU" in t and "MiB" in t for t in app.texts()), timeout=15)
    app.screenshot("10-system-running")

    app.click(app.find("Force Off", roles=["button"], exact=True))
    app.find(f"Force off “{VM}”?")
    app.click([b for b in app.find_all(["button"]) if harness.name(b) == "Force Off"][-1])
    wait_for("virsh to say shut off", lambda: virsh("domstate", VM) == "shut off")
    app.find(f"{VM}, Shut off", roles=["list item"])
    assert "Forced off." in " ".join(app.texts())
    app.screenshot("11-system-forced-off")
    app.quit()
