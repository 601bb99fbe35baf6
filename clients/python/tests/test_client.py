"""Unit tests of the client's framing, dispatch by id, pending lines, images,
errors and session dir rules, against a local fake agent socket (the real
session is in live_examples.py, run by tests/integration/python_client_test.cc).

    python3 -m unittest discover -s clients/python/tests
"""

import base64
import json
import os
import socket
import struct
import sys
import tempfile
import threading
import unittest
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import deskbox  # noqa: E402
from deskbox import paths  # noqa: E402


def tiny_png(width, height):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


class FakeSession:
    """An agent socket that hands each request line to `script(request, send)`; `send(obj)` writes a line.
    Requests are served in order on one thread, so a script can hold one back and answer it later."""

    def __init__(self, script):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "agent.sock")
        self.script = script
        self.received = []  # raw lines, as bytes
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(1)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.listener.accept()
        self.conn = conn
        with conn, conn.makefile("rb") as lines:
            def send(obj):
                conn.sendall(json.dumps(obj).encode() + b"\n")
            for raw in lines:
                self.received.append(raw)
                if self.script(json.loads(raw), send) == "close":
                    conn.shutdown(socket.SHUT_RDWR)
                    return

    def close(self):
        self.listener.close()
        self.thread.join(timeout=10)
        self.dir.cleanup()


def ok_reply(request, **fields):
    return dict({"id": request["id"], "ok": True}, **fields)


class ClientTest(unittest.TestCase):
    def serve(self, script):
        fake = FakeSession(script)
        self.addCleanup(fake.close)
        client = deskbox.connect(socket_path=fake.path)
        self.addCleanup(client.close)
        return fake, client

    def test_requests_are_sent_verbatim_one_line_each(self):
        fake, client = self.serve(lambda r, send: send(ok_reply(r, dialect="anthropic")))
        block = {"type": "tool_use", "id": "toolu_01", "name": "type", "toolset_name": "computer",
                 "input": {"text": "é中\nline"}}
        reply = client.request(block)
        self.assertTrue(reply.ok)
        self.assertEqual(reply["id"], "toolu_01")
        self.assertEqual(len(fake.received), 1)
        self.assertTrue(fake.received[0].endswith(b"}\n") and fake.received[0].count(b"\n") == 1)
        self.assertEqual(json.loads(fake.received[0]), block)
        # A JSON text is sent as the object it holds.
        client.request('{"id": 7, "action": "screenshot"}')
        self.assertEqual(json.loads(fake.received[1]), {"id": 7, "action": "screenshot"})

    def test_an_id_is_added_only_when_missing(self):
        fake, client = self.serve(lambda r, send: send(ok_reply(r)))
        reply = client.request({"action": "cursor_position"})
        sent = json.loads(fake.received[0])
        self.assertEqual(sent["action"], "cursor_position")
        self.assertEqual(reply["id"], sent["id"])
        self.assertTrue(sent["id"].startswith("py-"))

    def test_overlapping_requests_get_their_own_replies_by_id(self):
        held = []

        def script(request, send):
            if request["id"] == "slow":
                held.append(request)  # answered after the next ones
                return
            send(ok_reply(request, result={"n": request["n"]}))
            if request["id"] == 2:
                send(ok_reply(held[0], result={"n": "slow"}))

        fake, client = self.serve(script)
        slow = client.submit({"id": "slow", "action": "wait", "n": 0})
        one = client.submit({"id": 1, "action": "wait", "n": 1})
        self.assertEqual(one.result(timeout=10)["result"], {"n": 1})
        self.assertFalse(slow.done)
        two = client.submit({"id": 2, "action": "wait", "n": 2})
        self.assertEqual(two.result(timeout=10)["result"], {"n": 2})
        self.assertEqual(slow.result(timeout=10)["result"], {"n": "slow"})

    def test_integer_and_string_ids_are_different(self):
        def script(request, send):
            if request["id"] == "1":
                send(ok_reply(request, which="string"))

        fake, client = self.serve(script)
        as_int = client.submit({"id": 1, "action": "wait"})
        as_str = client.submit({"id": "1", "action": "wait"})
        self.assertEqual(as_str.result(timeout=10)["which"], "string")
        self.assertFalse(as_int.done)

    def test_pending_lines_reach_the_callback_and_the_iterator(self):
        def script(request, send):
            send({"id": request["id"], "pending": True, "dialect": "openai", "action": "type",
                  "approval_id": "A1", "rule": "openai:safety_check", "reason": "waiting for a reviewer"})
            send(ok_reply(request, item={"type": "computer_call_output"}))

        fake, client = self.serve(script)
        seen = []
        reply = client.request({"type": "computer_call", "id": "cu_1", "action": {"type": "type", "text": "x"}},
                               on_pending=seen.append)
        self.assertEqual([line["approval_id"] for line in seen], ["A1"])
        self.assertEqual(reply["item"]["type"], "computer_call_output")
        lines = list(client.submit({"id": "cu_2", "action": {"type": "wait"}}).lines(timeout=10))
        self.assertEqual([line.pending for line in lines], [True, False])

    def test_refusals_and_errors_raise_with_the_reply(self):
        def script(request, send):
            if request["id"] == "r":
                send({"id": "r", "ok": False, "rule": "no-terminal", "error": {"code": "refused", "message": "denied"}})
            else:
                send({"id": request["id"], "ok": False, "error": {"code": "unknown_key", "message": "unknown key 'x'"},
                      "tool_result": {"type": "tool_result", "tool_use_id": request["id"], "is_error": True}})

        fake, client = self.serve(script)
        with self.assertRaises(deskbox.Refused) as refused:
            client.request({"id": "r", "action": "left_click"})
        self.assertEqual((refused.exception.rule, refused.exception.code), ("no-terminal", "refused"))
        self.assertIn("rule no-terminal", str(refused.exception))
        with self.assertRaises(deskbox.ActionError) as failed:
            client.request({"id": "k", "action": "key"})
        self.assertNotIsInstance(failed.exception, deskbox.Refused)
        self.assertEqual(str(failed.exception), "unknown_key: unknown key 'x'")
        self.assertTrue(failed.exception.reply["tool_result"]["is_error"])
        reply = client.request({"id": "k2", "action": "key"}, check=False)
        self.assertFalse(reply.ok)

    def test_images_are_decoded_in_every_dialect(self):
        png = tiny_png(3, 2)
        data = base64.b64encode(png).decode()

        def script(request, send):
            send(ok_reply(request, **{
                "anthropic": {"tool_result": {"type": "tool_result", "content": [
                    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}}]}},
                "openai": {"item": {"type": "computer_call_output", "output": {
                    "type": "computer_screenshot", "image_url": "data:image/png;base64," + data}}},
                "deskbox": {"result": {"image": {"mime": "image/png", "width": 3, "height": 2, "data": data}}},
            }[request["dialect"]]))

        fake, client = self.serve(script)
        for dialect in ("anthropic", "openai", "deskbox"):
            image = client.request({"dialect": dialect, "action": "screenshot"}).image
            self.assertEqual((image.mime, image.width, image.height, image.data), ("image/png", 3, 2, png), dialect)

    def test_bad_image_data_is_a_clear_error(self):
        fake, client = self.serve(lambda r, send: send(ok_reply(r, result={"image": {"mime": "image/png",
                                                                                     "data": "not base64!"}})))
        with self.assertRaisesRegex(deskbox.ProtocolViolation, "result.image.data: not base64"):
            client.request({"action": "screenshot"}).image

    def test_a_closed_connection_fails_waiting_and_later_requests(self):
        fake, client = self.serve(lambda r, send: "close")
        call = client.submit({"id": 1, "action": "wait"})
        with self.assertRaisesRegex(deskbox.ConnectionClosed, "closed the connection"):
            call.result(timeout=10)
        with self.assertRaises(deskbox.ConnectionClosed):
            call.result(timeout=10)  # asked again: the same answer, no hang
        with self.assertRaises(deskbox.ConnectionClosed):
            client.submit({"id": 2, "action": "wait"})

    def test_close_fails_the_calls_still_waiting(self):
        fake, client = self.serve(lambda r, send: None)
        call = client.submit({"id": 1, "action": "wait"})
        client.close()
        with self.assertRaisesRegex(deskbox.ConnectionClosed, "closed by this client"):
            call.result(timeout=10)

    def test_a_timeout_leaves_the_request_in_flight(self):
        answer = []
        read = threading.Event()

        def script(request, send):
            answer.append(lambda: send(ok_reply(request)))
            read.set()

        fake, client = self.serve(script)
        call = client.submit({"id": 1, "action": "wait"})
        with self.assertRaisesRegex(deskbox.ReplyTimeout, "no reply to request 1 within the timeout"):
            call.result(timeout=0.05)
        self.assertTrue(read.wait(timeout=10), "the fake session never read the request")
        answer[0]()
        self.assertTrue(call.result(timeout=10).ok)

    def test_invalid_requests_are_refused_before_sending(self):
        fake, client = self.serve(lambda r, send: None if r["id"] == "dup" else send(ok_reply(r)))
        cases = [("[1, 2]", "must be a JSON object, not list"), ("{nope", "request is not JSON"),
                 ({"id": 1.5}, "string or an integer, not 1.5"), ({"id": True}, "not true"),
                 ({"id": "x" * 129}, "longer than 128 bytes"),
                 ({"action": "type", "text": "x" * (1024 * 1024)}, "over the session's line limit")]
        for request, message in cases:
            with self.assertRaisesRegex(deskbox.InvalidRequest, message):
                client.submit(request)
        client.submit({"id": "dup", "action": "wait"})
        with self.assertRaisesRegex(deskbox.InvalidRequest, 'id "dup" is already in flight'):
            client.submit({"id": "dup", "action": "wait"})
        self.assertTrue(client.request({"id": "after", "action": "wait"}, timeout=10).ok)
        self.assertEqual([json.loads(line)["id"] for line in fake.received], ["dup", "after"])

    def test_a_reply_for_no_request_is_a_protocol_violation(self):
        fake, client = self.serve(lambda r, send: send({"id": "someone-else", "ok": True}))
        with self.assertRaisesRegex(deskbox.ProtocolViolation, 'replied to id "someone-else"'):
            client.request({"id": 1, "action": "wait"}, timeout=10)


class ConnectTest(unittest.TestCase):
    def test_a_missing_session_names_the_dir(self):
        with tempfile.TemporaryDirectory() as runtime:
            os.environ["DESKBOX_RUNTIME_DIR"] = runtime
            try:
                with self.assertRaisesRegex(deskbox.SessionNotFound,
                                            "session 'ghost' is not running \\(no session dir %s/ghost\\)" % runtime):
                    deskbox.connect("ghost")
            finally:
                del os.environ["DESKBOX_RUNTIME_DIR"]

    def test_a_socket_nobody_listens_on_is_a_connection_failure(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "agent.sock")
            s = socket.socket(socket.AF_UNIX)
            s.bind(path)
            s.close()  # the file stays, nobody listens
            with self.assertRaisesRegex(deskbox.ConnectionFailed, "connecting to %s: Connection refused" % path):
                deskbox.connect(socket_path=path)

    def test_bad_names_are_refused_with_the_cli_wording(self):
        for name, message in (("", "1 to 48"), ("-x", "must not start"), ("a/b", "only letters"), ("x" * 49, "1 to 48")):
            with self.assertRaisesRegex(ValueError, message):
                paths.find_session_dir(name, environ={}, euid=1000)


class SessionDirTest(unittest.TestCase):
    """The rules of supervisor/session/paths.cc find_session_dir."""

    def test_rules(self):
        with tempfile.TemporaryDirectory() as xdg:
            find = paths.find_session_dir
            self.assertEqual(find("s", {"DESKBOX_RUNTIME_DIR": "/o", "XDG_RUNTIME_DIR": xdg}, 1000), "/o/s")
            self.assertEqual(find("s", {"XDG_RUNTIME_DIR": xdg}, 0), "/run/deskbox/s")
            self.assertEqual(find("s", {}, 1000), "/run/deskbox/s")
            # Neither exists: the user's own dir (where the user's `deskbox run` would put it).
            self.assertEqual(find("nosuchsession-py", {"XDG_RUNTIME_DIR": xdg}, 1000),
                             os.path.join(xdg, "deskbox", "nosuchsession-py"))
            os.makedirs(os.path.join(xdg, "deskbox", "mine"))
            self.assertEqual(find("mine", {"XDG_RUNTIME_DIR": xdg}, 1000), os.path.join(xdg, "deskbox", "mine"))


if __name__ == "__main__":
    unittest.main()
