"""What the benchmarks and the soak read about a process from /proc, and the settings of
a returning user they start Bilik with."""

import os
import time

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def cpu_percent(pids, seconds):
    """CPU of each of `pids` over `seconds`, in % of one core."""
    c0 = [cpu_ticks(p) for p in pids]
    time.sleep(seconds)
    return [(cpu_ticks(p) - c) / TICKS / seconds * 100 for p, c in zip(pids, c0)]


def peak_rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def returning_user_config(open_connections=()):
    """Settings of a returning user (setup check seen), as on a desktop without dconf;
    with `open_connections`, the connections they had open when they last closed Bilik."""
    config = f"/tmp/bilik-bench-config-{time.monotonic_ns()}"
    os.makedirs(f"{config}/glib-2.0/settings")
    with open(f"{config}/glib-2.0/settings/keyfile", "w") as f:
        f.write("[io/github/bilik/Bilik]\nsetup-check-seen=true\n")
        if open_connections:
            f.write("open-connections=[" + ", ".join(f"'{u}'" for u in open_connections)
                    + "]\n")
    return {"XDG_CONFIG_HOME": config, "GSETTINGS_BACKEND": "keyfile"}
