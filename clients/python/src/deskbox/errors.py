"""Exceptions of the deskbox client. Everything it raises derives from DeskboxError."""


class DeskboxError(Exception):
    """Base of every error the client raises."""


class SessionNotFound(DeskboxError):
    """The session has no agent socket where the session dir rules say."""


class ConnectionFailed(DeskboxError):
    """Connecting to the agent socket failed (permission, refused, path too long)."""


class ConnectionClosed(DeskboxError):
    """The session closed the connection (it ended, or was stopped) before the reply came."""


class InvalidRequest(DeskboxError, ValueError):
    """The request cannot be sent: not a JSON object, an id already in flight, too long."""


class ReplyTimeout(DeskboxError, TimeoutError):
    """No final reply within the timeout given. The request may still run."""


class ActionError(DeskboxError):
    """The session answered with "ok": false.

    `code` and `message` are the reply's error (docs/protocol.md, "Replies and
    errors"); `reply` is the whole reply, which for Anthropic blocks carries the
    `tool_result` with "is_error": true that the model should get back.
    """

    def __init__(self, reply):
        error = reply.get("error") if isinstance(reply.get("error"), dict) else {}
        self.code = error.get("code", "unknown")
        self.message = error.get("message", "")
        self.reply = reply
        text = "%s: %s" % (self.code, self.message)
        if reply.get("rule"):
            text += " (rule %s)" % reply["rule"]
        super().__init__(text)


class Refused(ActionError):
    """The policy gate refused the action, or a reviewer denied it; `rule` names the rule."""

    def __init__(self, reply):
        self.rule = reply.get("rule")
        super().__init__(reply)


class ProtocolViolation(DeskboxError):
    """The session sent something that is not a reply line (a bug on one side)."""


def error_for(reply):
    """The exception for a final reply with "ok": false."""
    error = reply.get("error") if isinstance(reply.get("error"), dict) else {}
    if error.get("code") == "refused":
        return Refused(reply)
    return ActionError(reply)
