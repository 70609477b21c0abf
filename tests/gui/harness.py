"""Drive Bilik as a person would: start it under the current X display and D-Bus session
(see build-aux/gui-session), find widgets in its accessibility tree by name and role,
click them, read them back, and save screenshots."""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

BIN = os.environ.get("BILIK_BIN") or "/project/target/debug/bilik"
SHOTS = os.environ.get("BILIK_SHOTS") or "/project/target/screenshots"


class Failure(AssertionError):
    pass


def wait_for(what, fn, timeout=20.0, interval=0.1):
    """Calls fn until it returns something truthy; fails with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = fn()
            if value:
                return value
        except Exception as e:  # the tree changes under us while the app updates
            last_error = e
        time.sleep(interval)
    raise Failure(f"timed out after {timeout:.0f} s waiting for {what}"
                  + (f" (last error: {last_error})" if last_error else ""))


def role(node):
    try:
        return node.get_role_name()
    except Exception:
        return ""


def name(node):
    try:
        return node.get_name() or ""
    except Exception:
        return ""


def walk(node, depth=0, max_depth=60):
    if node is None or depth > max_depth:
        return
    yield node
    try:
        n = node.get_child_count()
    except Exception:
        return
    for i in range(n):
        try:
            child = node.get_child_at_index(i)
        except Exception:
            continue
        yield from walk(child, depth + 1, max_depth)


def showing(node):
    try:
        return node.get_state_set().contains(Atspi.StateType.SHOWING)
    except Exception:
        return False


class App:
    """A running Bilik process and its accessibility tree."""

    running = []

    def __init__(self, args=(), env=None, name_in_registry="bilik", first_run=False, home=None,
                 settings=""):
        """`home`: run as a login would, with that home folder for everything (settings,
        the user session's machines) and nothing pre-set; otherwise settings of its own
        in a scratch folder, as a returning user who has seen the setup check (unless
        `first_run`)."""
        full_env = dict(os.environ)
        # Removed when this Bilik quits (its log is read before, if the test failed).
        self.scratch = None
        if home:
            config = os.path.join(home, ".config")
            full_env.pop("XDG_CONFIG_HOME", None)
            full_env.update({"HOME": home, "GSETTINGS_BACKEND": "keyfile"})
            log_dir = tempfile.mkdtemp(prefix="bilik-gui-log-", dir="/tmp")
            os.chmod(log_dir, 0o755)
        else:
            # Settings in a keyfile, as on a desktop without dconf.
            # A new folder every time: a name made from the pid can meet a folder left by
            # an earlier run as another user, which this user may not write into.
            config = tempfile.mkdtemp(prefix="bilik-gui-config-", dir="/tmp")
            os.chmod(config, 0o755)
            self.scratch = config
            keyfile_dir = os.path.join(config, "glib-2.0", "settings")
            os.makedirs(keyfile_dir, exist_ok=True)
            with open(os.path.join(keyfile_dir, "keyfile"), "w") as f:
                f.write("" if first_run else "[io/github/bilik/Bilik]\nsetup-check-seen=true\n"
                        + settings)
            full_env.update({"XDG_CONFIG_HOME": config, "GSETTINGS_BACKEND": "keyfile"})
            log_dir = config
        # The build tree's schema and translations (build-aux/dev-env.sh compiles them).
        full_env.setdefault("GSETTINGS_SCHEMA_DIR", "/project/target/gsettings")
        full_env.setdefault("BILIK_LOCALEDIR", "/project/target/locale")
        full_env.update(env or {})
        # Bilik's own messages go to a file, shown when a test fails.
        self.log_path = f"{log_dir}/bilik.log"
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([BIN, *args], env=full_env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.started = time.monotonic()
        self.registry_name = name_in_registry
        App.running.append(self)
        self.root = wait_for("Bilik in the accessibility registry", self._find_app, timeout=30)

    def _find_app(self):
        if self.proc.poll() is not None:
            raise Failure(f"bilik exited with status {self.proc.returncode}")
        desktop = Atspi.get_desktop(0)
        for i in range(desktop.get_child_count()):
            app = desktop.get_child_at_index(i)
            if app is not None and name(app) == self.registry_name:
                return app
        return None

    def window(self, title="Bilik"):
        return wait_for(f"window “{title}”", lambda: next(
            (c for c in walk(self.root, max_depth=1) if role(c) == "frame" and name(c) == title),
            None))

    def find(self, name_part, roles=None, exact=False, timeout=20.0, visible=True,
             clickable=False):
        """The first node whose accessible name matches (and role, if given). `clickable`
        skips nodes without actions (an AdwSwitchRow and its switch share a name)."""
        def look():
            for n in walk(self.root):
                nm = name(n)
                if (nm == name_part) if exact else (name_part in nm):
                    if roles and role(n) not in roles:
                        continue
                    if visible and not showing(n):
                        continue
                    if clickable:
                        a = n.get_action_iface()
                        if a is None or a.get_n_actions() == 0:
                            continue
                    return n
            return None
        return wait_for(f"{'/'.join(roles or ['widget'])} named “{name_part}”", look, timeout)

    def find_all(self, roles, visible=True):
        return [n for n in walk(self.root) if role(n) in roles and (not visible or showing(n))]

    def gone(self, name_part, roles=None, timeout=20.0):
        def absent():
            for n in walk(self.root):
                if name_part in name(n) and (not roles or role(n) in roles) and showing(n):
                    return False
            return True
        wait_for(f"“{name_part}” to disappear", absent, timeout)

    def texts(self):
        """Every visible label text, for asserting what the screen says."""
        out = []
        for n in walk(self.root):
            if role(n) in ("label", "heading", "text", "static") and showing(n):
                nm = name(n)
                if nm:
                    out.append(nm)
                try:
                    t = Atspi.Text.get_text(n, 0, -1)
                    if t and t != nm:
                        out.append(t)
                except Exception:
                    pass
        return out

    def click(self, node):
        """Activates a button-like node through its action interface."""
        action = node.get_action_iface()
        if action is None or action.get_n_actions() == 0:
            raise Failure(f"“{name(node)}” ({role(node)}) has no action to click")
        # A button found while its page is still being prepared may not take clicks yet
        # (an insensitive button ignores the action, and the test would wait in vain).
        wait_for(f"“{name(node)}” to take clicks", lambda: node.get_state_set().contains(
            Atspi.StateType.SENSITIVE), timeout=10)
        for i in range(action.get_n_actions()):
            if action.get_action_name(i) in ("click", "activate", "press", "toggle"):
                action.do_action(i)
                return
        action.do_action(0)

    def click_at(self, node):
        """Clicks the middle of a widget with the pointer (xdotool), for widgets whose
        accessible object offers no action (GTK 4.18's check and radio buttons)."""
        # GTK 4 knows positions only within its window: add the window's own position.
        ext = node.get_component_iface().get_extents(Atspi.CoordType.WINDOW)
        win = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^Bilik$",
                              "getwindowgeometry", "--shell"], capture_output=True, text=True,
                             timeout=10).stdout
        geo = dict(line.split("=", 1) for line in win.split() if "=" in line)
        x = int(geo.get("X", 0)) + ext.x + ext.width // 2
        y = int(geo.get("Y", 0)) + ext.y + ext.height // 2
        subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], check=True,
                       timeout=10)

    # The main menu's items in order (its sections flattened).
    MAIN_MENU = ["Storage", "Networks", "Preferences", "Setup Check", "Keyboard Shortcuts", "About Bilik"]

    def menu_item(self, label):
        """Opens the main menu and activates the item `label`. GTK 4.18 exposes GMenu items
        without names (their labels are not linked), so the item is taken by its position;
        what opens proves it was the right one."""
        self.click(self.find("Main Menu", roles=["toggle button"]))
        items = wait_for("the main menu's items", lambda: self.find_all(["menu item"]))
        self.click(items[App.MAIN_MENU.index(label)])

    def select(self, node):
        """Selects a list row (as a click on it does)."""
        parent = node.get_parent()
        sel = parent.get_selection_iface() if parent else None
        if sel is None:
            raise Failure(f"the parent of “{name(node)}” cannot select")
        sel.select_child(node.get_index_in_parent())

    def wheel(self, clicks, x=650, y=400):
        """Turns the mouse wheel over a point of the window (down for clicks > 0), as a
        person scrolls to what a screenshot should show."""
        win = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^Bilik$",
                              "getwindowgeometry", "--shell"], capture_output=True, text=True,
                             timeout=10).stdout
        geo = dict(line.split("=", 1) for line in win.split() if "=" in line)
        button = "5" if clicks > 0 else "4"
        subprocess.run(["xdotool", "mousemove", str(int(geo.get("X", 0)) + x),
                        str(int(geo.get("Y", 0)) + y), "click", "--repeat", str(abs(clicks)),
                        "--delay", "30", button], check=True, timeout=10)
        time.sleep(0.5)

    def screenshot(self, label):
        os.makedirs(os.path.dirname(SHOTS) if SHOTS.endswith(".png") else SHOTS, exist_ok=True)
        path = SHOTS if SHOTS.endswith(".png") else os.path.join(SHOTS, f"{label}.png")
        time.sleep(0.4)  # let the last frame render
        subprocess.run(["import", "-window", "root", path], check=True)
        return path

    def quit(self):
        if self in App.running:
            App.running.remove(self)
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)


def dump(node, depth=0, out=None, max_depth=40):
    """The visible tree as indented 'role “name”' lines (printed when a test fails)."""
    out = [] if out is None else out
    if node is None or depth > max_depth:
        return out
    if depth == 0 or showing(node):
        out.append("  " * depth + f"{role(node)} “{name(node)}”")
        try:
            for i in range(node.get_child_count()):
                dump(node.get_child_at_index(i), depth + 1, out, max_depth)
        except Exception:
            pass
    return out


def node_file(domains, path="/tmp/bilik-gui-node.xml"):
    """A test:/// node file: domains is a list of (name, running)."""
    ns = "http://libvirt.org/schemas/domain/test/1.0"
    parts = ["<node>",
             "<pool type='dir'><name>pool</name><uuid>35bb2ad9-388a-cdfe-461a-b8907f6e53fe</uuid>"
             "<capacity>107374182400</capacity><allocation>0</allocation>"
             "<available>107374182400</available><target><path>/pool</path></target>"]
    for n, _ in domains:
        parts.append(f"<volume type='file'><name>{n}.qcow2</name><key>/pool/{n}.qcow2</key>"
                     "<capacity>1073741824</capacity><allocation>0</allocation>"
                     f"<target><path>/pool/{n}.qcow2</path></target></volume>")
    parts.append("</pool>")
    for i, (n, running) in enumerate(domains):
        state = "" if running else "<test:runstate>5</test:runstate>"
        parts.append(
            f"<domain type='test' xmlns:test='{ns}'><name>{n}</name>"
            f"<uuid>6695eb01-f6a4-8304-79aa-{i:012x}</uuid><memory>1048576</memory><vcpu>1</vcpu>"
            "<os><type>hvm</type></os><devices><disk type='file' device='disk'>"
            f"<source file='/pool/{n}.qcow2'/><target dev='vda'/></disk></devices>{state}</domain>")
    parts.append("</node>")
    with open(path, "w") as f:
        f.write("\n".join(parts))
    os.chmod(path, 0o644)
    return "test://" + path


def viewer_pids():
    """Process ids of the virt-viewer consoles Bilik started."""
    r = subprocess.run(["pgrep", "-f", "^virt-viewer --connect"], capture_output=True, text=True)
    return [int(p) for p in r.stdout.split()]


def session_virsh(home, runtime, *args, check=True):
    """virsh on the user session of a login whose home and runtime folder are these."""
    env = dict(os.environ, HOME=home, XDG_RUNTIME_DIR=runtime)
    env.pop("XDG_CONFIG_HOME", None)
    r = subprocess.run(["virsh", "-c", "qemu:///session", *args], capture_output=True,
                       text=True, env=env)
    if check and r.returncode != 0:
        raise Failure(f"virsh {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout.strip()


def stop_session_service(runtime):
    """The session service started for that runtime folder (found by its environment)."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = f.read()
            with open(f"/proc/{pid}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if comm == "libvirtd" and f"XDG_RUNTIME_DIR={runtime}".encode() in env:
            os.kill(int(pid), 15)


def returning_login(home):
    """Settings of a returning user (setup check seen) in that home, nothing else set."""
    keyfile = os.path.join(home, ".config", "glib-2.0", "settings")
    os.makedirs(keyfile, exist_ok=True)
    with open(os.path.join(keyfile, "keyfile"), "w") as f:
        f.write("[io/github/bilik/Bilik]\nsetup-check-seen=true\n")


def system_daemon(action):
    """Kills ("kill") or starts ("start") the system libvirtd: directly as root, else
    through build-aux/gui-session's pipe (the test user may not signal root's daemon)."""
    if os.geteuid() == 0:
        subprocess.run(["/project/build-aux/libvirtd-ctl", action], check=True)
        return
    ctl = os.environ["BILIK_DAEMON_CTL"]
    done = ctl + ".done"
    before = len(open(done).read().splitlines())
    with open(ctl, "w") as f:
        f.write(action + "\n")
    lines = wait_for(f"libvirtd-ctl {action}", lambda: (
        lambda ls: ls if len(ls) > before else None)(open(done).read().splitlines()),
        timeout=60)
    if lines[-1] != f"{action} 0":
        raise Failure(f"libvirtd-ctl {action}: {lines[-1]}")


def virsh(*args, check=True):
    r = subprocess.run(["virsh", "-c", "qemu:///system", *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise Failure(f"virsh {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout.strip()


def ensure_default_pool():
    """The system daemon's usual "default" pool (a fresh root has none until something
    creates it)."""
    if virsh("pool-info", "default", check=False) == "":
        virsh("pool-define-as", "default", "dir", "--target", "/var/lib/libvirt/images")
        virsh("pool-build", "default")
        virsh("pool-autostart", "default")
    if "running" not in virsh("pool-info", "default"):
        virsh("pool-start", "default")


def console_window(name):
    """The X window of Bilik's console of machine `name`, if it is shown."""
    out = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", f"{name} — Console"],
                         capture_output=True, text=True).stdout.split()
    return out[0] if out else None


def define_domain(name, xml):
    """Defines machine `name` from `xml` on qemu:///system, in place of any left over."""
    path = f"/tmp/{name}.xml"
    with open(path, "w") as f:
        f.write(xml)
    virsh("destroy", name, check=False)
    virsh("undefine", name, check=False)
    virsh("define", path)


def define_tiny_vm(name):
    """A KVM machine with no OS (SeaBIOS screen) and SPICE, on qemu:///system."""
    define_domain(name, (
        f"<domain type='kvm'><name>{name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
        "<os><type arch='x86_64'>hvm</type></os><features><acpi/></features><devices>"
        "<graphics type='spice'><listen type='none'/></graphics>"
        "<video><model type='virtio'/></video></devices></domain>"))


def button(app, label):
    """A push button by its exact name."""
    return app.find(label, roles=["button", "push button"], exact=True)


def tab(app, label):
    """Switches the machine's details to the tab `label`."""
    node = app.find(label, roles=["page tab"], exact=True)
    action = node.get_action_iface()
    if action is not None and action.get_n_actions() > 0:
        app.click(node)
    else:
        app.click_at(node)


def ocr(win, node, label):
    """The text on `node` (e.g. a machine's screen) of X window `win`, read by tesseract
    from a screenshot (kept as `label`), light text on dark made dark on light."""
    path = f"{SHOTS}/{label}.png"
    subprocess.run(["import", "-window", win, path], check=True)
    e = node.get_component_iface().get_extents(Atspi.CoordType.WINDOW)
    crop = f"/tmp/bilik-ocr-{os.getpid()}.png"
    subprocess.run(["convert", path, "-crop", f"{e.width}x{e.height}+{e.x}+{e.y}", "+repage",
                    "-bordercolor", "black", "-border", "20", "-negate", "-resize", "200%", crop], check=True)
    return subprocess.run(["tesseract", crop, "-"], capture_output=True, text=True,
                          check=True).stdout


def make_iso(folder, name, volume_id, publisher=None, boot=bytes(2048)):
    """A small bootable disc image with the given volume id (what libosinfo recognises
    discs by; it looks only at discs that can start a computer, hence the El Torito boot
    record, `boot`: blank unless given). A new file each time: libvirt may have handed a
    previous one to its qemu user."""
    content = os.path.join(folder, name + "-content")
    os.makedirs(content, exist_ok=True)
    with open(os.path.join(content, "README.TXT"), "w") as f:
        f.write("test disc\n")
    with open(os.path.join(content, "boot.bin"), "wb") as f:
        f.write(boot)
    path = os.path.join(folder, name)
    if os.path.exists(path):
        os.unlink(path)
    extra = ["-publisher", publisher] if publisher else []
    subprocess.run(["xorriso", "-as", "mkisofs", "-quiet", "-V", volume_id, "-sysid", "LINUX",
                    *extra, "-b", "boot.bin", "-no-emul-boot", "-boot-load-size", "4",
                    "-o", path, content], check=True, capture_output=True)
    return path
