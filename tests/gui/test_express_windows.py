"""Express install of Windows through the wizard, as a person would, with a folder of this
computer shared: the disc (a Windows 10 label libosinfo knows) is recognised; the name page
asks for the user, the password and an optional product key (a wrong one is explained);
a folder is picked in the file chooser and listed with its mount name; the summary says
the answers go on a second disc and what Windows needs to see shared folders. Create
starts Setup with the answer disc in; the disc's "Setup" (a boot record) reboots at once,
as Windows' first phase does: Bilik starts the installed machine, keeps the answer disc
(Setup goes on and reads windows.cmd from it), and the list and the overview say that
Windows is finishing its setup."""

import os
import shutil
import subprocess

import harness
from harness import App, button, viewer_pids, virsh, wait_for

VM = "bilik-gui-express-win"
DIR = "/tmp/bilik-gui-express-win"
# mov al, 0xfe; out 0x64, al; hlt; jmp $ : a reset through the keyboard controller.
RESET = bytes([0xB0, 0xFE, 0xE6, 0x64, 0xF4, 0xEB, 0xFE]) + bytes(2041)


def cleanup():
    for p in viewer_pids():
        subprocess.run(["kill", str(p)])
    virsh("destroy", VM, check=False)
    virsh("undefine", VM, "--nvram", "--remove-all-storage", check=False)
    virsh("vol-delete", "--pool", "default", f"{VM}-install-answers.iso", check=False)


def type_keys(window_name, *keys):
    """Keys typed into the X window `window_name` (a file chooser)."""
    win = wait_for(f"window {window_name}", lambda: subprocess.run(
        ["xdotool", "search", "--onlyvisible", "--name", window_name],
        capture_output=True, text=True).stdout.split(), timeout=20)[0]
    subprocess.run(["xdotool", "windowfocus", "--sync", win], check=True)
    for k in keys:
        subprocess.run(["xdotool", "key", "--window", win, k], check=True)


def test_windows_installs_itself_from_an_answer_disc_with_a_shared_folder():
    cleanup()
    harness.ensure_default_pool()
    shutil.rmtree(DIR, ignore_errors=True)
    os.makedirs(os.path.join(DIR, "Documents"))
    os.chmod(DIR, 0o755)
    iso = harness.make_iso(DIR, "win10.iso", "CENA_X64FREV_EN-US_DV5",
                           publisher="MICROSOFT CORPORATION", boot=RESET)
    os.chmod(iso, 0o644)
    try:
        app = App(["--connect", "qemu:///system"], env={"G_MESSAGES_DEBUG": "bilik"})
        app.find("This computer (system)")
        app.click(button(app, "New Virtual Machine"))
        entry = app.find("Disc image file (.iso)", roles=["text", "entry"])
        entry.get_editable_text_iface().set_text_contents(iso)
        app.click(button(app, "Next"))
        app.find("Recognised: Microsoft Windows 10", roles=["label"])
        app.click(button(app, "Next"))
        app.find("Memory (MiB)", roles=["spin button"]).get_value_iface() \
            .set_current_value(256)
        app.click(button(app, "Next"))
        app.find("Name", roles=["text", "entry"], exact=True).get_editable_text_iface() \
            .set_text_contents(VM)
        app.find("User name (login)", roles=["text", "entry"]).get_editable_text_iface() \
            .set_text_contents("ana")
        for label in ("Password", "Password again"):
            app.find(label, roles=["password text", "text", "entry"], exact=True) \
                .get_editable_text_iface().set_text_contents("Qwerty-Azerty 12")
        key = app.find("Windows product key (may stay empty)", roles=["text", "entry"])
        key.get_editable_text_iface().set_text_contents("ABCDE-12345")
        app.find("A product key is five groups of five letters or digits", roles=["label"])
        assert not button(app, "Next").get_state_set().contains(
            harness.Atspi.StateType.SENSITIVE)
        key.get_editable_text_iface().set_text_contents("")
        app.gone("A product key is five groups")

        # A folder of this computer, picked in the file chooser.
        app.click(button(app, "Share a Folder…"))
        # The chooser's location entry (Ctrl+L), its text set as a whole (typed key by
        # key, its completion would add to it).
        type_keys("Share a Folder", "ctrl+l")
        chooser = wait_for("the file chooser", lambda: next(
            (c for c in harness.walk(app.root, max_depth=1)
             if harness.name(c) == "Share a Folder"), None))
        location = wait_for("its location entry", lambda: next(
            (n for n in harness.walk(chooser)
             if harness.role(n) in ("text", "entry") and harness.showing(n)
             and n.get_editable_text_iface() is not None), None))
        location.get_editable_text_iface().set_text_contents(os.path.join(DIR, "Documents"))
        type_keys("Share a Folder", "Return")
        app.find("Mount name “documents”", roles=["label"], timeout=20)
        app.find(f"Do not share {DIR}/Documents", roles=["button", "push button"])
        app.wheel(10)
        app.screenshot("225-express-windows-answers")
        app.click(button(app, "Next"))
        app.find("Ready to create")
        texts = " ".join(app.texts())
        assert "The answers are on a small second disc" in texts, texts
        assert "virtio-win and WinFsp" in texts, texts
        assert f"{DIR}/Documents (mount name “documents”)" in texts, texts
        app.screenshot("226-express-windows-summary")
        app.click(button(app, "Create"))

        # Setup's first phase "ends" at once: the installed machine starts, answer disc in.
        app.find(f"“{VM}”: Windows is installed and finishes its setup inside the machine now.",
                 timeout=60)
        wait_for("the installed machine to run", lambda: virsh(
            "domstate", VM, check=False) == "running", timeout=30)
        live = virsh("dumpxml", VM)
        assert f"{VM}-install-answers.iso" in live, live
        assert f"dir='{DIR}/Documents'" in live or f"{DIR}/Documents" in live, live
        assert iso not in live, "the installer disc is out"
        for p in viewer_pids():  # the console window would hide the list
            subprocess.run(["kill", str(p)])
        app.select(app.find(f"{VM}, Installing its system", roles=["list item"], timeout=20))
        app.find("Windows is finishing its setup by itself", roles=["label"])
        app.screenshot("227-express-windows-setup-goes-on")
        app.quit()
    finally:
        cleanup()
        shutil.rmtree(DIR, ignore_errors=True)
