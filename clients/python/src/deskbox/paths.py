"""Where a session's agent socket is, by the same rules as the deskbox CLI.

The rules are those of supervisor/session/paths.cc (find_session_dir) and
docs/protocol.md: DESKBOX_RUNTIME_DIR replaces the parent dir; root uses
/run/deskbox; anyone else uses $XDG_RUNTIME_DIR/deskbox when the session is
there, else a system session in /run/deskbox (a member of the deskbox group
connecting to a root session), and /run/deskbox when XDG_RUNTIME_DIR is unset.
"""

import os
import stat

from .errors import SessionNotFound

SYSTEM_RUNTIME_PARENT = "/run/deskbox"
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


def validate_session_name(name):
    """Raises ValueError with the CLI's wording when `name` cannot be a session name."""
    if not isinstance(name, str):
        raise TypeError("session name must be a string, not %s" % type(name).__name__)
    if not name or len(name) > 48:
        raise ValueError("session name '%s': must be 1 to 48 characters long" % name)
    if name[0] in ".-":
        raise ValueError("session name '%s': must not start with '.' or '-'" % name)
    if not set(name) <= _NAME_CHARS:
        raise ValueError("session name '%s': only letters, digits, '_', '-' and '.' are allowed" % name)


def _lexists(path):
    try:
        os.lstat(path)
        return True
    except OSError:
        return False


def _is_real_dir(path):
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def find_session_dir(name, environ=None, euid=None):
    """The directory of session `name` (it may not exist: connecting says so)."""
    validate_session_name(name)
    env = os.environ if environ is None else environ
    uid = os.geteuid() if euid is None else euid
    override = env.get("DESKBOX_RUNTIME_DIR", "")
    if override:
        return os.path.join(override, name)
    system_dir = os.path.join(SYSTEM_RUNTIME_PARENT, name)
    if uid == 0:
        return system_dir
    xdg = env.get("XDG_RUNTIME_DIR", "")
    if not xdg:
        return system_dir  # e.g. under sudo -u / runuser: no user runtime dir, no user sessions
    own = os.path.join(xdg, "deskbox", name)
    if _lexists(own):
        return own
    if _is_real_dir(system_dir):
        return system_dir
    return own


def agent_socket_path(name, environ=None, euid=None):
    """<session dir>/agent.sock for session `name`; SessionNotFound when there is none."""
    session_dir = find_session_dir(name, environ, euid)
    path = os.path.join(session_dir, "agent.sock")
    if not _lexists(path):
        where = "no session dir %s" % session_dir if not _lexists(session_dir) else "no %s" % path
        raise SessionNotFound(
            "session '%s' is not running (%s); start it with `deskbox run` "
            "(DESKBOX_RUNTIME_DIR, root or XDG_RUNTIME_DIR decide where sessions live)" % (name, where))
    return path
