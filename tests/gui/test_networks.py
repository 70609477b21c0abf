"""The Networks dialog on qemu:///system (libvirtd runs in its own network namespace in
the dev root: nothing here touches the host's network). The hint for a "default" network
that does not start with the computer, a NAT network added with a bad prefix first (a
sentence), an overlapping subnet refused, the network page with its explanation, stop and
delete, each checked with virsh."""

import harness
from harness import App, button, virsh, wait_for

NET = "bilik-gui-net"


def cleanup():
    for n in (NET, NET + "-2"):
        virsh("net-destroy", n, check=False)
        virsh("net-undefine", n, check=False)


def test_network_life():
    cleanup()
    virsh("net-autostart", "default", "--disable")
    try:
        app = App(["--connect", "qemu:///system"])
        app.find("This computer (system)")
        app.menu_item("Networks")
        app.find("Virtual networks")
        # The default network does not start with the computer: one click fixes it.
        app.find("does not start with the computer")
        app.screenshot("110-networks-default-hint")
        app.click(button(app, "Start It Automatically"))
        wait_for("default to autostart",
                 lambda: "Autostart:      yes" in virsh("net-info", "default"))
        app.click(app.find("Back", roles=["button", "push button"]))

        app.click(button(app, "Add Network…"))
        name = app.find("Name", roles=["text", "entry"], exact=True)
        name.get_editable_text_iface().set_text_contents(NET)
        subnet = app.find("Subnet (IPv4)", roles=["text", "entry"])
        proposed = harness.Atspi.Text.get_text(subnet, 0, -1)
        assert proposed.endswith("/24"), proposed
        subnet.get_editable_text_iface().set_text_contents("192.168.170.0/33")
        app.click(button(app, "Create Network"))
        app.find("The prefix length (after “/”) must be between 8 and 29", roles=["label"])
        subnet.get_editable_text_iface().set_text_contents("192.168.170.0/24")
        app.click(button(app, "Create Network"))
        app.find(f"Network “{NET}” created.")
        xml = virsh("net-dumpxml", NET)
        assert "<forward mode='nat'" in xml and "192.168.170.1" in xml, xml

        app.click(button(app, "Add Network…"))
        name = app.find("Name", roles=["text", "entry"], exact=True)
        name.get_editable_text_iface().set_text_contents(NET + "-2")
        subnet = app.find("Subnet (IPv4)", roles=["text", "entry"])
        subnet.get_editable_text_iface().set_text_contents("192.168.170.128/25")
        app.click(button(app, "Create Network"))
        app.find(f"overlaps “{NET}”", roles=["label"])
        app.screenshot("111-networks-overlap")
        assert virsh("net-info", NET + "-2", check=False) == ""
        app.click(app.find("Back", roles=["button", "push button"]))

        app.click_at(app.find(NET, roles=["label"], exact=True))
        app.find("hides the machines behind its own address", roles=["label"])
        app.find("No address given out yet")
        app.screenshot("112-network-page")
        app.click(button(app, "Stop"))
        wait_for("the network to stop", lambda: "Active:         no" in virsh("net-info", NET))
        app.click(button(app, "Delete Network…"))
        app.click(button(app, "Delete"))
        app.find(f"Network “{NET}” deleted.")
        assert virsh("net-info", NET, check=False) == ""
        app.quit()
    finally:
        virsh("net-autostart", "default")
        cleanup()
