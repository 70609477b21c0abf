"""A remote computer for real: an SSH server started by the test in a network namespace
of its own (its end of a veth pair at 10.253.7.2), a key made for the test, and
qemu+ssh://bilik@10.253.7.2/system added through the Add a Connection dialog. A wrong port
and an unknown host key each get their sentence; once the key is known, that computer's
machines are listed under its heading. Runs as root (it makes the namespace and starts
sshd); Bilik logs in as the test user `bilik`, who is in the libvirt group there."""

import os
import shutil
import subprocess
import tempfile
import time

import harness
from harness import App, button, wait_for

VM = "bilik-remote-vm"
HOST_SIDE, FAR_SIDE = "10.253.7.1", "10.253.7.2"
LINK = "bkssh0"
SSH_DIR = "/root/.ssh"
KEY = os.path.join(SSH_DIR, "id_ed25519")
KNOWN = os.path.join(SSH_DIR, "known_hosts")


def run(*argv):
    subprocess.run(argv, check=True, capture_output=True)


class Sshd:
    """sshd in a network namespace of its own, reachable from here through a veth pair."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="bilik-sshd-")
        os.chmod(self.dir, 0o755)
        self.holder = None

    def start(self):
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{self.dir}/host_key")
        shutil.copy(KEY + ".pub", f"{self.dir}/authorized_keys")
        os.chmod(f"{self.dir}/authorized_keys", 0o644)
        with open(f"{self.dir}/sshd_config", "w") as f:
            f.write(f"ListenAddress {FAR_SIDE}\nPort 22\nHostKey {self.dir}/host_key\n"
                    f"PidFile {self.dir}/sshd.pid\nAuthorizedKeysFile {self.dir}/authorized_keys\n"
                    "UsePAM yes\nStrictModes no\nPasswordAuthentication no\n"
                    "KbdInteractiveAuthentication no\nAllowUsers bilik\n")
        os.makedirs("/run/sshd", exist_ok=True)
        self.holder = subprocess.Popen(["unshare", "--net", "--", "sleep", "infinity"])
        pid = str(self.holder.pid)
        wait_for("the namespace", lambda: os.readlink(f"/proc/{pid}/ns/net")
                 != os.readlink("/proc/self/ns/net"), timeout=10)
        subprocess.run(["ip", "link", "del", LINK], capture_output=True)
        run("ip", "link", "add", LINK, "type", "veth", "peer", "name", "bkssh1")
        run("ip", "link", "set", "bkssh1", "netns", pid)
        run("ip", "addr", "add", f"{HOST_SIDE}/30", "dev", LINK)
        run("ip", "link", "set", LINK, "up")
        run("nsenter", "-t", pid, "-n", "sh", "-c",
            f"ip link set lo up && ip addr add {FAR_SIDE}/30 dev bkssh1 && ip link set bkssh1 up")
        run("nsenter", "-t", pid, "-n", "/usr/sbin/sshd", "-f", f"{self.dir}/sshd_config",
            "-E", f"{self.dir}/sshd.log")
        wait_for("sshd to listen", lambda: subprocess.run(
            ["ssh-keyscan", "-T", "1", FAR_SIDE], capture_output=True).stdout, timeout=20)

    def stop(self):
        try:
            with open(f"{self.dir}/sshd.pid") as f:
                os.kill(int(f.read().strip()), 15)
        except (OSError, ValueError):
            pass
        if self.holder:
            self.holder.kill()
            self.holder.wait()
        subprocess.run(["ip", "link", "del", LINK], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def add_remote(app, port, login="bilik"):
    """Fills in Add a Connection for login@FAR_SIDE on `port` and connects."""
    app.click(app.find("Connections", roles=["toggle button"]))
    app.click(button(app, "Add Connection…"))
    user = app.find("Your user name on that computer", roles=["text", "entry"])
    user.get_editable_text_iface().set_text_contents(login)
    host = app.find("Its name or address", roles=["text", "entry"])
    host.get_editable_text_iface().set_text_contents(FAR_SIDE)
    spin = app.find("SSH port", roles=["spin button"], exact=True)
    spin.get_value_iface().set_current_value(float(port))
    shown = "" if port == 22 else f":{port}"
    app.find(f"Address: qemu+ssh://{login}@{FAR_SIDE}{shown}/system?no_tty=1")
    app.screenshot(f"95-add-connection-{login}-{port}")
    app.click(button(app, "Connect"))


def test_a_remote_computer_over_ssh():
    os.makedirs(SSH_DIR, mode=0o700, exist_ok=True)
    made_key = not os.path.exists(KEY)
    if made_key:
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", KEY)
    known_before = open(KNOWN).read() if os.path.exists(KNOWN) else None
    if known_before is not None:
        # This test's host must start unknown.
        run("ssh-keygen", "-R", FAR_SIDE, "-f", KNOWN)
    harness.define_tiny_vm(VM)
    sshd = Sshd()
    try:
        sshd.start()
        app = App(["--connect", harness.node_file([("local-vm", False)])])
        app.find("local-vm, Shut off", roles=["list item"])

        # A port where nothing listens.
        add_remote(app, 2299)
        app.find(f"Nothing answers on port 2299 of {FAR_SIDE}", timeout=30)
        app.screenshot("96-remote-wrong-port")
        app.click(app.find(f"Menu of bilik@{FAR_SIDE} (remote)", roles=["toggle button"]))
        app.click(button(app, "Close Connection"))
        app.gone("Nothing answers on port 2299")

        # The right port, but this computer does not know the host's key yet.
        add_remote(app, 22)
        app.find(f"This computer has never connected to {FAR_SIDE} over SSH", timeout=30)
        texts = " ".join(app.texts())
        assert f"Run “ssh bilik@{FAR_SIDE}” once" in texts, texts
        app.screenshot("97-remote-host-key-unknown")

        # The person does what it says (here: the key read as ssh would show it), then
        # Try Again: the remote computer's machines are listed under its heading.
        keys = subprocess.run(["ssh-keyscan", FAR_SIDE], capture_output=True, text=True,
                              check=True).stdout
        with open(KNOWN, "a") as f:
            f.write(keys)
        app.click(button(app, "Try Again"))
        app.find(f"{VM}, Shut off", roles=["list item"], timeout=40)
        app.find(f"bilik@{FAR_SIDE} (remote):", roles=["list item"])
        app.find("local-vm, Shut off", roles=["list item"])
        app.screenshot("98-remote-listed")

        # A user that computer does not let in with this key: the login sentence, with
        # the command that copies the key (ssh's own refusal under Details).
        add_remote(app, 22, login="bilik-nogroup")
        app.find(f"Could not log in to {FAR_SIDE} as bilik-nogroup without a password",
                 timeout=30)
        texts = " ".join(app.texts())
        assert f"ssh-copy-id bilik-nogroup@{FAR_SIDE}" in texts, texts
        app.find(f"{VM}, Shut off", roles=["list item"])
        app.screenshot("99-remote-login-refused")

        # Forget: closed, and off the connections menu (the address was in its menu).
        app.click(app.find(f"Menu of bilik-nogroup@{FAR_SIDE} (remote)",
                           roles=["toggle button"]))
        app.find(f"qemu+ssh://bilik-nogroup@{FAR_SIDE}/system?no_tty=1", roles=["label"])
        app.click(button(app, "Forget This Connection"))
        app.gone(f"bilik-nogroup@{FAR_SIDE} (remote):", roles=["list item"])
        app.click(app.find("Connections", roles=["toggle button"]))
        app.find(f"qemu+ssh://bilik@{FAR_SIDE}/system?no_tty=1")
        assert not any("bilik-nogroup" in t for t in app.texts())
        app.quit()
    finally:
        sshd.stop()
        harness.virsh("undefine", VM, check=False)
        if known_before is None:
            if os.path.exists(KNOWN):
                os.unlink(KNOWN)
        else:
            with open(KNOWN, "w") as f:
                f.write(known_before)
        if made_key:
            for p in (KEY, KEY + ".pub"):
                os.unlink(p)
        time.sleep(0.1)
