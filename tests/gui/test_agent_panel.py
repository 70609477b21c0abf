"""Clipboard & display, per machine: the agents' state, the copy-paste switch and the
"Add Channels" fix change the real definition (checked with virsh), and the install command
follows the machine's OS from its libosinfo metadata."""

import harness
from harness import App, virsh, wait_for

VM = "bilik-agent-vm"
XML = f"""<domain type='kvm'><name>{VM}</name><memory unit='MiB'>64</memory>
<metadata><libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>
<libosinfo:os id='http://fedoraproject.org/fedora/40'/></libosinfo:libosinfo></metadata>
<os><type arch='x86_64'>hvm</type></os><devices>
<graphics type='spice'><listen type='none'/></graphics></devices></domain>"""


def inactive():
    return virsh("dumpxml", "--inactive", VM)


def test_switches_and_channels_change_the_definition():
    with open(f"/tmp/{VM}.xml", "w") as f:
        f.write(XML)
    virsh("undefine", VM, check=False)
    virsh("define", f"/tmp/{VM}.xml")
    try:
        app = App(["--connect", "qemu:///system"])
        app.select(app.find(f"{VM}, Shut off", roles=["list item"]))
        before = inactive()
        app.find("Clipboard & display")
        # Looking at a machine changes nothing in its definition.
        import time
        time.sleep(1.5)
        assert inactive() == before, "showing the panel must not write the definition"
        texts = " ".join(app.texts())
        assert "Missing: the machine has no channel for it" in texts, texts
        assert "sudo dnf install spice-vdagent qemu-guest-agent" in texts, texts
        app.screenshot("60-clipboard-panel")

        app.click(app.find("Copy and paste", roles=["check box", "switch"], clickable=True))
        wait_for("copypaste='no' in the definition", lambda: "copypaste='no'" in inactive())
        app.find("Saved.")
        assert "filetransfer" not in inactive(), "only the switch that changed is written"
        # On again: the definition as it was (libvirt's default needs no line).
        app.click(app.find("Copy and paste", roles=["check box", "switch"], clickable=True))
        wait_for("the definition as before", lambda: inactive() == before)
        app.click(app.find("Copy and paste", roles=["check box", "switch"], clickable=True))
        wait_for("copypaste='no' again", lambda: "copypaste='no'" in inactive())

        app.click(app.find("Add Channels", roles=["button"], exact=True))
        wait_for("the agent channels in the definition",
                 lambda: "com.redhat.spice.0" in inactive() and "org.qemu.guest_agent.0" in inactive())
        app.gone("Missing: the machine has no channel for it")
        app.find("Not connected: not installed in the machine, or the machine is off")
        app.screenshot("61-clipboard-panel-channels")
        app.quit()
    finally:
        virsh("undefine", VM, check=False)
