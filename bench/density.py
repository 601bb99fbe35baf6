#!/usr/bin/env python3
"""Density: how many sessions one host runs side by side (bench/density.sh runs this).

Starts sessions of one kind (a GTK app, or Chromium on a local page) one after
another, all through `deskbox run`, and at each step N of --steps measures:
  - the start time of the N-th session (launch of `deskbox run` to its
    "ready on display" line: the apps' windows have drawn);
  - memory per session: the session cgroup's charge (memory.usage_in_bytes on
    cgroup v1, memory.current on v2) and a split by process, from each
    process's PSS (shared library pages divided among the sessions that map
    them, so the parts add up across sessions): Xvfb, the manifest's apps (and
    their children), the session's plumbing (init, dbus-daemon, AT-SPI bus,
    accessibility helper, x11vnc), and the kernel's rest (tmpfs home and
    page cache: charge minus the processes' anonymous + file pages);
  - the supervisor (outside the session cgroup): RSS of session 1's (which
    answers the probes: its MIT-SHM segment and encoder buffers) and the
    median of the idle ones, and PSS (supervisor plus its janitor);
  - screenshot (PNG) and click p50/p99 on session 1 through its agent socket
    (one open connection, as an agent keeps it) while the others idle;
  - failures, and the load average.
It stops at the first failed start, when session 1's screenshot p50 exceeds
--stop-ratio times the single-session figure, at --max sessions, or when
--time-limit seconds have passed. Every session is stopped at the end
(SIGTERM, then the supervisor's own bounded teardown).

Writes OUT/density-KIND.dat (one line per step, for gnuplot) and
OUT/density-KIND.json, and prints a markdown table.
"""
import argparse
import base64
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

READY_MARK = "ready on display"

CHROMIUM_PAGE = """<!doctype html>
<html><head><title>density page</title>
<style>body{font:16px sans-serif;margin:40px}button{width:600px;height:300px;font-size:32px}</style></head>
<body><h1>A local page</h1><p>Chromium in a deskbox session, for the density benchmark.</p>
<button onclick="this.textContent='clicked '+(++window.n||(window.n=1))">Click me</button>
<ul>""" + "".join(f"<li>item {i}: some text to lay out and paint</li>" for i in range(40)) + """</ul>
</body></html>
"""


def manifest(kind, name, policy, page, glx=False):
    common = (f"version: 1\n"
              f"session:\n  name: {name}\n  display: {{width: 1280, height: 800{', glx: true' if glx else ''}}}\n"
              f"  budget: {{steps: 1000000, wall_clock: 2h, actions_per_second: 0}}\n"
              f"network: {{mode: none}}\n"
              f"policy: {policy}\n"
              f"review: {{vnc: {{enabled: false}}}}\n")
    if kind == "gtk":
        return common + ("sandbox: {memory: 1G, pids: 256, cpu: 1, home_size: 64M}\n"
                         "apps:\n"
                         "  - name: widgets\n"
                         "    exec: [gtk3-widget-factory]\n"
                         "    ready: {wm_class: gtk3-widget-factory, timeout: 120s}\n")
    return common + ("sandbox:\n  memory: 2G\n  pids: 1024\n  cpu: 1\n  home_size: 256M\n"
                     f"  files: [{{from: {page}, to: ~/page.html, mode: ro}}]\n"
                     "apps:\n"
                     "  - name: browser\n"
                     "    exec: [chromium, --no-sandbox, --disable-gpu, --no-first-run, --disable-background-networking,\n"
                     "           --disable-component-update, --disable-sync, --user-data-dir=/tmp/profile,\n"
                     "           '--window-position=0,0', '--window-size=1280,800', 'file:///home/agent/page.html']\n"
                     "    ready: {title: 'density page', timeout: 180s}\n")


class Session:
    """One `deskbox run` in the background; its stderr is drained by a thread
    into a log file, and the ready line sets an event (no polling)."""

    def __init__(self, deskbox, manifest_path, log_path, env):
        self.ready = threading.Event()
        self.ended = threading.Event()
        self.log_path = log_path
        self.started = time.monotonic()
        self.proc = subprocess.Popen([deskbox, "run", str(manifest_path)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=env, start_new_session=True)
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        with open(self.log_path, "wb") as log:
            for line in self.proc.stderr:
                log.write(line)
                log.flush()
                if READY_MARK.encode() in line and not self.ready.is_set():
                    self.ready_at = time.monotonic()
                    self.ready.set()
        self.ended.set()
        self.ready.set()  # wakes a waiter: the process ended before (or after) ready

    def wait_ready(self, timeout):
        """Seconds from launch to ready; raises with the log's tail when it
        ended first or the timeout passed."""
        if not self.ready.wait(timeout):
            raise RuntimeError(f"not ready after {timeout}s")
        if not hasattr(self, "ready_at"):
            tail = Path(self.log_path).read_text(errors="replace").splitlines()[-5:]
            raise RuntimeError("deskbox run ended before ready: " + " | ".join(tail))
        return self.ready_at - self.started

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)


def read_int(path):
    try:
        return int(Path(path).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def rollup(pid):
    """(rss, pss, pss_anon, pss_file, pss_shmem) in bytes from smaps_rollup; zeros if gone."""
    fields = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[-1] == "kB":
                fields[parts[0].rstrip(":")] = int(parts[1]) * 1024
    except OSError:
        return (0, 0, 0, 0, 0)
    return (fields.get("Rss", 0), fields.get("Pss", 0), fields.get("Pss_Anon", 0),
            fields.get("Pss_File", 0), fields.get("Pss_Shmem", 0))


def comm(pid):
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def children_map():
    kids = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def descendants(pid, kids):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def ns_pid(pid):
    """The pid inside the sandbox's pid namespace (status.json gives apps' pids there)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("NSpid:"):
                return int(line.split()[-1])
    except OSError:
        pass
    return 0


def session_memory(status, kids):
    """Memory of one session in bytes: the cgroup's charge; the split by
    process of what is private to the session (anonymous + shmem PSS: heaps,
    framebuffer, caches) into Xvfb / apps / plumbing (init, buses, helpers);
    the file-backed PSS (shared libraries, their share); the supervisor."""
    cg = status["sandbox"]["cgroup"]
    mem_dir = next((p for p in cg["paths"] if cg["version"] == "v2" or "/memory/" in p), None)
    charge = 0
    if mem_dir:
        charge = read_int(Path(mem_dir) / "memory.usage_in_bytes") or read_int(Path(mem_dir) / "memory.current")
    inside = descendants(status["sandbox"]["init_pid"], kids)
    by_ns = {ns_pid(p): p for p in inside}
    app_pids = set()
    for a in status.get("apps", []):
        if a.get("pid", 0) > 0 and a["pid"] in by_ns:
            app_pids.update(descendants(by_ns[a["pid"]], kids))
    split = {"xvfb": 0, "apps": 0, "plumbing": 0, "file": 0}
    for pid in inside:
        _, _, anon, file_pss, shmem = rollup(pid)
        part = "apps" if pid in app_pids else "xvfb" if comm(pid) == "Xvfb" else "plumbing"
        split[part] += anon + shmem
        split["file"] += file_pss
    sup = status["supervisor_pid"]
    sup_rss = rollup(sup)[0]
    sup_pss = sum(rollup(p)[1] for p in [sup] + [k for k in kids.get(sup, []) if comm(k) == "deskbox"])
    return charge, split, sup_rss, sup_pss


class Agent:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(str(path))
        self.reader = self.sock.makefile("rb")
        self.n = 0

    def call(self, request):
        self.n += 1
        self.sock.sendall((json.dumps(dict(request, id=f"d{self.n}")) + "\n").encode())
        reply = json.loads(self.reader.readline())
        if not reply.get("ok"):
            raise RuntimeError(f"{request['action']} failed: {reply.get('error')}")
        return reply

    def close(self):
        self.sock.close()


def pct(samples, q):
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def probe_actions(agent_socket, samples):
    """Screenshot (PNG, decoded as an agent would) and click timings in ms."""
    agent = Agent(agent_socket)
    shots, clicks = [], []
    try:
        for i in range(samples + 2):  # two warm-up rounds
            t = time.perf_counter()
            reply = agent.call({"action": "screenshot", "format": "png"})
            base64.b64decode(reply["result"]["image"]["data"])
            shot = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            agent.call({"action": "left_click", "coordinate": [640, 400]})
            click = (time.perf_counter() - t) * 1000
            if i >= 2:
                shots.append(shot)
                clicks.append(click)
    finally:
        agent.close()
    return shots, clicks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--deskbox", required=True)
    ap.add_argument("--kind", choices=["gtk", "chromium"], required=True)
    ap.add_argument("--steps", default="1,5,10,20,30,40,50,60")
    ap.add_argument("--max", type=int, default=60)
    ap.add_argument("--time-limit", type=float, default=1200)
    ap.add_argument("--samples", type=int, default=40)
    ap.add_argument("--stop-ratio", type=float, default=5.0)
    ap.add_argument("--policy", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--glx", action="store_true", help="displays with GLX (what every session had before "
                    "display.glx existed): the before/after of that change; output named KIND-glx")
    args = ap.parse_args()
    steps = sorted({int(s) for s in args.steps.split(",") if int(s) <= args.max})
    label = args.kind + ("-glx" if args.glx else "")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"deskbox-density-{args.kind}-"))
    env = dict(os.environ, DESKBOX_RUNTIME_DIR=str(work / "run"), DESKBOX_STATE_DIR=str(work / "state"))
    (work / "run").mkdir()
    page = work / "page.html"
    page.write_text(CHROMIUM_PAGE)
    deadline = time.monotonic() + args.time_limit
    sessions, rows, failure = [], [], ""
    single_p50 = None
    try:
        for n in steps:
            while len(sessions) < n:
                i = len(sessions) + 1
                name = f"density-{args.kind}-{i}"
                m = work / f"{name}.yaml"
                m.write_text(manifest(args.kind, name, args.policy, page, args.glx))
                try:
                    s = Session(args.deskbox, m, work / f"{name}.log", env)
                    sessions.append(s)
                    s.start_time = s.wait_ready(max(5.0, min(240.0, deadline - time.monotonic())))
                except (RuntimeError, OSError) as e:
                    failure = f"session {i} failed to start: {e}"
                    break
            if failure:
                break
            kids = children_map()
            statuses = [json.loads((work / "run" / f"density-{args.kind}-{i + 1}" / "status.json").read_text())
                        for i in range(n)]
            mems = [session_memory(st, kids) for st in statuses]
            load = open("/proc/loadavg").read().split()[0]
            shots, clicks = probe_actions(work / "run" / f"density-{args.kind}-1" / "agent.sock", args.samples)
            row = {
                "n": n,
                "start_s": sessions[n - 1].start_time,
                "charge_mb": statistics.mean(m[0] for m in mems) / 2**20,
                "apps_mb": statistics.mean(m[1]["apps"] for m in mems) / 2**20,
                "xvfb_mb": statistics.mean(m[1]["xvfb"] for m in mems) / 2**20,
                "plumbing_mb": statistics.mean(m[1]["plumbing"] for m in mems) / 2**20,
                "file_mb": statistics.mean(m[1]["file"] for m in mems) / 2**20,
                "supervisor_rss_mb": mems[0][2] / 2**20,  # session 1: the one that answers the probes
                "supervisor_pss_mb": statistics.mean(m[3] for m in mems) / 2**20,
                "shot_p50_ms": pct(shots, 0.5), "shot_p99_ms": pct(shots, 0.99),
                "click_p50_ms": pct(clicks, 0.5), "click_p99_ms": pct(clicks, 0.99),
                "load": float(load),
                "host_used_mb": (read_meminfo("MemTotal") - read_meminfo("MemAvailable")) / 2**20,
                "supervisor_idle_rss_mb": statistics.median(m[2] for m in mems[1:]) / 2**20 if n > 1 else 0.0,
            }
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
            if single_p50 is None:
                single_p50 = row["shot_p50_ms"]
            elif row["shot_p50_ms"] > args.stop_ratio * single_p50:
                failure = f"screenshot p50 {row['shot_p50_ms']:.1f} ms > {args.stop_ratio}x single"
                break
            if time.monotonic() > deadline:
                failure = f"time limit {args.time_limit:.0f}s reached"
                break
    finally:
        for s in sessions:
            s.stop()
        for s in sessions:
            try:
                s.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                s.proc.kill()
    result = {"kind": label, "rows": rows, "stopped": failure or f"all steps up to {steps[-1]} done",
              "work": str(work)}
    (out / f"density-{label}.json").write_text(json.dumps(result, indent=1) + "\n")
    cols = ["n", "start_s", "charge_mb", "apps_mb", "xvfb_mb", "plumbing_mb", "file_mb", "supervisor_rss_mb",
            "supervisor_pss_mb", "shot_p50_ms", "shot_p99_ms", "click_p50_ms", "click_p99_ms", "load",
            "host_used_mb", "supervisor_idle_rss_mb"]
    with open(out / f"density-{label}.dat", "w") as f:
        f.write("# " + " ".join(cols) + "\n")
        for r in rows:
            f.write(" ".join(f"{r[c]:.3f}" if isinstance(r[c], float) else str(r[c]) for c in cols) + "\n")
    print(f"\n{label}: {result['stopped']}\n")
    print("| N | N-th start | cgroup charge/session | apps | Xvfb | plumbing | shared files (PSS) | supervisor RSS active/idle (PSS) | "
          "screenshot p50/p99 | click p50/p99 | load | host used |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['n']} | {r['start_s'] * 1000:.0f} ms | {r['charge_mb']:.1f} MB | {r['apps_mb']:.1f} MB | "
              f"{r['xvfb_mb']:.1f} MB | {r['plumbing_mb']:.1f} MB | {r['file_mb']:.1f} MB | "
              f"{r['supervisor_rss_mb']:.1f}/{r['supervisor_idle_rss_mb']:.1f} "
              f"({r['supervisor_pss_mb']:.1f}) MB | {r['shot_p50_ms']:.1f}/{r['shot_p99_ms']:.1f} ms | "
              f"{r['click_p50_ms']:.1f}/{r['click_p99_ms']:.1f} ms | {r['load']:.1f} | "
              f"{r['host_used_mb'] / 1024:.1f} GB |")
    return 1 if failure.startswith("session") and not rows else 0


def read_meminfo(key):
    for line in open("/proc/meminfo"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    return 0


if __name__ == "__main__":
    sys.exit(main())
