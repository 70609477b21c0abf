"""A machine's network cards in the details pane, on qemu:///system: a machine without a
card says it is offline; Add Card plugs one into the "default" network; a multicast MAC
address gets a sentence and changes nothing; a good one is saved; the cable is unplugged;
the card is removed. Each step checked with virsh dumpxml --inactive."""

import harness
from harness import App, virsh, wait_for

VM = "bilik-nics-vm"


def inactive():
    return virsh("dumpxml", "--inactive", VM)


def test_cards_of_a_machine(tiny_vm):
    tiny_vm(VM)
    app = App(["--connect", "qemu:///system"])
    app.select(app.find(f"{VM}, Shut off", roles=["list item"]))
    app.find("No network card: the machine is offline.")
    app.click(app.find("Add Card", roles=["button", "push button"], exact=True))
    wait_for("the card in the definition", lambda: "<source network='default'/>" in inactive())
    title = app.find("virtio card on the network “default”", roles=["label"])
    app.click_at(title)  # expand the card's row
    mac = app.find("MAC address", roles=["text", "entry"])
    old = harness.Atspi.Text.get_text(mac, 0, -1)
    assert old.startswith("52:54:00:"), old
    mac.get_editable_text_iface().set_text_contents("01:00:5e:00:00:01")
    app.click(app.find("Change", roles=["button", "push button"], exact=True))
    app.find("This is a group (multicast) address", roles=["label"])
    assert old in inactive()
    app.screenshot("120-nics-bad-mac")
    mac = app.find("MAC address", roles=["text", "entry"])
    mac.get_editable_text_iface().set_text_contents("52:54:00:aa:bb:cc")
    app.click(app.find("Change", roles=["button", "push button"], exact=True))
    wait_for("the new MAC", lambda: "52:54:00:aa:bb:cc" in inactive())
    app.click_at(app.find("virtio card on the network “default”", roles=["label"]))
    app.click(app.find("Cable plugged in", roles=["check box", "switch"], clickable=True))
    wait_for("the link down", lambda: "<link state='down'/>" in inactive())
    app.screenshot("121-nics-card")
    app.click(app.find("Remove the card 52:54:00:aa:bb:cc", roles=["button", "push button"]))
    wait_for("the card gone", lambda: "<interface" not in inactive())
    app.find("No network card: the machine is offline.")
    app.quit()
