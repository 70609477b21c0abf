"""The benchmark's rows on the real system daemon (used by bench.py): 1000 defined machines,
50 of them running (paused right after start, so the host stays usable), with Bilik beside
`virsh list --all` and virt-manager measured the same way in the same run; then an event
storm (200 machines changing state as fast as libvirt answers) while each shows the list.

virt-manager is measured from outside, as a person would see it: the time until its
machine table (read through the accessibility tree) has a row for every machine, its peak
RSS and idle CPU from /proc, and its main-loop stalls with the same 5 ms GLib timer Bilik
uses under BILIK_BENCH, added by a small wrapper before virt-manager's own code starts.
"""

import os
import signal
import statistics
import subprocess
import threading
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

import churn  # noqa: E402
from procfigures import cpu_percent, peak_rss_mb  # noqa: E402

URI = churn.URI
SCALE = "scale-"
STORM = "storm-"

VMM_WRAPPER = r'''
import signal, sys, time
from gi.repository import GLib
last, on = [(time.monotonic(), time.thread_time())], [True]
def tick():
    now, cpu = time.monotonic(), time.thread_time()
    (then, cpu_then), last[0] = last[0], (now, cpu)
    if now - then >= 0.02:
        print(f"vmm-bench: stall at={now:.3f} ms={(now - then) * 1000:.1f} "
              f"cpu-ms={(cpu - cpu_then) * 1000:.1f}", flush=True)
    return on[0]
def quiet():
    on[0] = False
    return True
GLib.timeout_add(5, tick)
GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGUSR1, quiet)
sys.path.insert(0, "/usr/share/virt-manager")
from virtManager import virtmanager
sys.argv = ["virt-manager"] + sys.argv[1:]
virtmanager.runcli()
'''


def define_scale(n, running):
    """`n` tiny machines, the first `running` of them started paused."""
    conn = churn.libvirt.open(URI)
    try:
        for i in range(n):
            dom = conn.defineXML(churn.XML.format(name=f"{SCALE}{i:04}"))
            if i < running:
                dom.createWithFlags(churn.libvirt.VIR_DOMAIN_START_PAUSED)
    finally:
        conn.close()


def total_machines():
    return len(churn.libvirt_list())


class Stalls:
    """Reads a viewer's stdout on a thread: its stall lines, and the first line that
    matches `wanted` (with the moment it came)."""

    def __init__(self, stream, prefix, wanted=None):
        self.stalls = []
        self.prefix = prefix
        self.wanted = wanted
        self.found = None
        self.arrived = threading.Event()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            if line.startswith(f"{self.prefix} stall "):
                kv = dict(x.split("=") for x in line.split()[2:])
                self.stalls.append((float(kv["at"]), float(kv["ms"]),
                                    float(kv.get("cpu-ms", "nan"))))
            elif self.wanted and line.startswith(self.wanted) and self.found is None:
                self.found = (time.monotonic(), line)
                self.arrived.set()

    def longest(self, since, until):
        inside = [ms for at, ms, _ in self.stalls if since <= at <= until + 0.5]
        return max(inside, default=0.0)

    def longest_said(self, since, until):
        """The longest stall in words, with the main thread's CPU time in it when known."""
        inside = [(ms, cpu) for at, ms, cpu in self.stalls if since <= at <= until + 0.5]
        if not inside:
            return "none over 20 ms"
        ms, cpu = max(inside)
        if cpu != cpu:  # not measured
            return f"{ms:.0f} ms"
        return f"{ms:.0f} ms (main thread on a core {cpu:.0f} ms of it)"


def find_table(app):
    """virt-manager's machine table (a tree table) in its accessibility tree."""
    stack = [app]
    while stack:
        node = stack.pop()
        try:
            role = node.get_role()
            if role in (Atspi.Role.TREE_TABLE, Atspi.Role.TABLE):
                return node
            stack.extend(node.get_child_at_index(i) for i in range(node.get_child_count()))
        except gi.repository.GLib.Error:
            continue
    return None


def vmm_rows(state):
    """Rows of virt-manager's table (the connection's row and one per machine), or 0."""
    if state.get("table") is None:
        desktop = Atspi.get_desktop(0)
        for i in range(desktop.get_child_count()):
            app = desktop.get_child_at_index(i)
            if app is not None and app.get_name() == "virt-manager":
                state["table"] = find_table(app)
        if state.get("table") is None:
            return 0
    try:
        return state["table"].get_table_iface().get_n_rows()
    except gi.repository.GLib.Error:
        state["table"] = None
        return 0


def vmm_env():
    env = dict(os.environ)
    # virt-manager's own settings schema is in the system's directory, not Bilik's.
    env.pop("GSETTINGS_SCHEMA_DIR", None)
    return env


def launch_vmm(expect_rows, stall_timer_stays=False):
    """Starts virt-manager; returns (process, seconds to a full table, stall reader)."""
    t0 = time.monotonic()
    p = subprocess.Popen(["python3", "-c", VMM_WRAPPER, "--no-fork", "-c", URI],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         env=vmm_env())
    reader = Stalls(p.stdout, "vmm-bench:")
    state = {}
    while time.monotonic() - t0 < 300:
        if vmm_rows(state) >= expect_rows:
            shown = time.monotonic() - t0
            if not stall_timer_stays:
                p.send_signal(signal.SIGUSR1)
            reader.shown_at = t0 + shown
            reader.t0 = t0
            return p, shown, reader
        time.sleep(0.05)
    p.kill()
    raise SystemExit("virt-manager's table never showed every machine")


def idle_and_rss(pid, idle):
    time.sleep(2)  # let the first statistics rounds settle
    return cpu_percent([pid], idle)[0], peak_rss_mb(pid)


def virt_manager(expect, runs, idle):
    """Median seconds to a full table, peak RSS, idle CPU, longest stall until shown."""
    times, stalls = [], []
    for i in range(runs):
        p, shown, reader = launch_vmm(expect + 1)
        times.append(shown)
        stalls.append(reader.longest(reader.t0, reader.shown_at))
        if i < runs - 1:
            p.terminate()
            p.wait(timeout=20)
    idle_cpu, rss = idle_and_rss(p.pid, idle)
    p.terminate()
    p.wait(timeout=20)
    return statistics.median(times), rss, idle_cpu, max(stalls)


def storm_bilik(bin_, env, seconds, list_file):
    """Bilik shows the list while 200 machines change state: (steps, longest stall, what
    became of its list)."""
    env = dict(env, BILIK_BENCH="1", BILIK_BENCH_STALLS="1", BILIK_LIST_FILE=list_file)
    p = subprocess.Popen([bin_, "--connect", URI], stdout=subprocess.PIPE, text=True, env=env)
    reader = Stalls(p.stdout, "bilik-bench:", wanted="bilik-bench: list-shown")
    if not reader.arrived.wait(120):
        p.kill()
        raise SystemExit("Bilik did not show the list before the storm")
    steps, t0, _ = run_storm(seconds)
    took, why = churn.wait_equal(list_file, 60)
    # From the storm's start until the list settled: catching up counts too.
    longest = reader.longest_said(t0, time.monotonic())
    p.terminate()
    p.wait(timeout=20)
    churn.cleanup(STORM)
    ending = f"equal to libvirt's {took:.1f} s after" if took is not None else f"not equal: {why}"
    return steps, longest, ending


def storm_vmm(seconds):
    expect = total_machines() + 1
    p, _, reader = launch_vmm(expect, stall_timer_stays=True)
    steps, t0, _ = run_storm(seconds)
    state, ending, t2 = {}, None, time.monotonic()
    truth = total_machines() + 1
    while time.monotonic() - t2 < 60:
        rows = vmm_rows(state)
        if rows == truth:
            ending = f"as many rows as libvirt has machines {time.monotonic() - t2:.1f} s after"
            break
        time.sleep(0.2)
    if ending is None:
        ending = (f"{rows - 1} machines listed 60 s after, libvirt has {truth - 1} (rows "
                  "counted: names not read)")
    longest = reader.longest_said(t0, time.monotonic())
    p.terminate()
    p.wait(timeout=20)
    churn.cleanup(STORM)
    return steps, longest, ending


def run_storm(seconds):
    conn = churn.libvirt.open(URI)
    for name in churn.names(STORM, 200):
        conn.defineXML(churn.XML.format(name=name))
    conn.close()
    time.sleep(2)
    c = churn.Churn(STORM, 200)
    t0 = time.monotonic()
    c.start()
    time.sleep(seconds)
    c.pause()
    t1 = time.monotonic()
    steps = c.steps
    c.end()
    return steps, t0, t1
