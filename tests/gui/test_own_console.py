"""Bilik's own console (the default; Preferences can choose virt-viewer): "Open Console"
shows the machine's screen in a window of Bilik's (SPICE through spice-client-glib, sockets from
libvirt, no port, no password); the SeaBIOS screen appears, and a key pressed in the
window reaches the machine as the physical key: Esc opens SeaBIOS's boot menu, and the
screen changes. Send Keys and the full-screen button are in its header bar, which says
where the console is; when the machine stops the window says so, and its screen comes back
when it starts again."""

import os
import subprocess
import time

import harness
from harness import App, button, virsh, wait_for

VM = "bilik-gui-own-console"


def define():
    # SeaBIOS waits 30 s for Esc (its boot menu), as a real PC's firmware does.
    xml = (f"<domain type='kvm'><name>{VM}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
           "<os><type arch='x86_64'>hvm</type><bootmenu enable='yes' timeout='30000'/></os>"
           "<features><acpi/></features><devices>"
           "<graphics type='spice'><listen type='none'/><clipboard copypaste='no'/></graphics>"
           "<input type='tablet' bus='usb'/><redirdev bus='usb' type='spicevmc'/>"
           "<video><model type='virtio'/></video></devices></domain>")
    harness.define_domain(VM, xml)


def shot_of(win, label):
    path = f"{harness.SHOTS}/{label}.png"
    subprocess.run(["import", "-window", win, path], check=True)
    return path


def spread(path):
    """How much the picture varies (0 for a blank one)."""
    out = subprocess.run(["convert", path, "-colorspace", "gray", "-format",
                          "%[fx:standard_deviation]", "info:"],
                         capture_output=True, text=True, check=True).stdout
    return float(out)


def same(a, b):
    out = subprocess.run(["compare", "-metric", "AE", a, b, "null:"],
                         capture_output=True, text=True).stderr
    return out.split()[0] == "0"


def test_the_machines_screen_in_bilik_takes_its_keys():
    define()
    try:
        virsh("start", VM)
        app = App(["--connect", "qemu:///system"])
        app.select(app.find(f"{VM}, Running", roles=["list item"]))
        app.click(button(app, "Open Console"))
        win = wait_for("the console window", lambda: harness.console_window(VM), timeout=20)
        app.find("The machine’s screen")
        # The header says where the console is (SeaBIOS has no agent) and that this
        # machine's Copy and paste switch is off (the console honours it too), and a hint
        # says what a newcomer would not know: the keyboard's layout trap.
        app.find("Connected · no SPICE agent · copy and paste off", roles=["label"])
        app.find("the key marked A types q", roles=["label"])
        app.find("Send Keys", roles=["button", "push button"])
        app.find("Full Screen", roles=["button", "push button"])
        # SeaBIOS draws: the screen is not blank.
        before = wait_for("the machine's screen", lambda: (lambda p: p if spread(p) > 0.01
                          else None)(shot_of(win, "232-own-console")), timeout=20)
        assert "ESC for boot menu" in harness.ocr(win, app.find("The machine’s screen"),
                                          "232-own-console")
        before = shot_of(win, "232-own-console")
        # Esc, typed into the console window: SeaBIOS's boot menu.
        subprocess.run(["xdotool", "windowfocus", "--sync", win], check=True)
        subprocess.run(["xdotool", "key", "--window", win, "Escape"], check=True)
        wait_for("the boot menu", lambda: not same(before, shot_of(win, "233-own-console-esc")),
                 timeout=20)
        # Read, as a person would: SeaBIOS's boot menu.
        wait_for("“Select boot device” on the screen", lambda: "boot device" in harness.ocr(
            win, app.find("The machine’s screen"), "233-own-console-esc"), timeout=20)
        # Send Keys: Ctrl+Alt+Del restarts the machine (SeaBIOS starts over).
        menu = app.find("Send Keys", roles=["button", "push button"])
        app.click(menu)
        app.click(app.find("Ctrl+Alt+Del", roles=["button", "push button"], exact=True))
        booted = shot_of(win, "233-own-console-esc")
        wait_for("the machine to restart", lambda: not same(
            booted, shot_of(win, "234-own-console-ctrl-alt-del")), timeout=20)
        # No agent in SeaBIOS: the console says what copy and paste need.
        note = app.find("need the SPICE agent in the machine", timeout=20)
        wait_for("the note to be revealed", lambda: note.get_component_iface().get_extents(
            harness.Atspi.CoordType.WINDOW).height > 0, timeout=20)
        time.sleep(0.5)  # the banner slides in
        shot_of(win, "235-own-console-no-agent")
        # One window per machine: asked again, the same one.
        app.click(button(app, "Open Console"))
        time.sleep(1)
        assert len(subprocess.run(["xdotool", "search", "--onlyvisible", "--name",
                                   f"{VM} — Console"], capture_output=True,
                                  text=True).stdout.split()) == 1
        # The USB menu: this computer's devices to pass into the machine. These test
        # computers have none plugged in; the CI machines have no USB bus at all.
        app.click(app.find("USB Devices", roles=["toggle button"]))
        if os.path.isdir("/dev/bus/usb"):
            app.find("No USB devices are plugged into this computer.", roles=["label"])
        else:
            app.find("USB devices cannot be passed over the console on this computer.",
                     roles=["label"])
        shot_of(win, "237-own-console-usb")
        subprocess.run(["xdotool", "key", "--window", win, "Escape"], check=True)
        # The machine stops: the window says so (and stays); it starts: the screen is back.
        virsh("destroy", VM)
        app.find("The machine is off", roles=["heading", "label"])
        app.find("Machine off", roles=["label"], exact=True)
        shot_of(win, "238-own-console-machine-off")
        virsh("start", VM)
        app.find("Connected · no SPICE agent", roles=["label"], timeout=30)
        wait_for("the screen again", lambda: spread(shot_of(win, "239-own-console-again"))
                 > 0.01, timeout=20)
        app.quit()
    finally:
        virsh("destroy", VM, check=False)
        virsh("undefine", VM, check=False)


def bilik_window():
    out = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^Bilik$"],
                         capture_output=True, text=True).stdout.split()
    return out[0] if out else None


def test_the_console_tab_shows_the_screen_in_the_window():
    define()
    try:
        virsh("start", VM)
        app = App(["--connect", "qemu:///system"])
        app.select(app.find(f"{VM}, Running", roles=["list item"]))
        harness.tab(app, "Console")
        app.find("The machine’s screen")
        win = wait_for("Bilik's window", bilik_window)
        screen = app.find("The machine’s screen")

        def screen_shot(label):
            """The machine's screen only (the list beside it changes by itself)."""
            e = screen.get_component_iface().get_extents(harness.Atspi.CoordType.WINDOW)
            path = shot_of(win, label)
            subprocess.run(["convert", path, "-crop", f"{e.width}x{e.height}+{e.x}+{e.y}",
                            "+repage", path], check=True)
            return path

        # SeaBIOS has drawn its screen and waits for Esc (30 s): two shots alike.
        def settled():
            a = screen_shot("236-console-tab")
            time.sleep(1)
            b = screen_shot("236-console-tab-b")
            return b if same(a, b) and spread(b) > 0.01 else None
        before = wait_for("the machine's screen to settle", settled, timeout=20)
        shot_of(win, "236-console-tab")
        # A click gives the screen the keyboard, as for a person.
        app.click_at(screen)
        subprocess.run(["xdotool", "key", "--window", win, "Escape"], check=True)
        wait_for("the boot menu", lambda: not same(before, screen_shot("237-console-tab-esc")),
                 timeout=20)
        shot_of(win, "237-console-tab-esc")
        # Full Screen: the console window takes the screen over; the tab says where it is.
        app.click(app.find("Full Screen", roles=["button", "push button"], exact=True))
        wait_for("the console window", lambda: harness.console_window(VM), timeout=20)
        app.find("The screen is open in its own window")
        app.quit()
    finally:
        virsh("destroy", VM, check=False)
        virsh("undefine", VM, check=False)


def test_a_machine_without_a_tablet_is_offered_one():
    """Without a USB tablet the machine takes the pointer as moves (it lags and drifts, and
    GTK 4 cannot capture the pointer): the console says so and adds a tablet."""
    name = VM + "-no-tablet"
    xml = (f"<domain type='kvm'><name>{name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
           "<os><type arch='x86_64'>hvm</type><bootmenu enable='yes' timeout='30000'/></os>"
           "<devices><graphics type='spice'><listen type='none'/></graphics>"
           "<video><model type='vga'/></video></devices></domain>")
    harness.define_domain(name, xml)
    try:
        virsh("start", name)
        app = App(["--connect", "qemu:///system"])
        app.select(app.find(f"{name}, Running", roles=["list item"]))
        app.click(button(app, "Open Console"))
        app.find("This machine has no USB tablet", roles=["label"])
        app.click(button(app, "Add a Tablet"))
        app.find("A tablet was added", roles=["label"])
        assert "<input type='tablet' bus='usb'>" in virsh("dumpxml", "--inactive", name)
        app.quit()
    finally:
        virsh("destroy", name, check=False)
        virsh("undefine", name, check=False)
