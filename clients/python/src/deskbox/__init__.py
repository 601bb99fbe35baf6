"""Python client for deskbox sessions: connect by session name, send any agent
dialect verbatim over the agent socket, get replies and decoded images.

    import deskbox
    with deskbox.connect("demo") as session:
        reply = session.request({"type": "tool_use", "id": "toolu_1", "name": "screenshot",
                                 "toolset_name": "computer", "input": {}})
        reply.image.save("shot.png")

Standard library only. docs/protocol.md describes the wire format.
"""

from .client import Call, Client, Reply, connect, print_pending
from .errors import (ActionError, ConnectionClosed, ConnectionFailed, DeskboxError, InvalidRequest,
                     ProtocolViolation, Refused, ReplyTimeout, SessionNotFound)
from .images import Image
from .paths import agent_socket_path, find_session_dir

__version__ = "0.1.0"

__all__ = [
    "ActionError", "Call", "Client", "ConnectionClosed", "ConnectionFailed", "DeskboxError", "Image",
    "InvalidRequest", "ProtocolViolation", "Refused", "Reply", "ReplyTimeout", "SessionNotFound",
    "agent_socket_path", "connect", "find_session_dir", "print_pending",
]
