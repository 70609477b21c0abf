"""The Setup check page, driven through AT-SPI: it opens by itself on the first run, every
check has a verdict and a sentence, and it opens from the main menu any time."""

import os
import subprocess

import harness
from harness import App, wait_for

CHECKS = ["Hardware virtualisation (KVM)", "Software", "The libvirt service",
          "Permission to use libvirt", "Connection test", "Networking",
          "Storage for disk images"]


def rows_ready(app):
    return wait_for("the checks' results", lambda: all(
        any(harness.name(n).startswith(c) for n in app.find_all(["list item", "row", "panel",
                                                                 "label", "heading"]))
        for c in CHECKS), timeout=20)


def open_setup_check_from_menu(app):
    app.menu_item("Setup Check")
    app.find("Setup Check", roles=["dialog", "panel", "label", "heading", "frame"])


def test_opens_by_itself_on_first_run():
    # Start without a storage pool in the user's session, so the page offers to make one.
    for cmd in (["pool-destroy", "default"], ["pool-undefine", "default"]):
        subprocess.run(["virsh", "-c", "qemu:///session", *cmd], capture_output=True)
    app = App(first_run=True)
    app.find("Setup Check", roles=["dialog", "alert", "panel", "frame", "label", "heading"])
    rows_ready(app)
    texts = " ".join(app.texts())
    assert "KVM works" in texts, texts
    assert "Connected to qemu:///session" in texts, texts
    app.screenshot("30-setup-check-first-run")
    # A fix Bilik does itself; the checks run again by themselves afterwards.
    app.click(app.find("Create Pool", roles=["button"], exact=True))
    app.find("Pool “default” is ready", roles=["label"], timeout=30)
    pools = subprocess.run(["virsh", "-c", "qemu:///session", "pool-list", "--name"],
                           capture_output=True, text=True).stdout.split()
    assert "default" in pools, pools
    app.quit()


def test_opens_from_the_main_menu():
    app = App(["--connect", "qemu:///system"])
    app.find("This computer (system)")
    open_setup_check_from_menu(app)
    rows_ready(app)
    texts = " ".join(app.texts())
    assert "The libvirt service is running." in texts, texts
    assert "bilik is in the libvirt group." in texts, texts
    app.screenshot("31-setup-check-system")
    app.quit()


def test_image_in_a_private_folder_is_flagged():
    # A folder only its owner (bilik) may enter, as a home folder often is.
    os.makedirs("/tmp/bilik-home-like/isos", exist_ok=True)
    with open("/tmp/bilik-home-like/isos/installer.iso", "w") as f:
        f.write("iso")
    os.chmod("/tmp/bilik-home-like", 0o700)
    app = App(["--connect", "qemu:///system"])
    app.find("This computer (system)")
    open_setup_check_from_menu(app)
    # Scroll to the image part and show the message in the screenshot.
    rows_ready(app)
    entry = app.find("Or type the file’s path", roles=["text", "entry"])
    entry.get_editable_text_iface().set_text_contents("/tmp/bilik-home-like/isos/installer.iso")
    app.click(app.find("Check", roles=["button"], exact=True))
    msg = app.find("cannot open /tmp/bilik-home-like", roles=["label"])
    assert "libvirt-qemu" in harness.name(msg), harness.name(msg)
    fix = app.find("Fix…", roles=["button"], exact=True)
    assert "setfacl -m u:libvirt-qemu:x /tmp/bilik-home-like" in (fix.get_description() or "")
    app.screenshot("32-setup-check-image-access")
    os.chmod("/tmp/bilik-home-like", 0o755)
    app.click(app.find("Check", roles=["button"], exact=True))
    app.find("Virtual machines can open this file.", roles=["label"])
    app.quit()
