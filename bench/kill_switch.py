#!/usr/bin/env python3
"""How fast the kill switch answers, and how long the session's end takes.

Three kinds of real sessions, started with `deskbox run`:

  tree hangs    a GTK app (gtk3-widget-factory) is frozen with SIGSTOP, so
                every AT-SPI call into it hangs until the a11y helper's reply
                timeout (4 s); an agent asks for the accessibility `tree`, whose
                question goes out through the session's loop and waits
  verify hangs  a reviewer's `verify` runs a host command that never exits
                (its timeout is 10 minutes away)
  idle          nothing waits; with gtk3-widget-factory, and with Chromium (the
                teardown of a session with a browser)

and in each it measures:

  pause     `pause` sent on review.sock -> its reply (then `resume`)
  stop      `stop` sent on review.sock -> its reply, -> status.json
            "stopping", -> the supervisor's exit (the whole teardown)
  SIGTERM   kill(supervisor, SIGTERM) -> status.json "stopping", -> exit

"While it waits" is observed, not slept for: the tree's proposal is in the
audit log (the decision is written before the action runs); the verify
command has written its pid to a fifo. Goal (issue 13): <= 100 ms to
"stopping", <= 1 s for the whole teardown. Needs root.

    sudo bench/kill_switch.py BUILD_DIR [SESSIONS]
"""
import json, os, signal, socket, statistics, subprocess, sys, tempfile, threading, time

build = os.path.realpath(sys.argv[1])
sessions = int(sys.argv[2]) if len(sys.argv) > 2 else 5
deskbox = os.path.join(build, "deskbox")

POLICY = """version: 1
default: deny
admission: {host_commands: true}
rules:
  - {name: everything, when: {action: [screenshot, tree, click, mouse_move, key, wait]}, tier: low}
"""


def request(path, req, timeout=30):
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(timeout)
        s.connect(path)
        f = s.makefile("rwb")
        f.write((json.dumps(req) + "\n").encode())
        f.flush()
        while True:
            line = f.readline()
            if not line:
                raise RuntimeError(f"{path}: closed without a reply to {req}")
            reply = json.loads(line)
            if reply.get("status") == "pending" or reply.get("pending"):
                continue
            return reply


def wait_until(predicate, what, timeout_s=20):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.0005)  # a measuring loop, not a readiness wait: the state is polled at 0.5 ms
    raise SystemExit(f"timed out waiting for {what}")


def status(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def host_pid(ns_pid, comm_prefix):
    """status.json names the app by its pid inside the session's pid namespace."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = dict(l.split(":", 1) for l in open(f"/proc/{entry}/status") if ":" in l)
        except OSError:
            continue
        nspids = fields.get("NSpid", "").split()
        if len(nspids) > 1 and nspids[-1] == str(ns_pid) and fields.get("Name", "").strip().startswith(comm_prefix):
            return int(entry)
    raise SystemExit(f"no host process for the app's pid {ns_pid}")


# The app of each kind of session: its manifest entry and the start of its process name.
APPS = {
    "gtk": ("{name: widgets, exec: [gtk3-widget-factory], ready: {wm_class: gtk3-widget-factory, timeout: 60s}}",
            "gtk3-widget"),
    "chromium": ("{name: browser, exec: [chromium, --no-sandbox, --disable-gpu, --no-first-run, "
                 "--disable-background-networking, --disable-component-update, --disable-sync, "
                 "--user-data-dir=/tmp/profile, 'data:text/html,<title>bench page</title>a page'], "
                 "ready: {title: bench page, timeout: 180s}}", "chrom"),
}


def start(work, name, app="gtk", verify_fifo=None):
    policy = os.path.join(work, "policy.yaml")
    open(policy, "w").write(POLICY)
    manifest = os.path.join(work, name + ".yaml")
    entry, comm = APPS[app]
    # A verify command that never exits by itself: it names its pid in the fifo, then waits.
    verify = (f"verify:\n  - command:\n      run: [sh, -c, 'echo $$ > {verify_fifo}; sleep 1000 & wait']\n"
              "      timeout: 10m\n") if verify_fifo else ""
    open(manifest, "w").write(
        f"session: {{name: {name}, display: {{width: 1280, height: 800}}, budget: {{actions_per_second: 0}}}}\n"
        "sandbox: {memory: 2G, pids: 1024}\n"
        f"apps:\n  - {entry}\n"
        f"policy: {policy}\nreview: {{vnc: {{enabled: false}}}}\n" + verify)
    env = dict(os.environ, DESKBOX_RUNTIME_DIR=os.path.join(work, "run"), DESKBOX_STATE_DIR=os.path.join(work, "state"))
    proc = subprocess.Popen([deskbox, "run", manifest], stderr=subprocess.PIPE, env=env, text=True)
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if "ready on display" in line:
            break
    watchdog.cancel()
    if not any("ready on display" in l for l in seen):
        raise SystemExit("the session did not start:\n" + "".join(seen))
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    d = os.path.join(work, "run", name)
    st = status(os.path.join(d, "status.json"))
    app_pid = host_pid(st["apps"][0]["pid"], comm)
    request(os.path.join(d, "agent.sock"), {"action": "screenshot"})  # the app has drawn and answers
    return proc, d, app_pid


def trees_proposed(d):
    try:
        with open(os.path.join(d, "audit.jsonl")) as f:
            return f.read().count('"kind":"tree"')
    except OSError:
        return 0


def hang(d, app_pid):
    """Freezes the app and asks for the tree; returns once the tree's question is out."""
    before = trees_proposed(d)
    os.kill(app_pid, signal.SIGSTOP)
    result = {}

    def ask():
        try:
            result.update(request(os.path.join(d, "agent.sock"), {"action": "tree"}, timeout=60))
        except (OSError, RuntimeError) as e:
            result["error"] = str(e)  # the session ended first

    t = threading.Thread(target=ask, daemon=True)
    t.start()
    wait_until(lambda: trees_proposed(d) > before, "the tree to be decided")
    return t, result


def verify_hangs(d, fifo):
    """A reviewer asks for verify; returns once its command runs (it wrote to the fifo)."""
    def ask():
        try:
            request(os.path.join(d, "review.sock"), {"type": "verify"}, timeout=700)
        except (OSError, RuntimeError):
            pass  # the session ended first

    threading.Thread(target=ask, daemon=True).start()
    with open(fifo) as f:  # blocks until the command opens it: an event, not a sleep
        if not f.read().strip():
            raise SystemExit("the verify command did not name its pid")


def ms(t0):
    return (time.monotonic() - t0) * 1000


def summary(values):
    v = sorted(values)
    p = lambda q: v[min(len(v) - 1, int(q * len(v)))]
    return f"median {statistics.median(v):7.1f} ms  p10 {p(0.1):7.1f}  p90 {p(0.9):7.1f}  max {v[-1]:7.1f}  (n={len(v)})"


def end(proc, d, how, waiting, results):
    review = os.path.join(d, "review.sock")
    status_path = os.path.join(d, "status.json")
    stopping = lambda: status(status_path).get("state") in ("stopping", "ended") or not os.path.exists(status_path)
    label = f"{how} ({waiting})"
    t0 = time.monotonic()
    if how == "stop":
        request(review, {"type": "stop", "note": "bench"})
        results.setdefault(f"{label}: reply", []).append(ms(t0))
    else:
        os.kill(proc.pid, signal.SIGTERM)
    wait_until(stopping, "stopping")
    results.setdefault(f"{label}: stopping", []).append(ms(t0))
    proc.wait(60)
    results.setdefault(f"{label}: exit", []).append(ms(t0))


def main():
    results = {}
    with tempfile.TemporaryDirectory() as work:
        for i in range(sessions):
            for how in ("stop", "sigterm"):
                for hung in (True, False):
                    name = f"bench-kill-{how}-{i}-{'hung' if hung else 'idle'}"
                    proc, d, app_pid = start(work, name)
                    if hung:
                        # Pause/resume while the tree waits: three of each per session.
                        for _ in range(3):
                            t, _ = hang(d, app_pid)
                            t0 = time.monotonic()
                            request(os.path.join(d, "review.sock"), {"type": "pause"})
                            results.setdefault("pause (tree hangs): reply", []).append(ms(t0))
                            request(os.path.join(d, "review.sock"), {"type": "resume"})
                            os.kill(app_pid, signal.SIGCONT)
                            t.join(60)
                        hang(d, app_pid)
                    end(proc, d, how, "tree hangs" if hung else "idle", results)
                    try:
                        os.kill(app_pid, signal.SIGCONT)
                    except ProcessLookupError:
                        pass
                fifo = os.path.join(work, f"verify-{how}-{i}")
                os.mkfifo(fifo)
                proc, d, _ = start(work, f"bench-kill-{how}-{i}-verify", verify_fifo=fifo)
                verify_hangs(d, fifo)
                end(proc, d, how, "verify hangs", results)
                proc, d, _ = start(work, f"bench-kill-{how}-{i}-chromium", app="chromium")
                end(proc, d, how, "Chromium, idle", results)
    print(f"kill switch and teardown (gtk3-widget-factory unless named; tree hangs: the app under SIGSTOP "
          f"while a tree waits; verify hangs: a reviewer's verify command runs), {sessions} sessions per path")
    for k, v in results.items():
        print(f"  {k:40s} {summary(v)}")

main()
