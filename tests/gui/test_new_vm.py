"""The new-machine wizard, walked as a person would: a Fedora installer disc (generated
here with the real Fedora volume id) is recognised through osinfo-db, the proposal is
shown, a bad name is explained, the summary warns about the azerty keyboard, and Create
makes a running machine on qemu:///system whose XML has what the summary promised. A disc
Bilik does not know leads to the searchable system picker."""

import os
import subprocess

import harness
from harness import App, button, viewer_pids, virsh, wait_for

VM = "bilik-gui-fedora"
DIR = "/tmp/bilik-gui-wizard"


def cleanup():
    for p in viewer_pids():
        subprocess.run(["kill", str(p)])
    virsh("destroy", VM, check=False)
    virsh("undefine", VM, "--nvram", "--remove-all-storage", check=False)


def test_create_a_machine_from_a_recognised_disc():
    cleanup()
    os.makedirs(DIR, exist_ok=True)
    iso = harness.make_iso(DIR, "Fedora-Server-dvd-x86_64-40.iso", "Fedora-S-dvd-x86_64-40")
    try:
        # A French keyboard: the summary must warn about the guest's US layout.
        app = App(["--connect", "qemu:///system"], env={"XKB_DEFAULT_LAYOUT": "fr"})
        app.find("This computer (system)")
        app.click(button(app, "New Virtual Machine"))
        app.find("How will the machine start?")
        app.screenshot("90-wizard-source")

        # A path that does not exist gets a sentence, not a crash.
        entry = app.find("Disc image file (.iso)", roles=["text", "entry"])
        entry.get_editable_text_iface().set_text_contents("/tmp/no-such-installer.iso")
        app.click(button(app, "Next"))
        app.find("There is no file at /tmp/no-such-installer.iso", roles=["label"])

        entry.get_editable_text_iface().set_text_contents(iso)
        app.click(button(app, "Next"))
        app.find("Recognised: Fedora Server 40", roles=["label"])
        app.screenshot("91-wizard-system")

        app.click(button(app, "Next"))
        memory = app.find("Memory (MiB)", roles=["spin button"])
        proposed = memory.get_value_iface().get_current_value()
        # Fedora's recommendation from osinfo-db, capped at half this computer's memory.
        assert proposed >= 2048, proposed
        app.find("Fedora Server 40 needs at least 2 GiB.", roles=["label"])
        app.screenshot("92-wizard-resources")
        # Keep the test machine small.
        memory.get_value_iface().set_current_value(512)

        app.click(button(app, "Next"))
        name = app.find("Name", roles=["text", "entry"], exact=True)
        value = harness.Atspi.Text.get_text(name, 0, -1)
        assert value == "fedora40", value
        name.get_editable_text_iface().set_text_contents("my fedora")
        app.find("A space cannot be part of a name", roles=["label"])
        assert not button(app, "Next").get_state_set().contains(
            harness.Atspi.StateType.SENSITIVE)
        app.screenshot("93-wizard-name")
        name.get_editable_text_iface().set_text_contents(VM)
        # Express install is offered for this disc (Fedora's kickstart); this test walks
        # the ordinary install, answered in the console (tests/gui/test_express_install.py
        # walks express install).
        app.find("Express install")
        app.click(app.find("Install by itself", roles=["check box", "switch"], clickable=True))
        app.find("Off: you answer the installer yourself", roles=["label"])

        app.click(button(app, "Next"))
        app.find("Ready to create")
        texts = " ".join(app.texts())
        assert "512 MiB of memory" in texts, texts
        assert "Fast virtio disk" in texts, texts
        assert "BIOS" in texts, texts
        assert "NAT" in texts, texts
        assert "Your keyboard layout is “fr”" in texts, texts
        assert "without a, m, q, w, z and y" in texts, texts
        app.screenshot("94-wizard-summary")

        app.click(button(app, "Create"))
        wait_for("the machine to run", lambda: virsh("domstate", VM, check=False) == "running",
                 timeout=60)
        # The console opens by itself (Bilik's own): the installer would be there.
        wait_for("the console window", lambda: subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", f"{VM} — Console"],
            capture_output=True).returncode == 0, timeout=20)
        app.screenshot("95-wizard-created")
        app.gone("Ready to create")
        app.find(f"{VM}, Running", roles=["list item"])
        xml = virsh("dumpxml", VM)
        for needle in ['<libosinfo:os id="http://fedoraproject.org/fedora/40"/>',
                       "<memory unit='KiB'>524288</memory>", "machine='pc-q35",
                       "name='com.redhat.spice.0'", "name='org.qemu.guest_agent.0'",
                       "<input type='tablet' bus='usb'>", "<rng model='virtio'>",
                       "<source network='default'", iso]:
            assert needle in xml, f"{needle} missing:\n{xml}"
        app.quit()
    finally:
        cleanup()


def test_unknown_disc_leads_to_the_picker():
    os.makedirs(DIR, exist_ok=True)
    iso = harness.make_iso(DIR, "photos.iso", "MY_HOLIDAY_PHOTOS")
    notiso = os.path.join(DIR, "notes.txt")
    with open(notiso, "w") as f:
        f.write("not a disc\n")
    app = App(["--connect", "qemu:///system"])
    app.find("This computer (system)")
    app.click(button(app, "New Virtual Machine"))
    entry = app.find("Disc image file (.iso)", roles=["text", "entry"])
    entry.get_editable_text_iface().set_text_contents(notiso)
    app.click(button(app, "Next"))
    app.find("This file is not a disc image (ISO 9660)", roles=["label"])
    # A disc in a folder only its owner may enter, as home folders often are: the system
    # user running machines could not read it, and Bilik says so before creating anything.
    private = os.path.join(DIR, "private")
    os.makedirs(private, exist_ok=True)
    os.chmod(private, 0o700)
    hidden = os.path.join(private, "photos.iso")
    subprocess.run(["cp", iso, hidden], check=True)
    entry.get_editable_text_iface().set_text_contents(hidden)
    app.click(button(app, "Next"))
    msg = app.find("who cannot open " + private, roles=["label"])
    assert "libvirt-qemu" in harness.name(msg), harness.name(msg)
    button(app, "Allow Access")
    app.screenshot("98-wizard-access")
    entry.get_editable_text_iface().set_text_contents(iso)
    app.click(button(app, "Next"))
    app.find("Bilik could not recognise this disc", roles=["label"])
    assert not button(app, "Next").get_state_set().contains(harness.Atspi.StateType.SENSITIVE)
    search = app.find("Search systems", roles=["text", "entry"])
    search.get_editable_text_iface().set_text_contents("ubuntu 24.04")
    app.select(app.find("Ubuntu 24.04 LTS", exact=True, roles=["list item"]))
    app.find("Chosen: Ubuntu 24.04 LTS", roles=["label"])
    app.screenshot("96-wizard-picker")
    # The generic choices are there too.
    app.select(app.find("Generic Windows", exact=True, roles=["list item"]))
    app.find("Chosen: Microsoft Windows 11", roles=["label"])
    app.click(button(app, "Next"))
    app.find("Memory (MiB)", roles=["spin button"])
    app.click(button(app, "Next"))
    app.find("Name", roles=["text", "entry"], exact=True)
    # Picked by hand, Windows 11 can install itself from its answer disc: not here.
    app.click(app.find("Install by itself", roles=["check box", "switch"], clickable=True))
    app.click(button(app, "Next"))
    app.find("Ready to create")
    texts = " ".join(app.texts())
    assert "Secure Boot and an emulated TPM 2.0" in texts, texts
    assert "SATA disk and e1000e" in texts, texts
    app.screenshot("97-wizard-windows-summary")
    app.quit()


def test_a_disc_that_fits_two_systems_offers_both():
    os.makedirs(DIR, exist_ok=True)
    # Windows 10 and 11 discs share this label: libosinfo names 11 first, and both.
    iso = harness.make_iso(DIR, "Win.iso", "CCCOMA_X64FRE_EN-US_DV9", "MICROSOFT CORPORATION")
    app = App(["--connect", "qemu:///system"])
    app.find("This computer (system)")
    app.click(button(app, "New Virtual Machine"))
    entry = app.find("Disc image file (.iso)", roles=["text", "entry"])
    entry.get_editable_text_iface().set_text_contents(iso)
    app.click(button(app, "Next"))
    app.find("Recognised: Microsoft Windows 11", roles=["label"])
    app.find("This disc fits several systems", roles=["label"])
    app.find("Systems this disc fits", roles=["list"])
    app.screenshot("96b-wizard-two-systems")
    app.select(app.find("Microsoft Windows 10", exact=True, roles=["list item"]))
    app.find("Recognised: Microsoft Windows 10", roles=["label"])
    app.quit()


def test_customise_before_install_defines_and_shows_details():
    name = "bilik-gui-netboot"
    virsh("destroy", name, check=False)
    virsh("undefine", name, "--nvram", "--remove-all-storage", check=False)
    try:
        app = App(["--connect", "qemu:///system"])
        app.find("This computer (system)")
        app.click(button(app, "New Virtual Machine"))
        app.click_at(app.find("Empty machine (network boot)", roles=["radio button", "check box"]))
        app.gone("Disc image file (.iso)")
        app.click(button(app, "Next"))
        app.find("Which system is it?", roles=["label"])
        app.select(app.find("Generic Linux", exact=True, roles=["list item"]))
        app.click(button(app, "Next"))
        app.find("Memory (MiB)", roles=["spin button"])
        app.click(button(app, "Next"))
        entry = app.find("Name", roles=["text", "entry"], exact=True)
        entry.get_editable_text_iface().set_text_contents(name)
        app.click(button(app, "Next"))
        app.find("The network (PXE), then the new disk", roles=["label"])
        app.click(app.find("Customise before install", roles=["check box", "switch"],
                           clickable=True))
        app.click(button(app, "Create"))
        app.gone("Ready to create")
        # Defined, not started, and shown in the details pane.
        app.find(f"{name}, Shut off", roles=["list item"])
        app.find(name, roles=["label"], exact=True)
        # The overview names the system from the machine's libosinfo metadata.
        app.find("Operating system: Generic Linux 2024", roles=["label"])
        assert virsh("domstate", name) == "shut off"
        xml = virsh("dumpxml", name)
        assert "<boot dev='network'/>" in xml, xml
        app.screenshot("99-wizard-customise")
        app.quit()
    finally:
        virsh("destroy", name, check=False)
        virsh("undefine", name, "--nvram", "--remove-all-storage", check=False)
