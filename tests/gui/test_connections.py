"""Several connections in one window: the real system libvirtd and the test user's own
session side by side, each under its heading, each acted on through its own connection;
the system daemon killed and restarted: its group says it is reconnecting and its rows
say "not connected" while the session's machines stay usable, and both are whole again
after (no duplicate rows). Move between them, a card on a network the session lacks
included."""

import os
import shutil
import subprocess

import harness
from harness import App, button, virsh, wait_for

SYS_VM = "bilik-side-system"
SES_VM = "bilik-side-session"
HOME = f"/tmp/bilik-sides-home-{os.getpid()}"
RUNTIME = os.path.join(HOME, "run")
MOVE_MAC = "52:54:00:4d:0f:01"


def session_virsh(*args, check=True):
    return harness.session_virsh(HOME, RUNTIME, *args, check=check)


def tiny_xml(name):
    return (f"<domain type='kvm'><name>{name}</name><memory unit='MiB'>64</memory>"
            "<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os><features><acpi/></features>"
            "<devices><graphics type='spice'><listen type='none'/></graphics>"
            "<video><model type='virtio'/></video></devices></domain>")


def cleanup():
    virsh("destroy", SYS_VM, check=False)
    virsh("undefine", SYS_VM, check=False)
    if os.path.isdir(RUNTIME):
        for vm in (SES_VM, "bilik-moving"):
            session_virsh("destroy", vm, check=False)
            session_virsh("undefine", vm, check=False)
        harness.stop_session_service(RUNTIME)
    shutil.rmtree(HOME, ignore_errors=True)


def rows_named(app, name):
    return [n for n in app.find_all(["list item"]) if harness.name(n).startswith(name + ",")]


def test_system_and_session_side_by_side():
    cleanup()
    os.makedirs(RUNTIME, mode=0o700)
    try:
        harness.define_tiny_vm(SYS_VM)
        path = os.path.join(HOME, "ses.xml")
        with open(path, "w") as f:
            f.write(tiny_xml(SES_VM))
        session_virsh("define", path)
        # A returning user (the setup check was seen), with no connections remembered.
        harness.returning_login(HOME)

        # No connections remembered: the session, and the system because this user is in
        # the libvirt group (its socket lets them in) — both, each under its heading.
        app = App(home=HOME, env={"XDG_RUNTIME_DIR": RUNTIME})
        app.window()
        app.find("My user session: 1 machine", roles=["list item"])
        app.find("This computer (system):", roles=["list item"])
        sys_row = app.find(f"{SYS_VM}, Shut off", roles=["list item"])
        app.find(f"{SES_VM}, Shut off", roles=["list item"])
        app.screenshot("90-two-connections")

        # Each machine is started through its own connection.
        app.select(sys_row)
        app.click(button(app, "Start"))
        wait_for("the system machine to run", lambda: virsh("domstate", SYS_VM) == "running")
        app.find(f"{SYS_VM}, Running", roles=["list item"])
        assert session_virsh("domstate", SES_VM) == "shut off"
        app.select(app.find(f"{SES_VM}, Shut off", roles=["list item"]))
        app.click(button(app, "Start"))
        wait_for("the session machine to run",
                 lambda: session_virsh("domstate", SES_VM) == "running")
        app.find(f"{SES_VM}, Running", roles=["list item"])

        # The system daemon goes away: its heading says so, the session goes on.
        harness.system_daemon("kill")
        app.find("This computer (system): Lost connection to qemu:///system — reconnecting…",
                 roles=["list item"], timeout=20)
        # Its machine stays listed with the last state heard, marked as not current.
        app.find(f"{SYS_VM}, Running, not connected", roles=["list item"], exact=True)
        app.find("My user session: 1 machine", roles=["list item"])
        app.click(button(app, "Pause"))
        wait_for("the session machine to pause",
                 lambda: session_virsh("domstate", SES_VM) == "paused")
        app.find(f"{SES_VM}, Paused", roles=["list item"])
        app.screenshot("91-system-lost-session-usable")

        harness.system_daemon("start")
        app.gone("Lost connection to qemu:///system", timeout=40)
        app.find(f"{SYS_VM}, Running", roles=["list item"], exact=True, timeout=30)
        assert len(rows_named(app, SYS_VM)) == 1, "one row for the system machine"
        assert len(rows_named(app, SES_VM)) == 1, "one row for the session machine"
        headers = [harness.name(n) for n in app.find_all(["list item"])
                   if harness.name(n).startswith(("My user session:", "This computer (system):"))]
        assert len(headers) == 2, headers
        app.screenshot("92-both-whole-again")
        app.quit()
    finally:
        harness.system_daemon("start")
        cleanup()


MOVE_VM = "bilik-moving"
MOVE_DISK = "bilik-moving.img"


def volume_sum(virsh_of, name):
    """SHA-256 of a volume of a default pool, read through libvirt (`virsh_of`: which
    connection's virsh)."""
    out = os.path.join(HOME, "check.img")
    virsh_of("vol-download", "--pool", "default", name, out)
    return subprocess.run(["sha256sum", out], capture_output=True, text=True,
                          check=True).stdout.split()[0]


def move(app, name, to_place):
    app.select(app.find(f"{name}, Shut off", roles=["list item"]))
    app.click(button(app, "Move…"))
    app.find(f"Move “{name}” to {to_place}?")
    app.click(button(app, "Move"))
    app.find(f"“{name}” is now in {to_place}", timeout=120)


def test_move_from_the_session_to_the_system_and_back():
    cleanup()
    virsh("vol-delete", "--pool", "default", MOVE_DISK, check=False)
    os.makedirs(RUNTIME, mode=0o700)
    try:
        harness.ensure_default_pool()
        images = os.path.join(HOME, ".local/share/libvirt/images")
        os.makedirs(images)
        session_virsh("pool-define-as", "default", "dir", "--target", images)
        session_virsh("pool-start", "default")
        # A disk with content of its own (random: any byte lost or changed would show).
        data = os.path.join(HOME, "data.img")
        with open(data, "wb") as f:
            f.write(os.urandom(6 * 1024 * 1024))
        original = subprocess.run(["sha256sum", data], capture_output=True, text=True,
                                  check=True).stdout.split()[0]
        session_virsh("vol-create-as", "default", MOVE_DISK, "6M", "--format", "raw")
        session_virsh("vol-upload", "--pool", "default", MOVE_DISK, data)
        # A card on the system's "default" network (as virt-manager's machines have): the
        # system keeps it; a user session has no networks, so coming back it must change.
        xml = tiny_xml(MOVE_VM).replace(
            "<devices>", f"<devices><disk type='file' device='disk'><driver name='qemu' "
            f"type='raw'/><source file='{images}/{MOVE_DISK}'/><target dev='vda' bus='virtio'/>"
            f"</disk><interface type='network'><mac address='{MOVE_MAC}'/>"
            "<source network='default'/><model type='virtio'/></interface>")
        path = os.path.join(HOME, "move.xml")
        with open(path, "w") as f:
            f.write(xml)
        session_virsh("define", path)
        harness.returning_login(HOME)

        app = App(home=HOME, env={"XDG_RUNTIME_DIR": RUNTIME})
        app.find("My user session: 1 machine", roles=["list item"])
        move(app, MOVE_VM, "This computer (system)")
        assert virsh("domstate", MOVE_VM) == "shut off"
        assert session_virsh("domstate", MOVE_VM, check=False) == "", "gone from the session"
        assert volume_sum(virsh, MOVE_DISK) == original
        there = virsh("dumpxml", "--inactive", MOVE_VM)
        assert "<source network='default'/>" in there and MOVE_MAC in there, there
        app.find("My user session: No virtual machines here", roles=["list item"])
        app.screenshot("93-moved-to-system")

        move(app, MOVE_VM, "My user session")
        app.find("My user session has no network “default”, so its network card now uses a "
                 "private network of its own")
        app.screenshot("94-moved-back-network-changed")
        app.click(button(app, "OK"))
        assert session_virsh("domstate", MOVE_VM) == "shut off"
        assert virsh("domstate", MOVE_VM, check=False) == "", "gone from the system"
        assert volume_sum(session_virsh, MOVE_DISK) == original
        assert virsh("vol-info", "--pool", "default", MOVE_DISK, check=False) == ""
        back = session_virsh("dumpxml", "--inactive", MOVE_VM)
        assert "<interface type='user'>" in back and MOVE_MAC in back, back
        assert "<source network=" not in back, back
        # And it starts there (it could not with the card on "default").
        session_virsh("start", MOVE_VM)
        assert session_virsh("domstate", MOVE_VM) == "running"
        session_virsh("destroy", MOVE_VM)
        app.quit()
    finally:
        virsh("destroy", MOVE_VM, check=False)
        virsh("undefine", MOVE_VM, check=False)
        virsh("vol-delete", "--pool", "default", MOVE_DISK, check=False)
        cleanup()
