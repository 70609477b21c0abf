"""Copy and paste through Bilik's own console with a real SPICE agent: a guest running
spice-vdagent (agent_guest.py: Debian's kernel, TCG, its root the dev root over 9p, an X
server and the agent inside). The console's header says the agent runs; the guest's copy
arrives on this computer's clipboard; this computer's copy arrives in the guest (which
writes its clipboard to its serial port, read with `virsh console`); images (PNG) cross
both ways; a file sent with the console's Send Files button arrives in the guest. With the machine's
Copy and paste switch off, nothing crosses."""

import os
import subprocess
import time

import agent_guest
import harness
from harness import App, button, virsh, wait_for

VM = "bilik-gui-agent"
# A new file each run: libvirt hands the one it starts a machine with to its qemu user.
INITRD = f"/tmp/{VM}-initrd-{os.getpid()}.cpio"


def host_clipboard():
    r = subprocess.run(["xclip", "-o", "-selection", "clipboard"], capture_output=True,
                       text=True, timeout=10)
    return r.stdout if r.returncode == 0 else ""


def host_png():
    r = subprocess.run(["xclip", "-o", "-selection", "clipboard", "-t", "image/png"],
                       capture_output=True, timeout=10)
    return r.stdout if r.returncode == 0 else b""


def png_size(data):
    """A PNG's width and height (its IHDR), or None."""
    if not data.startswith(b"\x89PNG"):
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def start_guest(copypaste=True):
    agent_guest.initramfs(INITRD)
    harness.define_domain(VM, agent_guest.domain_xml(VM, INITRD, copypaste))
    virsh("start", VM)
    return agent_guest.Serial(VM)


def end_guest(serial):
    if serial:
        serial.close()
    virsh("destroy", VM, check=False)
    virsh("undefine", VM, check=False)
    try:
        os.unlink(INITRD)
    except OSError as e:
        print(f"the initramfs stays ({e})")


def open_console():
    app = App(["--connect", "qemu:///system"])
    app.select(app.find(f"{VM}, Running", roles=["list item"]))
    # Opened before the agent starts in the guest (as a person opens the console at
    # once): the agent's copy is announced to a connected client.
    app.click(button(app, "Open Console"))
    return app


def test_copy_and_paste_both_ways_with_the_agent():
    host_copy = serial = None
    try:
        serial = start_guest()
        app = open_console()
        wait_for("the agent in the guest", lambda: "agent started" in serial.text, timeout=240,
                 interval=2)
        try:
            app.find("Connected · SPICE agent running", roles=["label"], timeout=30)
        except harness.Failure:
            print(serial.text)  # what the guest's agent said
            raise
        # The guest copied: this computer's clipboard has it.
        wait_for("the guest's copy here", lambda: host_clipboard() == "copied-in-the-guest",
                 timeout=60, interval=1)
        # This computer copies (another program): the guest can paste it.
        host_copy = subprocess.Popen(["xclip", "-selection", "clipboard"],
                                     stdin=subprocess.PIPE)
        host_copy.communicate(b"copied-on-this-computer", timeout=10)
        wait_for("this computer's copy in the guest",
                 lambda: "clipboard: copied-on-this-computer" in serial.text, timeout=60,
                 interval=2)
        # Images, as PNG: the guest's (copied once it had this computer's text) arrives
        # here whole; this computer's arrives there.
        logo = "/usr/share/gitweb/static/git-logo.png"
        wait_for("the guest's image here", lambda: png_size(host_png()) == png_size(
            open(logo, "rb").read()), timeout=60, interval=1)
        favicon = "/usr/share/gitweb/static/git-favicon.png"
        subprocess.run(["xclip", "-selection", "clipboard", "-t", "image/png", "-i", favicon],
                       check=True, timeout=10)
        size = open(favicon, "rb").read()[16:24].hex()
        wait_for("this computer's image in the guest", lambda: f"png: {size}" in serial.text,
                 timeout=60, interval=2)
        # A file sent with the header's button (the keyboard's way; dropping is the
        # mouse's), picked in the file chooser.
        sent = f"/tmp/bilik-sent-{os.getpid()}.txt"
        with open(sent, "w") as f:
            f.write("a file from this computer\n")
        app.click(app.find("Send Files to the Machine…", roles=["button", "push button"]))
        chooser = wait_for("the file chooser", lambda: next(
            (c for c in harness.walk(app.root, max_depth=1)
             if harness.name(c) == "Send Files to the Machine"), None))
        subprocess.run(["xdotool", "key", "ctrl+l"], check=True)
        location = wait_for("its location entry", lambda: next(
            (n for n in harness.walk(chooser)
             if harness.role(n) in ("text", "entry") and harness.showing(n)
             and n.get_editable_text_iface() is not None), None))
        location.get_editable_text_iface().set_text_contents(sent)
        subprocess.run(["xdotool", "key", "Return"], check=True)
        app.find("1 file(s) copied into the machine", roles=["label"], timeout=60)
        wait_for("the file in the guest", lambda: os.path.basename(sent) in serial.text,
                 timeout=60, interval=2)
        os.unlink(sent)
        app.quit()
    finally:
        if host_copy and host_copy.poll() is None:
            host_copy.kill()
        end_guest(serial)


def test_the_machines_copy_and_paste_switch_is_honoured():
    """The same guest with the machine's Copy and paste switch off: the agent runs, the
    header says copy and paste is off, and the guest's copy never reaches this computer
    (checked for 20 s after the agent copied; above, with the switch on, it arrives in
    about a second)."""
    serial = None
    try:
        subprocess.run(["xclip", "-selection", "clipboard"], input=b"before", check=True,
                       timeout=10)
        serial = start_guest(copypaste=False)
        app = open_console()
        wait_for("the agent in the guest", lambda: "agent started" in serial.text, timeout=240,
                 interval=2)
        app.find("Connected · SPICE agent running · copy and paste off", roles=["label"],
                 timeout=30)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert host_clipboard() == "before"
            time.sleep(1)
        app.quit()
    finally:
        end_guest(serial)
