// What a running session offers beyond its sandbox and apps, wired together:
// the audit log, the policy gate with approvals, the agent and reviewer
// sockets, the X connection and Desktop, accessibility (session bus, AT-SPI,
// the in-sandbox helper), the egress proxy and the reviewers' VNC view.
//
//   run_session():  prepare → open_audit → start_sandbox → start_display →
//                   start_network + start_accessibility_bus (app env) →
//                   start_apps → start_control → run → finish
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "supervisor/session/session.h"

namespace deskbox {

class SessionServices {
public:
    explicit SessionServices(Session& session);
    ~SessionServices();
    SessionServices(const SessionServices&) = delete;
    SessionServices& operator=(const SessionServices&) = delete;

    // session_start (manifest and policy hashes) and admission records.
    void open_audit();
    // network.mode allowlist: the egress proxy listening inside the session
    // netns; returns the proxy environment for apps (empty for mode none).
    std::vector<std::string> start_network();
    // Session D-Bus + AT-SPI bus; returns the accessibility environment for apps.
    std::vector<std::string> start_accessibility_bus();
    // After the apps: X connection (in the session netns), Desktop, a11y helper,
    // gate, agent.sock, review.sock, VNC.
    void start_control();
    // The end: verification checks, the teardown record. Returns the exit code
    // (non-zero when a check failed).
    int finish(int exit_code);

private:
    void start_reviewer_view();  // x11vnc + forwarder (review.vnc)

    struct State;
    Session& session_;
    std::unique_ptr<State> state_;
};

}  // namespace deskbox
