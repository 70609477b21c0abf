"""USB devices: the host's devices (here from libvirt's test driver, as this machine has
no USB bus) are listed by vendor and product; the test driver refuses hot-plugging, and
that refusal reaches the person as a sentence, with the switch back off."""

import os

import harness
from harness import App, Atspi

NODE = """<node>
<domain type='test'><name>usbvm</name><memory>1024</memory><os><type>hvm</type></os>
<devices><controller type='usb' index='0' model='piix3-uhci'/></devices></domain>
<device><name>usb_1_4</name><parent>computer</parent><capability type='usb_device'>
<bus>1</bus><device>4</device><product id='0xc52b'>Unifying Receiver</product>
<vendor id='0x046d'>Logitech, Inc.</vendor></capability></device>
</node>"""


def test_usb_devices_listed_and_refusal_explained():
    path = "/tmp/bilik-gui-usb.xml"
    with open(path, "w") as f:
        f.write(NODE)
    os.chmod(path, 0o644)
    app = App(["--connect", "test://" + path])
    app.select(app.find("usbvm, Running", roles=["list item"]))
    app.find("USB devices")
    switch = app.find("Logitech, Inc. — Unifying Receiver", roles=["check box", "switch"],
                      clickable=True)
    app.find("Bus 1, device 4 · 0x046d:0xc52b")
    app.click(switch)
    app.find("Could not change “usbvm”")
    switch = app.find("Logitech, Inc. — Unifying Receiver", roles=["check box", "switch"],
                      clickable=True)
    harness.wait_for("the switch back off", lambda: not switch.get_state_set().contains(
        Atspi.StateType.CHECKED))
    app.screenshot("80-usb-devices")
    app.quit()
