#!/usr/bin/python3
"""Accessibility tree: deskbox-a11y against a pyatspi walk (OSWorld's method).

Same app, same run: for each app the script starts a private session (Xvfb,
session D-Bus, AT-SPI bus launcher, the app with accessibility on), waits for
the app in the AT-SPI tree, then alternates the two methods N times:

  deskbox   one "tree" request to the deskbox-a11y helper (JSON lines over a
            pipe), timed from the request to the parsed reply;
  pyatspi   a recursive pyatspi walk that reads what OSWorld's
            desktop_env/server/main.py reads for every node (states, object
            attributes, extents when showing and visible, text, image/
            selection/value/action interfaces, action names/descriptions/key
            bindings, role) and serialises it with lxml, with OSWorld's limits
            (depth 50, 1024 children per node) and its visible-cell loop for
            spreadsheet tables.

Prints medians and spread (min..max) of wall time, element counts and output
sizes. Usage: bench/a11y_bench.py BUILD_DIR [--runs N] [--apps gtk,chromium,calc]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

WALK_TIMEOUT = 300  # seconds; a pyatspi walk that takes longer is reported as "> 300 s"
FORM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "a11y", "form.html")

APPS = {
    "gtk": {"argv": ["gtk3-widget-factory"], "ready": ("push button", None)},
    "chromium": {
        "argv": ["chromium", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--force-renderer-accessibility",
                 "--window-position=0,0", "--window-size=1280,800", "file://" + os.path.realpath(FORM)],
        "ready": ("push button", "Submit note"),
        "user_data": True,
    },
    "calc": {"argv": ["libreoffice", "--calc", "--norestore", "--nologo"], "ready": ("table cell", "A1")},
}

NS = {
    "st": "https://accessibility.ubuntu.example.org/ns/state",
    "attr": "https://accessibility.ubuntu.example.org/ns/attributes",
    "cp": "https://accessibility.ubuntu.example.org/ns/component",
    "doc": "https://accessibility.ubuntu.example.org/ns/document",
    "docattr": "https://accessibility.ubuntu.example.org/ns/document/attributes",
    "txt": "https://accessibility.ubuntu.example.org/ns/text",
    "val": "https://accessibility.ubuntu.example.org/ns/value",
    "act": "https://accessibility.ubuntu.example.org/ns/action",
}


class Session:
    def __init__(self, app):
        self.dir = tempfile.mkdtemp(prefix="deskbox-a11y-bench-")
        self.procs = []
        display = ""
        for _ in range(3):  # Xvfb gives up when the display it picked is taken meanwhile: try again
            r, w = os.pipe()
            self.xvfb = self.spawn(["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                   pass_fds=(w,))
            os.close(w)
            # Up to the newline: Xvfb writes the number and the newline separately
            # and dies of EPIPE when the reader has already closed.
            data = b""
            while not data.endswith(b"\n"):
                chunk = os.read(r, 64)
                if not chunk:
                    break
                data += chunk
            display = data.decode().strip()
            os.close(r)
            if display:
                break
        if not display:
            sys.exit("Xvfb did not start")
        self.env = {"PATH": os.environ["PATH"], "HOME": self.dir, "XDG_RUNTIME_DIR": self.dir,
                    "DISPLAY": ":" + display, "LANG": "C.UTF-8", "GDK_BACKEND": "x11"}
        r, w = os.pipe()
        self.spawn(["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=%d" % w], pass_fds=(w,))
        os.close(w)
        address = b""
        while not address.endswith(b"\n"):
            chunk = os.read(r, 512)
            if not chunk:
                sys.exit("dbus-daemon exited before printing its address")
            address += chunk
        os.close(r)
        self.env.update({"DBUS_SESSION_BUS_ADDRESS": address.decode().strip(), "GTK_MODULES": "gail:atk-bridge",
                         "NO_AT_BRIDGE": "0", "ACCESSIBILITY_ENABLED": "1", "GNOME_ACCESSIBILITY": "1",
                         "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1", "QT_ACCESSIBILITY": "1",
                         "SAL_USE_VCLPLUGIN": "gtk3"})
        self.spawn(["/usr/libexec/at-spi-bus-launcher", "--launch-immediately", "--a11y=1"])
        # As start_session_bus: ready once it owns org.a11y.Bus (gdbus waits for the signal).
        subprocess.run(["gdbus", "wait", "--session", "--timeout", "20", "org.a11y.Bus"], env=self.env, check=True)
        argv = list(APPS[app]["argv"])
        if APPS[app].get("user_data"):
            argv.insert(1, "--user-data-dir=" + os.path.join(self.dir, "profile"))
        self.spawn(argv)

    def spawn(self, argv, pass_fds=()):
        p = subprocess.Popen(argv, env=getattr(self, "env", os.environ), pass_fds=pass_fds,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        self.procs.append(p)
        return p

    def close(self):
        for p in reversed(self.procs):
            try:
                os.killpg(p.pid, 9)
            except ProcessLookupError:
                pass
            p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Helper:
    def __init__(self, path, env):
        self.p = subprocess.Popen([path], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL)
        self.seq = 0
        self.call({"op": "ping"})

    def call(self, req):
        self.seq += 1
        req["seq"] = self.seq
        self.p.stdin.write((json.dumps(req) + "\n").encode())
        self.p.stdin.flush()
        while True:
            reply = json.loads(self.p.stdout.readline())
            if reply.get("seq") == self.seq:
                if not reply.get("ok"):
                    raise RuntimeError(reply.get("error"))
                return reply

    def wait_for(self, role, name, timeout):
        deadline = time.monotonic() + timeout
        target = {"role": role}
        if name:
            target["name"] = name
        while True:
            r = self.call({"op": "find", "target": target, "limits": {"time_ms": 10000, "max_nodes": 20000}})
            if r["elements"]:
                return
            left = deadline - time.monotonic()
            if left <= 0:
                sys.exit("timed out waiting for %s %s" % (role, name))
            # Wakes on the next AT-SPI event, not on a timer.
            self.call({"op": "wait_event", "since": r["events"], "timeout_ms": int(min(left, 5) * 1000)})

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def pyatspi_walk(env):
    """OSWorld's tree, gathered the way desktop_env/server/main.py gathers it."""
    os.environ.update(env)
    import pyatspi
    from pyatspi import StateType, STATE_SHOWING
    import lxml.etree

    def node_xml(node, depth, flag):
        attrs = {"name": node.name}
        for st in node.getState().get_states():
            state = StateType._enum_lookup[st].split("_", 1)[1].lower()
            if state:
                attrs["{%s}%s" % (NS["st"], state)] = "true"
        for k, v in node.get_attributes().items():
            if k:
                attrs["{%s}%s" % (NS["attr"], k)] = v
        if attrs.get("{%s}visible" % NS["st"]) == "true" and attrs.get("{%s}showing" % NS["st"]) == "true":
            try:
                comp = node.queryComponent()
                box = comp.getExtents(pyatspi.XY_SCREEN)
                attrs["{%s}screencoord" % NS["cp"]] = str(tuple(box[0:2]))
                attrs["{%s}size" % NS["cp"]] = str(tuple(box[2:]))
            except NotImplementedError:
                pass
        text = ""
        try:
            t = node.queryText()
            text = t.getText(0, t.characterCount).replace("\ufffc", "").replace("\ufffd", "")
        except NotImplementedError:
            pass
        for query, key in ((node.queryImage, "image"), (node.querySelection, "selection")):
            try:
                query()
                attrs[key] = "true"
            except NotImplementedError:
                pass
        try:
            v = node.queryValue()
            for key, get in (("value", lambda: v.currentValue), ("min", lambda: v.minimumValue),
                             ("max", lambda: v.maximumValue), ("step", lambda: v.minimumIncrement)):
                try:
                    attrs["{%s}%s" % (NS["val"], key)] = str(get())
                except Exception:
                    pass
        except NotImplementedError:
            pass
        try:
            a = node.queryAction()
            for i in range(a.nActions):
                name = a.getName(i).replace(" ", "-")
                attrs["{%s}%s_desc" % (NS["act"], name)] = a.getDescription(i)
                attrs["{%s}%s_kb" % (NS["act"], name)] = a.getKeyBinding(i)
        except NotImplementedError:
            pass
        role = node.getRoleName().strip()
        tag = (role or "unknown").replace(" ", "-")
        if not flag and role == "document spreadsheet":
            flag = "calc"
        el = lxml.etree.Element(tag, attrib=attrs, nsmap=NS)
        if text:
            el.text = text
        if depth == 50:
            return el
        if flag == "calc" and tag == "table":
            # The visible cells: rows until one ends without a showing cell (OSWorld's loop).
            columns, base, first, col_base = 16384, 0, False, None
            for r in range(1048576):
                clm = 0
                for clm in range(col_base or 0, columns):
                    child = node[base + clm]
                    if child.getState().contains(STATE_SHOWING):
                        el.append(node_xml(child, depth + 1, flag))
                        if not first:
                            col_base, first = clm, True
                    elif first and col_base is not None or clm >= 500:
                        break
                if first and clm == col_base or not first and r >= 500:
                    break
                base += columns
            return el
        try:
            for i, child in enumerate(node):
                if i == 1024:
                    break
                el.append(node_xml(child, depth + 1, flag))
        except Exception:
            pass
        return el

    desktop = pyatspi.Registry.getDesktop(0)
    root = lxml.etree.Element("desktop-frame", nsmap=NS)
    for app in desktop:
        root.append(node_xml(app, 1, None))
    return root


def measure(app, build, runs):
    s = Session(app)
    try:
        helper = Helper(os.path.join(build, "xsession/a11y/helper/deskbox-a11y"), s.env)
        role, name = APPS[app]["ready"]
        helper.wait_for(role, name, 300)
        ours, theirs = [], []
        for _ in range(runs):
            t0 = time.monotonic()
            reply = helper.call({"op": "tree", "limits": {"max_nodes": 20000, "time_ms": 10000,
                                                          "max_reply_bytes": 16 << 20}})
            ours.append((time.monotonic() - t0, len(reply["elements"]), len(json.dumps(reply)), reply["truncated"],
                         reply["reason"], reply.get("calls", 0)))
            # pyatspi in a fresh process each time, as OSWorld's server answers a request (import cost excluded).
            code = ("import sys, time, json; sys.path.insert(0, %r); import a11y_bench as b, lxml.etree;"
                    "t0 = time.monotonic(); root = b.pyatspi_walk(%r); xml = lxml.etree.tostring(root, encoding='unicode');"
                    "print(json.dumps([time.monotonic() - t0, sum(1 for _ in root.iter()) - 1, len(xml)]))"
                    % (os.path.dirname(os.path.abspath(__file__)), s.env))
            env = dict(s.env, PYTHONDONTWRITEBYTECODE="1")
            try:
                out = subprocess.run(["/usr/bin/python3", "-c", code], env=env, capture_output=True, text=True,
                                     timeout=WALK_TIMEOUT)
            except subprocess.TimeoutExpired:
                theirs.append((float(WALK_TIMEOUT), 0, 0))  # reported as "> timeout"
                continue
            if out.returncode != 0:
                raise RuntimeError("pyatspi walk failed: " + out.stderr[-2000:])
            theirs.append(tuple(json.loads(out.stdout.strip().splitlines()[-1])))
        helper.close()
        return ours, theirs
    finally:
        s.close()


def summary(values):
    return "%.3f s (%.3f..%.3f)" % (statistics.median(values), min(values), max(values))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--apps", default="gtk,chromium,calc")
    args = ap.parse_args()
    print("| app | deskbox-a11y tree | elements | D-Bus calls | JSON bytes | pyatspi walk (OSWorld) | elements | XML bytes | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|")
    for app in args.apps.split(","):
        ours, theirs = measure(app, args.build, args.runs)
        mo, mt = statistics.median(t[0] for t in ours), statistics.median(t[0] for t in theirs)
        cut = " (truncated: %s)" % ours[-1][4] if ours[-1][3] else ""
        print("| %s | %s%s | %d | %d | %d | %s | %d | %d | %.1fx |" % (
            app, summary([t[0] for t in ours]), cut, ours[-1][1], ours[-1][5], ours[-1][2], summary([t[0] for t in theirs]),
            theirs[-1][1], theirs[-1][2], mt / mo))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
