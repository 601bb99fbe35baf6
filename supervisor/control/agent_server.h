// The session's agent socket: JSON lines on <session dir>/agent.sock. Each
// request is parsed in its dialect, every normalized action goes through the
// policy gate (GatePort::propose) before the executor runs it, and the result
// is recorded back to the gate (GatePort::record_result). A Pending verdict
// produces a "pending" line at once and the final line when it is decided.
//
// A connection's requests are answered in order: while one of its proposals
// awaits the gate's first answer (the gate may read the screen on the loop),
// its later requests wait (RequestOrder); other connections go on.
//
// Threading: everything runs on the EventLoop's thread, executor calls
// included, so ActionExecutor::execute must return promptly (its capped
// "settle" wait is the longest it may take). `wait` and `hold_key` durations
// are timers on the loop: hold_key becomes key_down, timer, key_up.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "supervisor/control/gate_port.h"
#include "supervisor/control/jsonl_server.h"
#include "supervisor/control/request_order.h"
#include "xsession/actions/executor.h"

namespace deskbox {

class AgentServer {
public:
    // Returns the session's status document for {"action":"status"}.
    using StatusProvider = std::function<Json()>;

    struct Options {
        std::string socket_path;     // e.g. /run/deskbox/NAME/agent.sock
        mode_t mode = 0600;          // 0660 with a group (docs/permissions.md)
        std::optional<gid_t> group;  // the agent group ("deskbox") when the socket is shared with it
        JsonlLimits limits;
    };

    AgentServer(EventLoop& loop, ActionExecutor& executor, GatePort& gate, StatusProvider status, Options options);

    // Handles one request object on a connection (also used by transports
    // other than the socket, e.g. the MCP server, through a JsonlConnection).
    void handle(const std::shared_ptr<JsonlConnection>& conn, Json request);

    JsonlServer& server() { return server_; }

private:
    struct Run;
    void handle_now(const std::shared_ptr<JsonlConnection>& conn, Json request);
    void next_step(const std::shared_ptr<Run>& run);
    // Makes a step that starts at the pointer absolute (needs_pointer); false
    // after replying with an error.
    bool resolve_step(const std::shared_ptr<Run>& run);
    void on_decided(const std::shared_ptr<Run>& run, const GateVerdict& verdict);
    void finish(const std::shared_ptr<Run>& run);
    void step_done(const std::shared_ptr<Run>& run, const GateVerdict& verdict, ActionKind kind, ActionResult result);
    ActionResult run_executor(const Action& action, const CaptureOptions& capture);
    void after(Millis delay, std::function<void()> work);  // a loop timer that dies with the server

    EventLoop& loop_;
    ActionExecutor& executor_;
    GatePort& gate_;
    StatusProvider status_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    RequestOrder order_;  // per connection: requests wait while an earlier one awaits the gate
    JsonlServer server_;
};

}  // namespace deskbox
