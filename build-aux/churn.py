"""Machines that keep changing state, for build-aux/soak and the benchmark's event storm.

`Churn(prefix, count)` owns `count` tiny diskless KVM machines named `<prefix>NNN` on
qemu:///system. `start()` runs threads that each take a machine and move it one step —
define, start, pause, resume, destroy, undefine — as fast as libvirt answers, reading the
machine's real state before each step (so a daemon killed mid-step is no problem: the
threads reconnect and go on). `pause()` waits until no step is under way; `cleanup()`
removes every machine of the prefix.
"""

import random
import threading
import time

import libvirt

URI = "qemu:///system"
XML = ("<domain type='kvm'><name>{name}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>"
       "<os><type arch='x86_64'>hvm</type></os><devices><memballoon model='none'/>"
       "</devices></domain>")

# libvirt's error handler prints every failed call to stderr; while the daemon is killed
# on purpose that is hundreds of lines of expected failures.
libvirt.registerErrorHandler(lambda _ctx, _err: None, None)


def names(prefix, count):
    return [f"{prefix}{i:03}" for i in range(count)]


class Churn:
    def __init__(self, prefix, count, threads=4):
        self.names = names(prefix, count)
        self.prefix = prefix
        self.threads = threads
        self.running = threading.Event()  # set: steps may be taken
        self.stop = threading.Event()
        self.idle = [threading.Event() for _ in range(threads)]
        self.steps = 0
        self.failed = 0
        self.lock = threading.Lock()
        self.workers = []

    def start(self):
        self.running.set()
        if not self.workers:
            for i in range(self.threads):
                t = threading.Thread(target=self._work, args=(i,), daemon=True)
                t.start()
                self.workers.append(t)

    def pause(self, timeout=120):
        """Stops taking steps; returns when the steps under way have ended."""
        self.running.clear()
        for e in self.idle:
            e.wait(timeout)

    def resume(self):
        self.running.set()

    def end(self):
        self.stop.set()
        self.running.set()
        for t in self.workers:
            t.join(30)

    def _work(self, i):
        mine = self.names[i::self.threads]
        conn = None
        while not self.stop.is_set():
            if not self.running.is_set():
                self.idle[i].set()
                self.running.wait()
                continue
            self.idle[i].clear()
            if not self.running.is_set():
                continue
            try:
                if conn is None:
                    try:
                        conn = libvirt.open(URI)
                    except libvirt.libvirtError:
                        # The daemon is down: try again soon, without counting it.
                        time.sleep(0.1)
                        continue
                self._step(conn, random.choice(mine))
                with self.lock:
                    self.steps += 1
            except libvirt.libvirtError:
                # The daemon was killed (or the machine changed under us): count it, and
                # reconnect if the connection is gone.
                with self.lock:
                    self.failed += 1
                if conn is not None:
                    try:
                        if not conn.isAlive():
                            raise libvirt.libvirtError("dead")
                    except libvirt.libvirtError:
                        try:
                            conn.close()
                        except libvirt.libvirtError:
                            pass
                        conn = None
                        time.sleep(0.2)
        self.idle[i].set()

    @staticmethod
    def _step(conn, name):
        try:
            dom = conn.lookupByName(name)
        except libvirt.libvirtError as e:
            if e.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN:
                conn.defineXML(XML.format(name=name))
                return
            raise
        state = dom.state()[0]
        pick = random.random()
        if state == libvirt.VIR_DOMAIN_SHUTOFF:
            if pick < 0.75:
                dom.create()
            else:
                dom.undefine()
        elif state == libvirt.VIR_DOMAIN_RUNNING:
            if pick < 0.6:
                dom.suspend()
            else:
                dom.destroy()
        elif state == libvirt.VIR_DOMAIN_PAUSED:
            if pick < 0.6:
                dom.resume()
            else:
                dom.destroy()
        else:
            dom.destroy()


def libvirt_list(prefix=None):
    """What libvirt says (as `virsh list --all`): sorted (name, state) pairs, the states
    in Bilik's words."""
    words = {
        libvirt.VIR_DOMAIN_NOSTATE: "NoState",
        libvirt.VIR_DOMAIN_RUNNING: "Running",
        libvirt.VIR_DOMAIN_BLOCKED: "Blocked",
        libvirt.VIR_DOMAIN_PAUSED: "Paused",
        libvirt.VIR_DOMAIN_SHUTDOWN: "ShuttingDown",
        libvirt.VIR_DOMAIN_SHUTOFF: "ShutOff",
        libvirt.VIR_DOMAIN_CRASHED: "Crashed",
        libvirt.VIR_DOMAIN_PMSUSPENDED: "Suspended",
    }
    conn = libvirt.open(URI)
    try:
        out = []
        for dom in conn.listAllDomains():
            name = dom.name()
            if prefix is None or name.startswith(prefix):
                out.append((name, words.get(dom.state()[0], "NoState")))
        return sorted(out)
    finally:
        conn.close()


def cleanup(prefix):
    """Removes the machines named `prefix`…; returns how many could not be removed."""
    conn = libvirt.open(URI)
    failed = 0
    try:
        for dom in conn.listAllDomains():
            if dom.name().startswith(prefix):
                try:
                    if dom.isActive():
                        dom.destroy()
                    dom.undefine()
                except libvirt.libvirtError as e:
                    failed += 1
                    print(f"churn: could not remove {dom.name()}: {e}")
    finally:
        try:
            conn.close()
        except libvirt.libvirtError:
            pass  # the daemon went away during the cleanup: the connection is gone anyway
    return failed


def shown_list(path):
    """(connection up?, sorted (name, state) rows) as Bilik shows them (written by Bilik
    under BILIK_LIST_FILE), or None before the first list."""
    try:
        lines = open(path).read().splitlines()
    except FileNotFoundError:
        return None
    if not lines:
        return None
    up = lines[0] == "connection up"
    rows = sorted(tuple(line.split("\t", 1)) for line in lines[1:] if "\t" in line)
    return up, rows


def shown_heap(path):
    """Bilik's heap when it last wrote its list: (bytes in use, bytes held), or None."""
    try:
        for line in open(path).read().splitlines()[1:2]:
            if line.startswith("heap "):
                kv = dict(x.split("=") for x in line.split()[1:])
                return int(kv["in-use"]), int(kv["held"])
    except (FileNotFoundError, ValueError, KeyError):
        pass
    return None


def difference(shown, truth):
    """What differs between Bilik's rows and libvirt's, in a line."""
    shown_names = [n for n, _ in shown]
    truth_state = dict(truth)
    dup = sorted({n for n in shown_names if shown_names.count(n) > 1})
    ghost = sorted(set(shown_names) - set(truth_state))
    missing = sorted(set(truth_state) - set(shown_names))
    states = sorted(f"{n}: Bilik {s}, libvirt {truth_state[n]}"
                    for n, s in shown if n in truth_state and truth_state[n] != s)
    return (f"duplicates {dup[:5]} ghosts {ghost[:5]} missing {missing[:5]} "
            f"other state {states[:5]}")


def wait_equal(path, limit):
    """(seconds until Bilik's list equals libvirt's, None) or (None, what differs) after
    `limit` seconds."""
    t0 = time.monotonic()
    why = "no list written"
    while time.monotonic() - t0 < limit:
        shown = shown_list(path)
        try:
            truth = libvirt_list()
        except libvirt.libvirtError:
            truth = None
        if shown is not None and truth is not None:
            up, rows = shown
            if up and rows == truth:
                return time.monotonic() - t0, None
            why = "connection down" if not up else difference(rows, truth)
        time.sleep(0.1)
    return None, why
