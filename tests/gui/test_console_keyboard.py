"""Bilik's console sends the key's place on the keyboard, not its letter: the seeds'
keyboard trap, shown for real. Debian's installer (its kernel and initrd, TCG) runs in the
console; this computer's keyboard is French (azerty, `setxkbmap fr`). A person types
“echo aqua” into the installer's shell: the machine, set to US (qwerty), reads the keys
by place and prints “qauq” (on azerty, a and q sit where qwerty has q and a) — what the
console's hint tells the person. The screen is
read with OCR (tesseract)."""

import subprocess

import harness
from harness import App, button, ocr, virsh, wait_for

VM = "bilik-gui-console-keyboard"
IMAGES = "/usr/lib/debian-installer/images/13/amd64/text/debian-installer/amd64"


def define():
    # Text mode (fb=false): the installer's screens in the PC's own font, which OCR reads.
    xml = (f"<domain type='qemu'><name>{VM}</name><memory unit='MiB'>768</memory>"
           "<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type>"
           f"<kernel>{IMAGES}/linux</kernel><initrd>{IMAGES}/initrd.gz</initrd>"
           "<cmdline>fb=false priority=critical</cmdline></os>"
           "<features><acpi/></features><devices>"
           "<graphics type='spice'><listen type='none'/></graphics>"
           "<input type='tablet' bus='usb'/><video><model type='vga'/></video>"
           "</devices></domain>")
    harness.define_domain(VM, xml)


def test_keys_reach_the_machine_by_their_place():
    define()
    try:
        virsh("start", VM)
        app = App(["--connect", "qemu:///system"])
        app.select(app.find(f"{VM}, Running", roles=["list item"]))
        app.click(button(app, "Open Console"))
        win = wait_for("the console window", lambda: harness.console_window(VM), timeout=20)
        screen = app.find("The machine’s screen")

        def read(label):
            return ocr(win, screen, label)
        # The installer's first question (TCG: it takes a while to start), whichever it is
        # (with little memory it first says it runs in low-memory mode): its key help.
        wait_for("the installer's first screen",
                 lambda: "activates buttons" in read("250-console-installer"),
                 timeout=300, interval=3)
        # A click gives the screen the keyboard, as for a person.
        subprocess.run(["xdotool", "windowfocus", "--sync", win], check=True)
        app.click_at(screen)

        def asks_location():
            """With little memory the installer first says it runs in low-memory mode, and
            its shells start once its start-up is over: Enter (Continue) until it asks the
            first real question."""
            text = read("250-console-installer")
            if "location" in text or "language" in text:
                return True
            subprocess.run(["xdotool", "key", "Return"], check=True)
            return False
        wait_for("the installer's first question", asks_location, timeout=120, interval=3)
        # The installer's second console has a shell: Send Keys → Ctrl+Alt+F2 (keys the
        # desktop of this computer would take for itself).
        app.click(app.find("Send Keys", roles=["button", "push button"]))
        app.click(app.find("Ctrl+Alt+F2", roles=["button", "push button"], exact=True))
        wait_for("the second console", lambda: "activate this console" in read("251-console-tty2"),
                 timeout=30, interval=1)
        subprocess.run(["xdotool", "key", "Return"], check=True)
        wait_for("the shell", lambda: "built-in shell" in read("252-console-shell"), timeout=30,
                 interval=1)
        # Typed as a person with an azerty keyboard would: the letters a and q are where a
        # qwerty keyboard has q and a. (Set just before: the X server takes the layout of
        # the device that typed last, and the keys above came from xdotool's own.)
        subprocess.run(["setxkbmap", "fr"], check=True)
        assert "fr" in subprocess.run(["setxkbmap", "-query"], capture_output=True, text=True,
                                      check=True).stdout
        subprocess.run(["xdotool", "type", "--delay", "120", "echo aqua"], check=True)
        subprocess.run(["xdotool", "key", "Return"], check=True)
        text = wait_for("the machine's answer", lambda: (lambda t: t if "qauq" in t
                        else None)(read("253-console-azerty")), timeout=30, interval=1)
        assert "aqua" not in text, text
        app.quit()
    finally:
        subprocess.run(["setxkbmap", "us"], check=False)
        virsh("destroy", VM, check=False)
        virsh("undefine", VM, check=False)
