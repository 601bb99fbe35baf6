// The session's VNC servers for reviewers, both x11vnc inside the sandbox on
// the session display, reached only through the supervisor's forwarder:
//   - the view (review.vnc): view-only, shared, <session dir>/vnc.sock and a
//     host 127.0.0.1 port, its password in <session dir>/vnc.passwd;
//   - a takeover's: input enabled, one viewer at a time, only
//     <session dir>/takeover.sock owned by the reviewer who took control, and
//     a fresh password that only that reviewer is told (docs/review.md).
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

#include "supervisor/session/parts/dirs.h"
#include "supervisor/session/parts/display.h"
#include "supervisor/session/parts/sandbox.h"
#include "supervisor/session/session_control.h"
#include "xsession/vnc/vnc_server.h"

namespace deskbox {

// What both servers run on.
struct VncParts {
    const DirsPart& dirs;
    SandboxPart& sandbox;
    const DisplayPart& display;
    SessionControl& control;
};

std::unique_ptr<VncServer> start_view_vnc(const VncParts& session);

// `owner`: the uid the socket is handed to (when the supervisor is root).
// `number`: how many takeovers came before in this session; each listens on a
// port of its own (5901, 5902, ... inside the session's network namespace), so
// a new one never waits for the last one's x11vnc to finish exiting.
std::unique_ptr<VncServer> start_takeover_vnc(const VncParts& session, std::optional<uid_t> owner,
                                              const std::string& password, unsigned number);

}  // namespace deskbox
