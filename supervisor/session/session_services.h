// What a running session offers beyond its sandbox and apps, wired together:
// the audit log, the policy gate with approvals, the agent and reviewer
// sockets, the X connection and Desktop, accessibility (session bus, AT-SPI,
// the in-sandbox helper), the egress proxy and the reviewers' VNC view.
//
//   run_session():  prepare → open_audit → start_sandbox → start_display →
//                   start_network + start_accessibility_bus (app env) →
//                   start_apps → start_control → run → end_of_session →
//                   stop_processes → record_teardown
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "policy/approvals.h"
#include "supervisor/session/session.h"
#include "supervisor/session/verify.h"

namespace deskbox {

class SessionServices final : public PartsStatusSource {
public:
    explicit SessionServices(Session& session);
    ~SessionServices();
    SessionServices(const SessionServices&) = delete;
    SessionServices& operator=(const SessionServices&) = delete;

    // session_start (manifest and policy hashes) and admission records.
    void open_audit();
    // network.mode allowlist: the egress proxy listening inside the session
    // netns; returns the proxy environment and URL for apps (empty for mode none).
    AppLaunch start_network();
    // Session D-Bus + AT-SPI bus; returns the accessibility environment for apps.
    std::vector<std::string> start_accessibility_bus();
    // After the apps: X connection (in the session netns), Desktop, a11y helper,
    // gate, agent.sock, review.sock, VNC.
    void start_control();
    // The services' own end, once the session stops and while apps and
    // accessibility are still there: the verify checks, then close_endpoints(),
    // then the manifest's collected files. Returns 0, or 3 when a check failed.
    int end_of_session();
    // The recording finished, the agent and review sockets and the VNC
    // servers closed: nothing executes any more (also after a failed start).
    void close_endpoints();
    // Session's final hook (after every process is gone, also after a failed
    // start): stops what could still write records, then writes the teardown
    // record. Returns the exit code to use.
    int record_teardown(int exit_code, const std::vector<std::string>& problems);
    // The sockets, the reviewers' view and the gate as they are now (status.json).
    PartsStatus parts_status() const override;

private:
    void start_reviewer_view();  // x11vnc + forwarder (review.vnc)
    // A takeover's VNC server with input, for `by` alone: {"socket", "password"}.
    nlohmann::json start_takeover(const Reviewer& by);
    void start_files();  // upload handler, collect (teardown and on request)
    // Runs the manifest's verify checks now and audits each result (naming the
    // reviewer who asked, when one did). Returns {"passed", "results"}.
    nlohmann::json verify_now(const nlohmann::json& requested_by);
    VerifyOutcome run_checks();

    struct State;
    Session& session_;
    std::unique_ptr<State> state_;
};

}  // namespace deskbox
