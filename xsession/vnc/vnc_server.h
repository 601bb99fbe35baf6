// The reviewer view of a session: x11vnc on the session display (started
// through the Spawner, so inside the sandbox for real sessions), listening on
// 127.0.0.1 inside the session's network namespace only, with a per-session
// password, and a VncForwarder that makes it reachable from the host through
// <session dir>/vnc.sock and/or a host 127.0.0.1 port.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/base/event_loop.h"
#include "supervisor/base/spawner.h"
#include "supervisor/base/units.h"
#include "xsession/vnc/vnc_forwarder.h"
#include "xsession/vnc/vnc_password.h"

namespace deskbox {

struct VncEndpoint {
    std::string socket_path;    // unix socket for reviewers ("" if none)
    int port = 0;               // host 127.0.0.1 port (0 if none)
    std::string password_file;  // vncpasswd-format file for clients (-passwd)
};

struct VncOptions {
    int display_number = -1;
    std::string auth_file_child;  // the Xauthority file as x11vnc sees it
    bool view_only = true;
    // One viewer at a time (a takeover's server: its reviewer alone); a second
    // connection is refused while one is connected.
    bool single_viewer = false;
    std::string password;                          // empty: a random one (random_vnc_password)
    std::string password_file_host;                // where the supervisor writes x11vnc's password file (staging dir)
    std::string password_file_child;               // the same file as x11vnc sees it; empty: same as host
    std::optional<FileOwner> password_file_owner;  // x11vnc's user, who must read password_file_host
    std::string reviewer_password_file;            // a copy for reviewers (session dir); empty: password_file_host
    std::string socket_path;                       // <session dir>/vnc.sock; empty: none
    bool host_port = false;                        // also listen on host 127.0.0.1
    int host_port_number = 0;                      // 0: any free port
    std::optional<uid_t> socket_owner;             // VncForwarderOptions::socket_owner
    int netns_fd = -1;                             // session netns (where x11vnc listens); -1: this namespace.
                                                   // Borrowed for the call: the forwarder keeps its own duplicate
    int rfb_port = 5900;                           // x11vnc's port on 127.0.0.1 in that namespace
    std::vector<std::string> extra_env;
    Millis timeout{15000};
    std::function<void(int wait_status)> on_exit;  // x11vnc ended after it was ready
};

class VncServer {
public:
    VncServer(Spawner& spawner, ProcessId pid, std::unique_ptr<VncForwarder> forwarder, VncEndpoint endpoint);
    ~VncServer();  // stops x11vnc (SIGTERM) and the forwarder
    VncServer(const VncServer&) = delete;
    VncServer& operator=(const VncServer&) = delete;

    const VncEndpoint& endpoint() const { return endpoint_; }
    ProcessId pid() const { return pid_; }
    const VncForwarder& forwarder() const { return *forwarder_; }

private:
    Spawner& spawner_;
    ProcessId pid_;
    std::unique_ptr<VncForwarder> forwarder_;
    VncEndpoint endpoint_;
};

// Starts x11vnc and waits (by event: it prints PORT=N on stdout when it
// listens) for it to be ready, then opens the forwarder. Throws deskbox::Error
// naming x11vnc's exit status if it ends first, or the timeout.
std::unique_ptr<VncServer> start_vnc(Spawner& spawner, EventLoop& loop, const VncOptions& options);

// The commands a reviewer runs, for `deskbox status`, each one working as
// printed: "vncviewer -passwd FILE 127.0.0.1::PORT" (TigerVNC's, TightVNC's
// and vncsnapshot's syntax) and, for the socket, "xtigervncviewer -passwd
// FILE PATH" (TigerVNC's viewer is the one Debian client that connects to a
// unix socket). Joined by "; or ".
std::string describe_vnc_endpoint(const VncEndpoint& endpoint);

}  // namespace deskbox
