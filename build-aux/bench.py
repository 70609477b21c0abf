"""Driver of build-aux/bench (runs inside build-aux/gui-session)."""

import os
import statistics
import subprocess
import sys
import time

from procfigures import cpu_percent, peak_rss_mb, returning_user_config

BIN = os.environ["BILIK_BIN"]
IDLE = float(os.environ.get("BENCH_IDLE_SECONDS", "30"))
SIZES = [int(x) for x in os.environ.get("BENCH_SIZES", "1000 5000").split()]
KVM = int(os.environ.get("BENCH_KVM", "20"))


def node_file(n, prefix="bench"):
    path = f"/tmp/bilik-{prefix}-{n}.xml"
    ns = "http://libvirt.org/schemas/domain/test/1.0"
    with open(path, "w") as f:
        f.write("<node>\n")
        for i in range(n):
            state = "" if i % 2 == 0 else "<test:runstate>5</test:runstate>"
            f.write(f"<domain type='test' xmlns:test='{ns}'><name>{prefix}-{i:05}</name>"
                    f"<uuid>5aa5eb01-f6a4-8304-79aa-{i:012x}</uuid><memory>1048576</memory>"
                    f"<vcpu>1</vcpu><os><type>hvm</type></os>{state}</domain>\n")
        f.write("</node>\n")
    os.chmod(path, 0o644)
    return "test://" + path


def floor(uri, runs=5):
    """virsh list --all (one per connection, in sequence): median wall time, max RSS."""
    uris = uri if isinstance(uri, list) else [uri]
    walls, rss = [], []
    for _ in range(runs):
        t0 = time.monotonic()
        for u in uris:
            r = subprocess.run(["/usr/bin/time", "-f", "%M", "virsh", "-c", u, "list", "--all"],
                               capture_output=True, text=True, check=True)
            rss.append(int(r.stderr.strip().splitlines()[-1]))
        walls.append(time.monotonic() - t0)
    return statistics.median(walls), max(rss) / 1024


def launch(uri, expect, env):
    """Starts Bilik; returns the process, seconds to the full list (of every connection),
    longest stall, renderer. Several URIs: the connections its settings say were open."""
    t0 = time.monotonic()
    args = [] if isinstance(uri, list) else ["--connect", uri]
    p = subprocess.Popen([BIN, *args], stdout=subprocess.PIPE, text=True, env=env)
    renderer = f"GSK_RENDERER={env['GSK_RENDERER']}" if "GSK_RENDERER" in env else "GTK's choice"
    for line in p.stdout:
        if line.startswith("bilik-bench: renderer Some"):
            renderer = "cairo (no GPU: GL off)"
        if line.startswith("bilik-bench: list-shown"):
            shown = time.monotonic() - t0
            kv = dict(x.split("=") for x in line.split()[2:])
            assert int(kv["machines"]) == expect, line
            return p, shown, float(kv["max-stall-ms"]), renderer
    p.kill()
    raise SystemExit(f"bilik did not report the list for {uri}")


def bilik(uri, expect, extra_env=None, runs=5):
    """Median time to the list over `runs` starts (like the floor's median), the longest
    stall of them all; idle CPU and peak RSS of the last start."""
    opened = uri if isinstance(uri, list) else ()
    env = dict(os.environ, BILIK_BENCH="1", **returning_user_config(opened),
               **(extra_env or {}))
    times, stalls = [], []
    for i in range(runs):
        p, shown, stall, renderer = launch(uri, expect, env)
        times.append(shown)
        stalls.append(stall)
        if i < runs - 1:
            p.terminate()
            p.wait(timeout=10)
    time.sleep(2)  # let the first statistics rounds settle
    idle_cpu = cpu_percent([p.pid], IDLE)[0]
    rss = peak_rss_mb(p.pid)
    p.terminate()
    p.wait(timeout=10)
    return statistics.median(times), rss, idle_cpu, max(stalls), renderer


def report(label, uri, expect, extra_env=None):
    fw, frss = floor(uri)
    shown, rss, idle, stall, renderer = bilik(uri, expect, extra_env)
    print(f"| {label} | {renderer} | {shown*1000:.0f} ms | {fw*1000:.0f} ms | {shown/fw:.2f}× "
          f"| {rss:.0f} MB | {frss:.0f} MB | {idle:.2f} % | {stall:.0f} ms |", flush=True)


def kvm_machines(n):
    xml = ("<domain type='kvm'><name>{name}</name><memory unit='MiB'>48</memory><vcpu>1</vcpu>"
           "<os><type arch='x86_64'>hvm</type></os><devices>"
           "<graphics type='spice'><listen type='none'/></graphics></devices></domain>")
    names = [f"bench-kvm-{i:02}" for i in range(n)]
    for name in names:
        with open(f"/tmp/{name}.xml", "w") as f:
            f.write(xml.format(name=name))
        subprocess.run(["virsh", "-c", "qemu:///system", "define", f"/tmp/{name}.xml"],
                       capture_output=True, check=True)
        subprocess.run(["virsh", "-c", "qemu:///system", "start", name],
                       capture_output=True, check=True)
    return names


def cleanup(names):
    for name in names:
        for cmd in (["destroy", name], ["undefine", name]):
            subprocess.run(["virsh", "-c", "qemu:///system", *cmd], capture_output=True)


print(f"Bilik {BIN}; list shown: median of 5 starts; idle CPU over {IDLE:.0f} s; "
      "floor = virsh list --all (median of 5)")
print("| machines | renderer | Bilik: list shown | virsh floor | ratio | Bilik peak RSS "
      "| virsh RSS | Bilik idle CPU | longest stall |")
print("|---|---|---|---|---|---|---|---|---|")
for n in SIZES:
    report(f"{n} (test driver, half running)", node_file(n), n)
# Two connections shown together (floor: their two virsh lists in sequence).
n = SIZES[0]
report(f"2 × {n} (two test-driver connections)", [node_file(n), node_file(n, "other")], 2 * n)
# This machine has no GPU (no /dev/dri render node), so Bilik asks GTK not to set up
# OpenGL (src/renderer.rs). For comparison: the same lists with OpenGL forced, i.e. Mesa's
# llvmpipe (LLVM, gallium and their heap: over 100 MB of RSS).
for n in SIZES:
    report(f"{n} (test driver), GL forced", node_file(n), n, {"GSK_RENDERER": "ngl"})
if KVM:
    names = kvm_machines(KVM)
    # Let the firmware of 20 machines finish starting on 2 cores before measuring.
    time.sleep(30)
    try:
        total = len(subprocess.run(["virsh", "-c", "qemu:///system", "list", "--all", "--name"],
                                   capture_output=True, text=True).stdout.split())
        report(f"{KVM} running KVM (qemu:///system)", "qemu:///system", total)
    finally:
        cleanup(names)
SYSTEM = int(os.environ.get("BENCH_SYSTEM", "1000"))
if SYSTEM:
    import bench_system as bs
    import churn
    running = int(os.environ.get("BENCH_SYSTEM_RUNNING", "50"))
    vmm_runs = int(os.environ.get("BENCH_VMM_RUNS", "3"))
    storm = float(os.environ.get("BENCH_STORM_SECONDS", "30"))
    churn.cleanup(bs.SCALE)
    churn.cleanup(bs.STORM)
    try:
        bs.define_scale(SYSTEM, running)
        time.sleep(5)
        total = bs.total_machines()
        uri = "qemu:///system"
        print()
        print(f"qemu:///system with {total} defined machines ({running} running, paused); "
              f"Bilik and virsh as above, virt-manager {vmm_runs} starts (median), its table "
              "read through the accessibility tree")
        print("| viewer | list shown | virsh floor | ratio | peak RSS | idle CPU | longest stall |")
        print("|---|---|---|---|---|---|---|")
        fw, frss = floor(uri)
        shown, rss, idle, stall, _ = bilik(uri, total)
        print(f"| Bilik | {shown*1000:.0f} ms | {fw*1000:.0f} ms | {shown/fw:.2f}× | {rss:.0f} MB "
              f"| {idle:.2f} % | {stall:.0f} ms |", flush=True)
        vshown, vrss, vidle, vstall = bs.virt_manager(total, vmm_runs, IDLE)
        print(f"| virt-manager | {vshown*1000:.0f} ms | {fw*1000:.0f} ms | {vshown/fw:.2f}× "
              f"| {vrss:.0f} MB | {vidle:.2f} % | {vstall:.0f} ms |", flush=True)
        print()
        print(f"Event storm: 200 more machines changing state for {storm:.0f} s (4 threads, as "
              f"fast as libvirt answers) while the {total} are shown")
        print("| viewer | state changes | per second | longest stall (storm and catching up) "
              "| the list afterwards |")
        print("|---|---|---|---|---|")
        list_file = f"/tmp/bilik-bench-list-{os.getpid()}"
        env = dict(os.environ, **returning_user_config())
        steps, longest, ending = bs.storm_bilik(BIN, env, storm, list_file)
        print(f"| Bilik | {steps} | {steps/storm:.1f} | {longest} | {ending} |", flush=True)
        steps, longest, ending = bs.storm_vmm(storm)
        print(f"| virt-manager | {steps} | {steps/storm:.1f} | {longest} | {ending} |",
              flush=True)
    finally:
        churn.cleanup(bs.STORM)
        churn.cleanup(bs.SCALE)
sys.exit(0)
