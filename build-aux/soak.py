"""Driver of build-aux/soak (runs inside build-aux/gui-session, as root)."""

import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import churn  # noqa: E402
from procfigures import returning_user_config  # noqa: E402

BIN = os.environ["BILIK_BIN"]
CYCLES = int(os.environ.get("SOAK_CYCLES", "100"))
MACHINES = int(os.environ.get("SOAK_MACHINES", "200"))
SEED = int(os.environ.get("SOAK_SEED", str(int(time.time()))))
PREFIX = "soak-"
LIST = f"/tmp/bilik-soak-list-{os.getpid()}"
# SOAK_TRACE: a folder for a line of figures, a screenshot and /proc/PID/smaps per cycle,
# to see what Bilik showed and which mappings grew in the cycle where its memory stepped up.
TRACE = os.environ.get("SOAK_TRACE")
CTL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "libvirtd-ctl")


def proc_figures(pid):
    """Threads, descriptors, RSS in MB and its parts (anonymous, files, shared memory)."""
    threads = rss = 0
    parts = {}
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("Threads:"):
            threads = int(line.split()[1])
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
        if line.startswith(("RssAnon:", "RssFile:", "RssShmem:")):
            parts[line.split(":")[0]] = int(line.split()[1]) / 1024
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return threads, fds, rss, (parts.get("RssAnon", 0), parts.get("RssFile", 0),
                               parts.get("RssShmem", 0))


class Wrapped:
    """Bilik started by a wrapper: its own process, for the figures and the end."""

    def __init__(self, wrapper):
        self.wrapper = wrapper
        self.pid = None
        for _ in range(300):
            for d in filter(str.isdigit, os.listdir("/proc")):
                try:
                    stat = open(f"/proc/{d}/stat").read()
                except OSError:
                    continue
                if stat[stat.index("(") + 1:stat.rindex(")")] == "bilik":
                    self.pid = int(d)
            if self.pid:
                break
            time.sleep(0.1)
        self.returncode = None

    def poll(self):
        if self.pid and os.path.exists(f"/proc/{self.pid}"):
            return None
        self.returncode = "gone"
        return self.returncode

    def kill(self):
        self.terminate()

    def terminate(self):
        if self.poll() is None:
            os.kill(self.pid, 15)

    def wait(self, timeout=None):
        return self.wrapper.wait(timeout=timeout)


def trace(cycle, pid, figs):
    """One cycle's figures (with the time, to find the cycle in Bilik's log), screen and
    mappings, under SOAK_TRACE."""
    os.makedirs(TRACE, exist_ok=True)
    _, _, rss, (anon, files, shm), (in_use, held) = figs
    with open(f"{TRACE}/figures", "a") as f:
        f.write(f"{cycle} {time.strftime('%H:%M:%S')} rss {rss:.1f} anon {anon:.1f} files "
                f"{files:.1f} shm {shm:.1f} in-use {in_use / 2**20:.2f} held "
                f"{held / 2**20:.2f}\n")
    with open(f"/proc/{pid}/smaps") as src, open(f"{TRACE}/smaps-{cycle:03}", "w") as dst:
        dst.write(src.read())
    subprocess.run(["import", "-window", "root", f"{TRACE}/screen-{cycle:03}.png"], check=False)


def main():
    random.seed(SEED)
    churn.cleanup(PREFIX)
    conn = churn.libvirt.open(churn.URI)
    for name in churn.names(PREFIX, MACHINES):
        conn.defineXML(churn.XML.format(name=name))
    conn.close()
    env = dict(os.environ, BILIK_LIST_FILE=LIST, G_MESSAGES_DEBUG="bilik", **returning_user_config())
    # SOAK_GTK_SETTINGS: GTK settings for this run ("key=value;key=value", as in
    # settings.ini), to compare e.g. font rendering choices.
    if os.environ.get("SOAK_GTK_SETTINGS"):
        os.makedirs(f"{env['XDG_CONFIG_HOME']}/gtk-4.0")
        with open(f"{env['XDG_CONFIG_HOME']}/gtk-4.0/settings.ini", "w") as f:
            f.write("[Settings]\n" + os.environ["SOAK_GTK_SETTINGS"].replace(";", "\n") + "\n")
    log = open(f"/tmp/bilik-soak-{os.getpid()}.log", "w")
    # SOAK_WRAP: a program to run Bilik under (e.g. heaptrack, to see where the heap goes).
    wrap = os.environ.get("SOAK_WRAP", "").split()
    bilik = subprocess.Popen([*wrap, BIN, "--connect", churn.URI], env=env, stdout=log,
                             stderr=log)
    if wrap:
        bilik = Wrapped(bilik)
    took, why = churn.wait_equal(LIST, 60)
    if took is None:
        bilik.kill()
        raise SystemExit(f"soak: Bilik's first list never matched libvirt's: {why}")
    print(f"Soak: {CYCLES} cycles, {MACHINES} machines changing state (4 threads, as fast as "
          f"libvirt answers), libvirtd killed (SIGKILL) and restarted once per cycle at a random "
          f"moment; seed {SEED}; Bilik {BIN} (pid {bilik.pid}), log {log.name}")
    print("| cycles | lists equal to libvirt's | longest wait for an equal list after the "
          "restart | daemon down (longest) | Bilik threads | open fds | RSS (anonymous / files / "
          "shared) | heap in use "
          "| heap held | steps taken "
          "| steps refused (daemon gone) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
    c = churn.Churn(PREFIX, MACHINES)
    c.start()
    first = None
    figures = []
    block = {"equal": 0, "wait": 0.0, "down": 0.0, "steps": 0, "failed": 0}
    mismatches = []
    crashed = None
    for cycle in range(1, CYCLES + 1):
        time.sleep(random.uniform(0.3, 2.5))
        t_kill = time.monotonic()
        subprocess.run([CTL, "kill"], check=True)
        time.sleep(random.uniform(0.0, 1.0))
        subprocess.run([CTL, "start"], check=True, stdout=subprocess.DEVNULL)
        block["down"] = max(block["down"], time.monotonic() - t_kill)
        time.sleep(random.uniform(0.3, 2.0))
        c.pause()
        took, why = churn.wait_equal(LIST, 60)
        if bilik.poll() is not None:
            crashed = f"Bilik ended with {bilik.returncode} in cycle {cycle}"
            break
        if took is None:
            mismatches.append((cycle, why))
        else:
            block["equal"] += 1
            block["wait"] = max(block["wait"], took)
        figs = proc_figures(bilik.pid) + (churn.shown_heap(LIST) or (0, 0),)
        if first is None:
            first = figs
        if TRACE:
            trace(cycle, bilik.pid, figs)
        with c.lock:
            block["steps"], block["failed"] = c.steps, c.failed
        c.resume()
        if cycle % 10 == 0 or cycle == CYCLES:
            n = (cycle - 1) % 10 + 1
            threads, fds, rss, (anon, files, shm), (in_use, held) = figs
            print(f"| {cycle - n + 1}–{cycle} | {block['equal']}/{n} | {block['wait']:.1f} s "
                  f"| {block['down']:.1f} s | {threads} | {fds} "
                  f"| {rss:.0f} MB ({anon:.0f} / {files:.0f} / {shm:.0f}) | {in_use / 2**20:.1f} MB "
                  f"| {held / 2**20:.1f} MB "
                  f"| {block['steps']} | {block['failed']} |", flush=True)
            figures.append(figs)
            with c.lock:
                c.steps = c.failed = 0
            block = {"equal": 0, "wait": 0.0, "down": 0.0, "steps": 0, "failed": 0}
    c.end()
    if crashed is None and bilik.poll() is not None:
        crashed = f"Bilik ended with {bilik.returncode}"
    last = proc_figures(bilik.pid) + (churn.shown_heap(LIST) or (0, 0),) if crashed is None else None
    bilik.terminate()
    bilik.wait(timeout=20)
    if churn.cleanup(PREFIX):
        # The daemon died during the cleanup (seen once, after 100 cycles of churn): the
        # machines left would be in the next test's list. Once more on a fresh daemon.
        subprocess.run([CTL, "start"], check=True, stdout=subprocess.DEVNULL)
        churn.cleanup(PREFIX)
    print()
    print(f"Crashed: {crashed or 'no'}")
    print(f"Cycles whose list never matched in 60 s: {len(mismatches)}")
    # Nobody touches Bilik in the soak: every error it showed (logged as "error shown: …")
    # was about something it did by itself, a daemon going away under it.
    shown = [line.split("error shown: ", 1)[1].strip()
             for line in open(log.name, errors="replace") if "error shown: " in line]
    print(f"Errors shown in the window: {len(shown)}"
          + "".join(f"\n  {n} × {t}" for t, n in sorted(
              {t: shown.count(t) for t in shown}.items(), key=lambda x: -x[1])))
    for cycle, why in mismatches:
        print(f"  cycle {cycle}: {why}")
    if first and last:
        print(f"After the first cycle: {first[0]} threads, {first[1]} fds, {first[2]:.0f} MB; "
              f"at the end: {last[0]} threads, {last[1]} fds, {last[2]:.0f} MB "
              f"(RSS {100 * (last[2] - first[2]) / first[2]:+.1f} %; anonymous "
              f"{first[3][0]:.1f} → {last[3][0]:.1f} MB, files {first[3][1]:.1f} → "
              f"{last[3][1]:.1f} MB, shared {first[3][2]:.1f} → {last[3][2]:.1f} MB); heap in use "
              f"{first[4][0] / 2**20:.1f} → {last[4][0] / 2**20:.1f} MB, held by the allocator "
              f"{first[4][1] / 2**20:.1f} → {last[4][1] / 2**20:.1f} MB")
    sys.exit(0)


main()
