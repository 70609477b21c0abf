"""The details tabs of a machine on qemu:///system: Hardware (memory applied, the CD-ROM
ejected), Snapshots (taken and deleted), XML (an invalid edit is refused with libvirt's
words and the typed text stays). Each change checked with virsh."""

import os
import re
import subprocess
import time

import harness
from harness import App, button, tab, virsh, wait_for

VM = "bilik-tabs-vm"
VOL = "bilik-tabs.qcow2"


def inactive():
    return virsh("dumpxml", "--inactive", VM)


def cleanup():
    virsh("undefine", VM + "-clone", "--remove-all-storage", check=False)
    virsh("destroy", VM, check=False)
    virsh("undefine", VM, "--snapshots-metadata", check=False)
    virsh("vol-delete", "--pool", "default", VOL, check=False)
    for vol in virsh("vol-list", "default", check=False).split():
        if vol.startswith(VM + "-disk"):
            virsh("vol-delete", "--pool", "default", vol, check=False)


def test_hardware_snapshots_and_xml_tabs():
    cleanup()
    os.makedirs("/tmp/bilik-tabs", exist_ok=True)
    iso = "/tmp/bilik-tabs/disc.iso"
    if os.path.exists(iso):
        os.unlink(iso)
    subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-V", "TABS", "-o", iso,
                    "/tmp/bilik-tabs"], check=True, capture_output=True)
    harness.ensure_default_pool()
    virsh("vol-create-as", "default", VOL, "1G", "--format", "qcow2")
    disk = virsh("vol-path", "--pool", "default", VOL)
    xml = (f"<domain type='qemu'><name>{VM}</name><memory unit='MiB'>256</memory>"
           "<os><type arch='x86_64'>hvm</type></os><devices>"
           f"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='{disk}'/>"
           "<target dev='vda' bus='virtio'/></disk>"
           f"<disk type='file' device='cdrom'><source file='{iso}'/><target dev='sda' bus='sata'/>"
           "<readonly/></disk></devices></domain>")
    with open("/tmp/bilik-tabs-vm.xml", "w") as f:
        f.write(xml)
    virsh("define", "/tmp/bilik-tabs-vm.xml")
    try:
        app = App(["--connect", "qemu:///system"])
        app.select(app.find(f"{VM}, Shut off", roles=["list item"]))
        tab(app, "Hardware")
        memory = app.find("Memory (MiB)", roles=["spin button"])
        memory.get_value_iface().set_current_value(384)
        app.click(button(app, "Apply"))
        wait_for("memory in the definition",
                 lambda: "<currentMemory unit='KiB'>393216</currentMemory>" in inactive())
        app.find(iso, roles=["label"])
        app.screenshot("130-details-hardware")
        app.click(button(app, "Eject"))
        wait_for("the disc out", lambda: iso not in inactive())
        app.find("Empty", roles=["label"], exact=True)

        # A new disk, then removed with its file ticked.
        app.click(button(app, "Add Disk…"))
        size = app.find("Size (GiB)", roles=["spin button"])
        size.get_value_iface().set_current_value(1)
        app.click(button(app, "Add Disk"))
        wait_for("the new disk", lambda: "<target dev='vdb'" in inactive())
        x = inactive()
        block = x[:x.index("<target dev='vdb'")]
        path = block[block.rindex("<source file='") + len("<source file='"):].split("'")[0]
        assert os.path.exists(path), path
        remove = wait_for("its Remove button", lambda: next(
            (n for n in harness.walk(app.root)
             if harness.role(n) in ("button", "push button")
             and (n.get_description() or "") == "Remove the disk vdb"), None))
        app.click(remove)
        app.click(app.find(f"Also delete the file {path}", roles=["check box", "switch"],
                           clickable=True))
        app.click(button(app, "Remove"))
        wait_for("the disk gone", lambda: "<target dev='vdb'" not in inactive())
        wait_for("its file deleted", lambda: not os.path.exists(path))

        # Clone: a copy with its own disk appears in the list.
        app.click(button(app, "Clone…"))
        app.find("Name of the copy", roles=["text", "entry"])
        app.click(button(app, "Clone"))
        app.find(f"{VM}-clone, Shut off", roles=["list item"], timeout=60)
        copy = virsh("dumpxml", "--inactive", VM + "-clone")
        assert f"{VM}-clone-vda.qcow2" in copy, copy
        app.select(app.find(f"{VM}, Shut off", roles=["list item"]))

        tab(app, "Snapshots")
        app.find("No snapshots yet.")
        name = app.find("Snapshot name", roles=["text", "entry"])
        name.get_editable_text_iface().set_text_contents("clean install")
        app.click(button(app, "Take Snapshot"))
        app.find("A space cannot be part of a name", roles=["label"])
        name.get_editable_text_iface().set_text_contents("clean-install")
        app.click(button(app, "Take Snapshot"))
        wait_for("the snapshot", lambda: "clean-install" in virsh("snapshot-list", VM))
        app.find("clean-install", roles=["label"], exact=True)
        # Its description, given afterwards.
        app.click(app.find("Describe the snapshot clean-install", roles=["button", "push button"]))
        text = app.find("Description", roles=["text", "entry"], exact=True)
        text.get_editable_text_iface().set_text_contents("fresh system")
        app.click(button(app, "Save"))
        wait_for("the description in the snapshot", lambda: "<description>fresh system<"
                 in virsh("snapshot-dumpxml", VM, "clean-install"))
        app.find("fresh system", roles=["label"])
        app.screenshot("131-details-snapshots")
        app.click(app.find("Delete the snapshot clean-install", roles=["button", "push button"]))
        app.click(button(app, "Delete"))
        wait_for("no snapshot", lambda: "clean-install" not in virsh("snapshot-list", VM))

        tab(app, "XML")
        view = app.find("Machine XML", roles=["text"])
        app.click(button(app, "Edit XML"))
        button(app, "Save")  # editable now
        before = inactive()
        text = harness.Atspi.Text.get_text(view, 0, -1)
        assert f"<name>{VM}</name>" in text, text[:200]
        view.get_editable_text_iface().set_text_contents(
            text.replace("<devices>", "<devices>\n    <bogus-device/>", 1))
        app.click(button(app, "Save"))
        app.find("libvirt refused this XML; nothing was changed", roles=["label"])
        assert "<bogus-device/>" in harness.Atspi.Text.get_text(view, 0, -1)
        assert inactive() == before
        app.screenshot("132-details-xml")
        # Not well-formed (a tag left open), and another machine's <uuid>: each its sentence.
        view.get_editable_text_iface().set_text_contents(text.replace("</domain>", ""))
        app.click(button(app, "Save"))
        app.find("not a machine’s definition in well-formed XML", roles=["label"])
        other = "00000000-0000-4000-8000-000000000001"
        view.get_editable_text_iface().set_text_contents(
            re.sub(r"<uuid>[^<]*</uuid>", f"<uuid>{other}</uuid>", text, count=1))
        app.click(button(app, "Save"))
        app.find("This definition is of another machine", roles=["label"])
        assert inactive() == before
        app.screenshot("133-details-xml-other-machine")
        app.click(button(app, "Cancel"))
        app.quit()
    finally:
        cleanup()


def test_overview_graphs_of_a_running_machine(tiny_vm):
    vm = tiny_vm("bilik-graphs-vm")
    virsh("start", vm)
    app = App(["--connect", "qemu:///system"])
    app.select(app.find(f"{vm}, Running", roles=["list item"]))

    def cpu_reading():
        # The figure beside the CPU graph's title, such as "3 %".
        for n in harness.walk(app.root):
            nm = harness.name(n)
            if harness.role(n) == "label" and nm.endswith(" %") and nm[:-2].isdigit():
                return nm
        return None
    reading = wait_for("a CPU reading in the graph", cpu_reading, timeout=30)
    print(f"CPU graph reads {reading}")
    time.sleep(5)  # a few more samples for the screenshot
    app.find("Memory", exact=True)
    # Uptime from the qemu process: it started moments ago.
    app.find("Started less than a minute ago", roles=["label"], exact=True)
    app.screenshot("133-overview-graphs")
    app.quit()
