"""Driver of build-aux/bench-console (runs inside build-aux/gui-session)."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "gui"))
import harness  # noqa: E402  (the GUI tests' driver: AT-SPI, Bilik's settings)
from harness import App, button, virsh, wait_for  # noqa: E402
from procfigures import cpu_percent  # noqa: E402

SECONDS = float(os.environ.get("BENCH_CONSOLE_SECONDS", "20"))
VM = "bilik-bench-console"
DISK = f"/tmp/{VM}.img"

# A boot sector (16-bit x86): cld; sti; es = 0xB800 (text screen); bx = 'A' white on
# blue; loop: fill the 80×25 screen with bx, bx += 1, hlt (until the next timer tick,
# 18.2 Hz); jmp loop. The whole screen changes at every tick, and the machine idles between.
CODE = bytes([0xFC, 0xFB, 0xB8, 0x00, 0xB8, 0x8E, 0xC0, 0xBB, 0x41, 0x1F,
              0x31, 0xFF, 0x89, 0xD8, 0xB9, 0xD0, 0x07, 0xF3, 0xAB, 0x43, 0xF4, 0xEB, 0xF3])


def define():
    with open(DISK, "wb") as f:
        f.write(CODE.ljust(510, b"\0") + b"\x55\xaa")
        f.truncate(1 << 20)
    xml = (f"<domain type='kvm'><name>{VM}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>"
           "<os><type arch='x86_64'>hvm</type><boot dev='hd'/></os><devices>"
           f"<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
           f"<source file='{DISK}'/><target dev='hda' bus='ide'/></disk>"
           "<graphics type='spice'><listen type='none'/></graphics>"
           "<input type='tablet' bus='usb'/><video><model type='vga'/></video>"
           "</devices></domain>")
    harness.define_domain(VM, xml)


def x_server():
    """The X server's process: it draws what a viewer sends (its work counts too)."""
    return int(subprocess.run(["pgrep", "-n", "Xvfb"], capture_output=True, text=True,
                              check=True).stdout.split()[0])


def frames(log_path, after):
    """Screen pictures per second from Bilik's reports after byte `after` of its log."""
    n, s = 0, 0.0
    with open(log_path) as f:
        f.seek(after)
        for line in f:
            if line.startswith("bilik-bench: console-frames"):
                kv = dict(x.split("=") for x in line.split()[2:])
                n += int(kv["n"])
                s += float(kv["seconds"])
    return n / s if s else float("nan")


def main():
    define()
    virsh("start", VM)
    try:
        app = App(["--connect", "qemu:///system"], env={"BILIK_BENCH": "1"})
        app.select(app.find(f"{VM}, Running", roles=["list item"]))
        app.click(button(app, "Open Console"))
        # Warmed up once the first report is in.
        wait_for("Bilik's first frame report",
                 lambda: "console-frames" in open(app.log_path).read(), timeout=30)
        start = os.path.getsize(app.log_path)
        bilik_cpu, bilik_x = cpu_percent([app.proc.pid, x_server()], SECONDS)
        time.sleep(5.5)  # the report covering the end of the measurement
        fps = frames(app.log_path, start)
        app.quit()
        viewer = subprocess.Popen(["virt-viewer", "--connect", "qemu:///system", "--attach",
                                   VM], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # The same window size as Bilik's console window (1024×800), so both scale the
        # machine's 720×400 screen alike.
        win = wait_for("virt-viewer's window", lambda: subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", VM], capture_output=True,
            text=True).stdout.split(), timeout=30)[0]
        subprocess.run(["xdotool", "windowsize", "--sync", win, "1024", "800"], check=True)
        time.sleep(5)
        viewer_cpu, viewer_x = cpu_percent([viewer.pid, x_server()], SECONDS)
        viewer.terminate()
        viewer.wait(timeout=10)
    finally:
        virsh("destroy", VM, check=False)
        virsh("undefine", VM, check=False)
        os.unlink(DISK)
    print(f"A machine's text screen (720×400) rewritten whole 18.2 times a second (KVM, VGA, "
          f"SPICE through libvirt's sockets), shown in a 1024×800 window by each viewer; "
          f"{SECONDS:.0f} s each, one after the other.")
    print("| viewer | screen pictures shown per second | viewer's CPU | X server's CPU "
          "| together |")
    print("|---|---|---|---|---|")
    print(f"| Bilik's console (GTK 4, {os.environ.get('GSK_RENDERER', 'GTK renderer of choice')})"
          f" | {fps:.1f} | {bilik_cpu:.1f} % | {bilik_x:.1f} % | {bilik_cpu + bilik_x:.1f} % |")
    print(f"| virt-viewer (GTK 3, spice-gtk) | not counted (no counter outside it) "
          f"| {viewer_cpu:.1f} % | {viewer_x:.1f} % | {viewer_cpu + viewer_x:.1f} % |")
    print("CPU in % of one core.")


main()
harness.App.running.clear()
