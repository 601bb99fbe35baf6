#!/usr/bin/env python3
"""An agent that keeps its connection to agent.sock open: times screenshot
requests (PNG, JPEG q80) one JSON line each way, interleaved, and prints the
samples in seconds as JSON. Used by screenshot_session.sh.

    screenshot_socket_client.py AGENT_SOCKET RUNS
"""
import base64
import json
import socket
import sys
import time


def main():
    path, runs = sys.argv[1], int(sys.argv[2])
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    reader = sock.makefile("rb")
    requests = {
        "agent socket PNG (open connection)": {"action": "screenshot", "format": "png"},
        "agent socket JPEG q80 (open connection)": {"action": "screenshot", "format": "jpeg", "quality": 80},
    }
    samples = {name: [] for name in requests}
    for i in range(runs + 2):  # the first two rounds are warm-up
        for name, request in requests.items():
            line = (json.dumps(dict(request, id=f"{name}-{i}")) + "\n").encode()
            start = time.perf_counter()
            sock.sendall(line)
            reply = json.loads(reader.readline())
            image = base64.b64decode(reply["result"]["image"]["data"])  # what an agent would do with it
            elapsed = time.perf_counter() - start
            if not reply.get("ok") or not image:
                sys.exit(f"screenshot failed: {reply.get('error')}")
            if i >= 2:
                samples[name].append(elapsed)
    json.dump(samples, sys.stdout)


if __name__ == "__main__":
    main()
