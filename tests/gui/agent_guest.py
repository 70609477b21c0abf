"""A small guest with the SPICE agent, for the console's copy-and-paste test: Debian's kernel
(the dev root's linux-image), a start-up of a few lines (static busybox) that mounts the dev
root itself read-only over 9p, and there an X server (Xvfb), spice-vdagentd and
spice-vdagent — the agent of a desktop guest, without the desktop. The guest copies a text
once its agent runs (and an image once this computer's text arrived), then writes what its
clipboard holds (text, and a PNG's size), and which files were sent to it
(the agent saves them in /tmp), to its serial port every two seconds (read here through
`virsh console`)."""

import glob
import lzma
import os
import pty
import stat
import subprocess
import threading

KERNEL = sorted(glob.glob("/boot/vmlinuz-*"))[-1]
RELEASE = KERNEL.split("vmlinuz-", 1)[1]
MODULES = ["fs/netfs/netfs", "net/9p/9pnet", "net/9p/9pnet_virtio", "fs/9p/9p"]

# PID 1, in the initramfs.
INIT = """#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in netfs 9pnet 9pnet_virtio 9p; do insmod /lib/$m.ko; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000 devroot /root
mount --bind /proc /root/proc
mount --bind /sys /root/sys
mount --bind /dev /root/dev
mount -t tmpfs run /root/run
mount -t tmpfs tmp /root/tmp
# What udev does on a real system: the agent's port by its name.
mkdir -p /dev/virtio-ports
for p in /sys/class/virtio-ports/*; do
    ln -s /dev/${p##*/} /dev/virtio-ports/$(cat $p/name)
done
cp /session.sh /root/tmp/session.sh
exec chroot /root /bin/sh /tmp/session.sh
"""

# In the dev root (as the guest's root).
SESSION = """#!/bin/sh
export HOME=/tmp XDG_RUNTIME_DIR=/tmp DISPLAY=:5
say() { echo "bilik-guest: $*" > /dev/ttyS0; }
Xvfb :5 -screen 0 1024x768x24 -nolisten tcp > /tmp/xvfb.log 2>&1 &
until xdpyinfo > /dev/null 2>&1; do sleep 1; done
sleep 2
mkdir -p /run/spice-vdagentd
# No input device needed (the tablet moves the pointer): the agent's is a plain file.
: > /tmp/uinput
spice-vdagentd -d -x -X -f -u /tmp/uinput > /tmp/vdagentd.log 2>&1 &
sleep 2
spice-vdagent -d -x -f /tmp > /tmp/vdagent.log 2>&1 &
# The first copy waits until the agent talks to its daemon and a client (the console) is
# connected: after a fixed 5 s a slow TCG guest on a busy host had not yet been watching
# the clipboard, and its one copy never crossed (seen once in a full test run).
n=0
until grep -q "received version" /tmp/vdagent.log &&
      grep -q "New client connected" /tmp/vdagentd.log || [ $n -ge 60 ]; do
    sleep 1
    n=$((n + 1))
done
sleep 2
say "agent started"
cat /tmp/vdagentd.log /tmp/vdagent.log > /dev/ttyS0
printf %s "copied-in-the-guest" | xclip -selection clipboard
while :; do
    sleep 2
    text=$(timeout 10 xclip -o -selection clipboard 2>/dev/null)
    say "clipboard: $text"
    # Once this computer's text arrived: an image copied in the guest.
    if [ "$text" = "copied-on-this-computer" ] && [ ! -e /tmp/image-copied ]; then
        : > /tmp/image-copied
        xclip -selection clipboard -t image/png -i /usr/share/gitweb/static/git-logo.png
    fi
    # The size of a PNG on the clipboard (its IHDR's width and height, in hex).
    say "png: $(timeout 10 xclip -o -selection clipboard -t image/png 2>/dev/null |
        head -c 24 | tail -c 8 | od -An -tx1 | tr -d ' \\n')"
    say "files: $(cd /tmp && ls bilik-sent-* 2>/dev/null | tr '\\n' ' ')"
    say "screen: $(xdpyinfo | grep dimensions)"
done
"""


def _newc(entries):
    """A cpio archive (newc) of (path, mode, data)."""
    out = bytearray()
    for ino, (path, mode, data) in enumerate(entries + [("TRAILER!!!", 0, b"")], 1):
        name = path.encode() + b"\0"
        header = "070701" + "".join(f"{v:08X}" for v in (
            ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name), 0))
        out += header.encode() + name
        out += b"\0" * (-len(out) % 4)
        out += data
        out += b"\0" * (-len(out) % 4)
    return bytes(out)


def initramfs(path):
    """Writes the guest's initramfs to `path`."""
    d, f = stat.S_IFDIR | 0o755, stat.S_IFREG | 0o755
    entries = [(p, d, b"") for p in ("bin", "dev", "proc", "sys", "root", "lib")]
    with open("/bin/busybox", "rb") as b:
        entries.append(("bin/busybox", f, b.read()))
    entries.append(("init", f, INIT.encode()))
    entries.append(("session.sh", f, SESSION.encode()))
    for m in MODULES:
        with lzma.open(f"/lib/modules/{RELEASE}/kernel/{m}.ko.xz") as k:
            entries.append((f"lib/{os.path.basename(m)}.ko", stat.S_IFREG | 0o644, k.read()))
    with open(path, "wb") as out:
        out.write(_newc(entries))
    os.chmod(path, 0o644)


def domain_xml(name, initrd, copypaste=True):
    clipboard = "" if copypaste else "<clipboard copypaste='no'/>"
    return (f"<domain type='qemu'><name>{name}</name><memory unit='MiB'>512</memory>"
            "<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type>"
            f"<kernel>{KERNEL}</kernel><initrd>{initrd}</initrd>"
            "<cmdline>console=ttyS0 panic=-1 quiet</cmdline></os>"
            "<features><acpi/></features><devices>"
            "<filesystem type='mount' accessmode='passthrough'><source dir='/'/>"
            "<target dir='devroot'/><readonly/></filesystem>"
            "<serial type='pty'><target port='0'/></serial>"
            "<channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/>"
            f"</channel><graphics type='spice'><listen type='none'/>{clipboard}</graphics>"
            "<input type='tablet' bus='usb'/><video><model type='vga'/></video>"
            "</devices></domain>")


class Serial:
    """What the guest writes to its serial port, read through `virsh console` (libvirt's
    stream: the port is root's, the test is not)."""

    def __init__(self, name):
        self.text = ""
        master, slave = pty.openpty()
        self.proc = subprocess.Popen(["virsh", "-c", "qemu:///system", "console", "--force",
                                      name], stdin=slave, stdout=slave, stderr=slave)
        os.close(slave)
        self.master = master
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            if not data:
                return
            self.text += data.decode(errors="replace")

    def close(self):
        self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        finally:
            os.close(self.master)
