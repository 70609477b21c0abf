"""Shared folders: share a folder with a machine through the panel (checked with virsh:
the virtiofs device and the shared memory it needs), see the guest's mount command, stop
sharing (the definition is back as it was)."""

import os

import harness
from harness import App, virsh, wait_for

VM = "bilik-shares-vm"
XML = f"""<domain type='kvm'><name>{VM}</name><memory unit='MiB'>64</memory>
<os><type arch='x86_64'>hvm</type></os><devices>
<graphics type='spice'><listen type='none'/></graphics></devices></domain>"""


def inactive():
    return virsh("dumpxml", "--inactive", VM)


def test_share_and_unshare_a_folder():
    os.makedirs("/tmp/bilik-gui-share/Holiday Photos", exist_ok=True)
    with open(f"/tmp/{VM}.xml", "w") as f:
        f.write(XML)
    virsh("undefine", VM, check=False)
    virsh("define", f"/tmp/{VM}.xml")
    before = inactive()
    try:
        app = App(["--connect", "qemu:///system"])
        app.select(app.find(f"{VM}, Shut off", roles=["list item"]))
        app.find("Shared folders")
        entry = app.find("Or type the folder’s path", roles=["text", "entry"])
        entry.get_editable_text_iface().set_text_contents("/tmp/bilik-gui-share/Holiday Photos")
        app.click(app.find("Share", roles=["button"], exact=True))
        wait_for("the share in the definition", lambda: "<target dir='holiday_photos'/>" in inactive()
                 and "<access mode='shared'/>" in inactive())
        app.find("holiday_photos", exact=True)
        app.find("/tmp/bilik-gui-share/Holiday Photos on this computer")
        app.screenshot("70-shared-folder")
        app.click(app.find("Stop sharing holiday_photos", roles=["button"]))
        wait_for("the definition back as it was", lambda: inactive() == before)
        app.gone("holiday_photos")
        app.quit()
    finally:
        virsh("undefine", VM, check=False)
