#!/usr/bin/env python3
"""The gate's context cost per action in real sessions, read from the audit log.

Every proposal record carries `context_us`: what reading the window (X server),
the element (AT-SPI hit test or focused element) and the browser domain cost
before the gate decided. This starts real sessions with `deskbox run`
(gtk3-widget-factory; Chromium on a small page), sends pointer moves over the
app and key presses to it through agent.sock, approves a few high-tier clicks
(the re-check before an approved action, `target_check.context_us`), and
prints medians and spread per kind. Needs root.

    sudo bench/context_session.py BUILD_DIR [ROUNDS]
"""
import json, os, socket, statistics, subprocess, sys, tempfile, threading

build = os.path.realpath(sys.argv[1])
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 100
deskbox = os.path.join(build, "deskbox")

POLICY = """version: 1
default: deny
tiers: {low: allow, medium: allow, high: {approve: {timeout: 2m}}}
rules:
  - {name: observe, when: {action: [screenshot, tree, hit_test, cursor_position, wait]}, tier: low}
  - {name: confirm, when: {action: click}, tier: high}
  - {name: pointer and keyboard, when: {action: [mouse_move, key]}, tier: medium}
"""

APPS = {
    "gtk3-widget-factory": "  - {name: widgets, exec: [gtk3-widget-factory], ready: {wm_class: gtk3-widget-factory, timeout: 60s}}\n",
    "chromium page": "  - name: browser\n    exec: [chromium, --no-sandbox, --disable-gpu, --no-first-run, --user-data-dir=/tmp/p,\n"
                     "           'data:text/html,<title>bench-page</title><h1>Bench</h1><button>Go</button><input>']\n"
                     "    ready: {title: bench-page, timeout: 180s}\n",
}


def call(sock_path, request, on_pending=None):
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(sock_path)
        f = s.makefile("rwb")
        f.write((json.dumps(request) + "\n").encode())
        f.flush()
        while True:
            reply = json.loads(f.readline())
            if reply.get("pending") or reply.get("status") == "pending":
                if on_pending:
                    on_pending(reply)
                continue
            return reply


def run(label, apps, work):
    name = "bench-ctx-" + str(len(label))
    policy = os.path.join(work, "policy.yaml")
    open(policy, "w").write(POLICY)
    manifest = os.path.join(work, name + ".yaml")
    open(manifest, "w").write(f"session: {{name: {name}, display: {{width: 1280, height: 800}}, "
                              f"budget: {{actions_per_second: 0}}}}\nsandbox: {{memory: 2G, pids: 1024}}\n"
                              f"apps:\n{apps}policy: {policy}\nreview: {{vnc: {{enabled: false}}}}\n")
    env = dict(os.environ, DESKBOX_RUNTIME_DIR=os.path.join(work, "run"), DESKBOX_STATE_DIR=os.path.join(work, "state"))
    proc = subprocess.Popen([deskbox, "run", manifest], stderr=subprocess.PIPE, env=env, text=True)
    # Ready is a line on stderr: read lines as they come (bounded by a watchdog).
    watchdog = threading.Timer(240, proc.kill)
    watchdog.start()
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if "ready on display" in line:
            break
    watchdog.cancel()
    if not any("ready on display" in l for l in seen):
        raise SystemExit(f"{label}: the session did not start:\n{''.join(seen)}")
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()  # keep draining
    sock = os.path.join(work, "run", name, "agent.sock")
    for i in range(rounds):
        call(sock, {"action": "mouse_move", "coordinate": [200 + i % 400, 200 + i % 300]})
        call(sock, {"action": "key", "text": "shift"})
    for i in range(5):
        def approve(pending):
            subprocess.run([deskbox, "approve", "-s", name, pending["approval_id"]], env=env, check=True,
                           stdout=subprocess.DEVNULL)
        call(sock, {"action": "left_click", "coordinate": [300, 150]}, approve)
    audit = open(os.path.join(work, "run", name, "audit.jsonl")).read().splitlines()
    proc.terminate()
    proc.wait(60)
    samples = {"pointer (window + hit test + domain)": [], "keys (window + focused element + domain)": [],
               "re-check before an approved click": []}
    for line in audit:
        r = json.loads(line)
        d = r.get("data", {})
        if r.get("type") == "proposal" and "context_us" in d:
            kind = d["action"]["kind"]
            if kind == "mouse_move":
                samples["pointer (window + hit test + domain)"].append(d["context_us"])
            elif kind == "key":
                samples["keys (window + focused element + domain)"].append(d["context_us"])
        if r.get("type") == "target_check":
            samples["re-check before an approved click"].append(d["context_us"])
    for what, values in samples.items():
        if len(values) < 2:
            print(f"| {label} | {what} | n/a |")
            continue
        q = statistics.quantiles(values, n=10)
        print(f"| {label} | {what} | {statistics.median(values) / 1000:.2f} | {q[0] / 1000:.2f} | "
              f"{q[-1] / 1000:.2f} | {len(values)} |")


with tempfile.TemporaryDirectory() as work:
    print(f"load average before: {open('/proc/loadavg').read().split()[:3]}")
    print("| app | context of | median ms | p10 | p90 | n |\n|---|---|---|---|---|---|")
    for label, apps in APPS.items():
        run(label, apps, work)
    print(f"load average after: {open('/proc/loadavg').read().split()[:3]}")
