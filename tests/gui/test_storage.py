"""The Storage dialog on qemu:///system, walked as a person would: add a folder pool (a
relative path first, which gets a sentence), open it, create a volume, grow it, delete
it, stop the pool (its files stay) and delete it with its empty folder. Each step is
checked with virsh."""

import os

import harness
from harness import App, button, virsh, wait_for

POOL = "bilik-gui-pool"
FOLDER = "/var/lib/libvirt/bilik-gui-pool"


def cleanup():
    virsh("pool-destroy", POOL, check=False)
    virsh("pool-delete", POOL, check=False)
    virsh("pool-undefine", POOL, check=False)


def test_pool_and_volume_life():
    cleanup()
    try:
        app = App(["--connect", "qemu:///system"])
        app.find("This computer (system)")
        app.menu_item("Storage")
        app.find("Storage pools")
        app.click(button(app, "Add Pool…"))
        name = app.find("Name", roles=["text", "entry"], exact=True)
        name.get_editable_text_iface().set_text_contents(POOL)
        folder = app.find("Folder", roles=["text", "entry"], exact=True)
        folder.get_editable_text_iface().set_text_contents("kvm-images")
        app.click(button(app, "Create Pool"))
        app.find("Give a full folder path", roles=["label"])
        app.screenshot("100-storage-new-pool")
        folder.get_editable_text_iface().set_text_contents(FOLDER)
        app.click(button(app, "Create Pool"))
        app.find(f"Pool “{POOL}” created.")
        info = virsh("pool-info", POOL)
        assert "running" in info and "Autostart:      yes" in info, info
        assert os.path.isdir(FOLDER)
        app.screenshot("101-storage-pools")

        # Open the pool (its row has no accessible action: click it like a person).
        app.click_at(app.find(POOL, roles=["label"], exact=True))
        app.find("Volumes")
        app.click(button(app, "New Volume…"))
        size = app.find("Size", roles=["spin button"], exact=True)
        size.get_value_iface().set_current_value(1)
        app.click(button(app, "Create Volume"))
        app.find("Volume created.")
        assert "disk.qcow2" in virsh("vol-list", POOL)
        row = app.find("disk.qcow2, qcow2", roles=["list item"])
        app.select(row)
        app.click(button(app, "Grow…"))
        grow = app.find("New size (GiB)", roles=["spin button"])
        grow.get_value_iface().set_current_value(2)
        app.click(button(app, "Grow"))
        app.find("Volume grown.")
        wait_for("the volume to be 2 GiB",
                 lambda: "2.00 GiB" in virsh("vol-info", "--pool", POOL, "disk.qcow2"))
        app.select(app.find("disk.qcow2, qcow2 · 2", roles=["list item"]))
        app.screenshot("102-storage-pool")
        app.click(button(app, "Delete…"))
        app.find("Delete “disk.qcow2”?")
        app.click(button(app, "Delete"))
        app.find("Volume deleted.")
        assert "disk.qcow2" not in virsh("vol-list", POOL)

        # Stop: the dialog says no file is deleted (tests/storage_system.rs checks a file
        # survives; this user may not write in libvirt's folder).
        app.click(button(app, "Stop…"))
        app.find("Stopping does not delete any file")
        app.screenshot("103-storage-stop")
        app.click(button(app, "Stop"))
        wait_for("the pool to stop", lambda: "inactive" in virsh("pool-info", POOL))
        assert os.path.isdir(FOLDER)
        app.click(button(app, "Start"))
        wait_for("the pool to run", lambda: "running" in virsh("pool-info", POOL))

        app.click(button(app, "Delete Pool…"))
        app.find("The files in " + FOLDER + " stay where they are")
        app.click(button(app, "Delete Pool and Empty Folder"))
        app.find(f"Pool “{POOL}” deleted.")
        assert virsh("pool-info", POOL, check=False) == ""
        assert not os.path.exists(FOLDER)
        app.quit()
    finally:
        cleanup()
