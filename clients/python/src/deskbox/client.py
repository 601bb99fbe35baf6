"""A connection to a session's agent socket (docs/protocol.md).

Requests are JSON objects in any dialect, sent as they are, one per line.
Requests may overlap: each is matched to its replies by `id` (one is added
when the request has none), and a request waiting for a reviewer does not
hold up the others. One reader thread reads every reply line and hands it
to the waiting call; the caller's own thread runs its pending callback.
"""

import itertools
import json
import queue
import socket
import sys
import threading
import time

from .errors import (ConnectionClosed, ConnectionFailed, InvalidRequest, ProtocolViolation, ReplyTimeout,
                     error_for)
from .images import images_of
from .paths import agent_socket_path

MAX_LINE = 1024 * 1024  # the session's request line limit
MAX_ID_BYTES = 128


class Reply(dict):
    """One reply line: a dict, with helpers for what agents read from it."""

    @property
    def ok(self):
        return self.get("ok") is True

    @property
    def pending(self):
        return self.get("pending") is True

    def images(self):
        """The images the reply carries, decoded (deskbox.images.Image)."""
        return images_of(self)

    @property
    def image(self):
        """The last image of the reply, or None."""
        found = images_of(self)
        return found[-1] if found else None

    def raise_for_error(self):
        """Raises ActionError / Refused when the reply is an error; returns the reply otherwise."""
        if not self.pending and not self.ok:
            raise error_for(self)
        return self


def _id_key(request_id):
    # 1 and "1" are different ids on the wire; json.dumps keeps them apart.
    return json.dumps(request_id)


class _Closed:
    """What the reader hands to calls still waiting when the connection ends."""

    def __init__(self, error):
        self.error = error


class Call:
    """One request in flight: its reply lines arrive in `lines()`, the final one in `result()`."""

    def __init__(self, request_id, request):
        self.id = request_id
        self.request = request
        self._lines = queue.Queue()
        self._final = None

    @property
    def done(self):
        return self._final is not None

    def _next(self, deadline):
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise ReplyTimeout("no reply to request %s within the timeout" % json.dumps(self.id))
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                continue
            if isinstance(line, _Closed):
                self._lines.put(line)  # later waits see it too
                raise line.error
            return line

    def lines(self, timeout=None):
        """Yields each reply line: pending lines (reply.pending), then the final one."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._final is None:
            line = self._next(deadline)
            if not line.pending:
                self._final = line
            yield line
        # A final reply already consumed by result(): iterating again gives it once more.

    def result(self, timeout=None, on_pending=None, check=True):
        """Waits for the final reply. `on_pending(line)` is called for each pending line
        (a reviewer is deciding). With check=True an error reply raises ActionError/Refused."""
        if self._final is None:
            for line in self.lines(timeout):
                if line.pending and on_pending is not None:
                    on_pending(line)
        return self._final.raise_for_error() if check else self._final


class Client:
    """A connection to one session's agent socket. Use connect() to open one by session name."""

    def __init__(self, socket_path, connect_timeout=10.0):
        self.socket_path = socket_path
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.settimeout(connect_timeout)
        try:
            self._sock.connect(socket_path)
        except OSError as e:
            self._sock.close()
            raise ConnectionFailed("connecting to %s: %s" % (socket_path, e.strerror or e)) from e
        self._sock.settimeout(None)
        self._write_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._calls = {}  # id key -> Call, in sending order
        self._closed_error = None
        self._closing = False
        self._ids = itertools.count(1)
        self._reader = threading.Thread(target=self._read_loop, name="deskbox-reader", daemon=True)
        self._reader.start()

    # -- sending ------------------------------------------------------------------------------

    def submit(self, request):
        """Sends one request (a dict, or a JSON text of one) and returns its Call at once."""
        if isinstance(request, (str, bytes)):
            try:
                request = json.loads(request)
            except ValueError as e:
                raise InvalidRequest("request is not JSON: %s" % e) from None
        if not isinstance(request, dict):
            raise InvalidRequest("request must be a JSON object, not %s" % type(request).__name__)
        with self._state_lock:
            if self._closed_error is not None:
                raise self._closed_error
            if "id" in request:
                request_id = request["id"]
                self._check_id(request_id)
            else:
                request = dict(request)
                request_id = request["id"] = "py-%d" % next(self._ids)
            key = _id_key(request_id)
            if key in self._calls:
                raise InvalidRequest("request id %s is already in flight on this connection" % key)
            line = json.dumps(request, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
            if len(line) > MAX_LINE:
                raise InvalidRequest("request is %d bytes, over the session's line limit of %d" % (len(line), MAX_LINE))
            call = Call(request_id, request)
            self._calls[key] = call
        try:
            with self._write_lock:
                self._sock.sendall(line)
        except OSError as e:
            with self._state_lock:
                self._calls.pop(key, None)
            raise ConnectionClosed("sending to %s: %s" % (self.socket_path, e.strerror or e)) from e
        return call

    @staticmethod
    def _check_id(request_id):
        if isinstance(request_id, bool) or not isinstance(request_id, (str, int)):
            raise InvalidRequest("request id must be a string or an integer, not %s" % json.dumps(request_id))
        if isinstance(request_id, str) and len(request_id.encode("utf-8")) > MAX_ID_BYTES:
            raise InvalidRequest("request id is longer than %d bytes" % MAX_ID_BYTES)

    def request(self, request, timeout=None, on_pending=None, check=True):
        """Sends a request and waits for its final reply (see Call.result)."""
        return self.submit(request).result(timeout=timeout, on_pending=on_pending, check=check)

    def status(self, timeout=None):
        """The session's status document (not an action: it does not pass the gate)."""
        return self.request({"action": "status"}, timeout=timeout)["status"]

    # -- receiving ----------------------------------------------------------------------------

    def _read_loop(self):
        error = ConnectionClosed("the session closed the connection (it ended or was stopped)")
        try:
            with self._sock.makefile("rb") as stream:
                for raw in stream:
                    self._dispatch(raw)
        except ProtocolViolation as e:
            error = e
        except OSError as e:
            error = ConnectionClosed("reading from %s: %s" % (self.socket_path, e.strerror or e))
        if self._closing:
            error = ConnectionClosed("the connection was closed by this client (close())")
        self._finish(error)

    def _dispatch(self, raw):
        try:
            line = json.loads(raw)
        except ValueError as e:
            raise ProtocolViolation("the session sent a line that is not JSON: %s" % e) from None
        if not isinstance(line, dict):
            raise ProtocolViolation("the session sent a reply that is not an object: %.200s" % raw)
        reply = Reply(line)
        with self._state_lock:
            if "id" in line:
                call = self._calls.get(_id_key(line["id"]))
            else:
                # Only a line the session could not read has no id; this client never sends one,
                # so it answers the oldest request.
                call = next(iter(self._calls.values()), None)
            if call is None:
                raise ProtocolViolation("the session replied to id %s, which no request here has"
                                        % json.dumps(line.get("id")))
            if not reply.pending:
                del self._calls[_id_key(call.id)]
        call._lines.put(reply)

    def _finish(self, error):
        with self._state_lock:
            self._closed_error = error
            calls, self._calls = list(self._calls.values()), {}
        for call in calls:
            call._lines.put(_Closed(error))

    # -- lifetime -----------------------------------------------------------------------------

    def close(self):
        """Closes the connection; calls still waiting get ConnectionClosed."""
        self._closing = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already shut down by the other side
        self._reader.join()
        self._sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def print_pending(line, file=None):
    """An on_pending callback for scripts: says on stderr who is waiting for what."""
    print("deskbox: waiting for a reviewer (approval %s, rule %s): %s"
          % (line.get("approval_id"), line.get("rule"), line.get("reason")), file=file or sys.stderr)


def connect(session=None, socket_path=None, connect_timeout=10.0):
    """Connects to session `session` (found like the CLI finds it) or to `socket_path`."""
    if (session is None) == (socket_path is None):
        raise TypeError("connect() takes a session name or socket_path=, exactly one")
    return Client(socket_path if socket_path is not None else agent_socket_path(session), connect_timeout)
