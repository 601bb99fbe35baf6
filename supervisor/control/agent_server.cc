#include "supervisor/control/agent_server.h"

#include "supervisor/control/agent_replies.h"
#include "supervisor/control/protocol_error.h"

namespace deskbox {

// One request in progress: its steps run one after another, each waiting for
// the gate's verdict (which may come much later, after a reviewer decides).
struct AgentServer::Run {
    std::weak_ptr<JsonlConnection> conn;
    AgentRequest request;
    std::size_t step = 0;
    bool trailing_screenshot = false;  // the extra screenshot the reply shape needs
    std::vector<ActionResult> results;
};

namespace {

std::string id_text(const Json& id) {
    if (id.is_string()) return id.get<std::string>();
    if (id.is_null()) return "";
    return id.dump();
}

}  // namespace

AgentServer::AgentServer(EventLoop& loop, ActionExecutor& executor, GatePort& gate, StatusProvider status,
                         Options options)
    : loop_(loop),
      executor_(executor),
      gate_(gate),
      status_(std::move(status)),
      server_(
          loop, options.socket_path, SocketAccess{options.mode, options.group}, options.limits,
          [this](const std::shared_ptr<JsonlConnection>& conn, Json request) { handle(conn, std::move(request)); }) {}

void AgentServer::handle(const std::shared_ptr<JsonlConnection>& conn, Json request) {
    std::weak_ptr<JsonlConnection> weak = conn;
    order_.submit(conn->id(), [this, weak, request = std::move(request)]() mutable {
        if (auto c = weak.lock(); c && !c->closed()) handle_now(c, std::move(request));
    });
}

void AgentServer::handle_now(const std::shared_ptr<JsonlConnection>& conn, Json request) {
    auto run = std::make_shared<Run>();
    run->conn = conn;
    // The id is echoed even when the rest of the request is unusable.
    if (auto it = request.find("id"); it != request.end() && (it->is_string() || it->is_number_integer()) &&
                                      (!it->is_string() || it->get_ref<const std::string&>().size() <= kMaxIdLength))
        run->request.id = *it;
    try {
        const Point size = executor_.scaled_size();
        run->request = parse_agent_request(request, CoordinateSpace{size.x, size.y});
    } catch (const ProtocolError& e) {
        fill_reply_context(request, run->request);
        conn->reply(error_reply(run->request, e.code(), e.what()));
        return;
    }
    if (run->request.kind == AgentRequest::Kind::Identify) {
        // A label, not a credential: whoever may open the socket may name
        // itself. The MCP server names each connection after the agent it
        // authenticated; the name is recorded with every proposal.
        if (!conn->label().empty() && conn->label() != run->request.agent) {
            conn->reply(error_reply(run->request, "invalid_request",
                                    "this connection already identified as '" + conn->label() + "'"));
            return;
        }
        conn->set_label(run->request.agent);
        conn->reply(identify_reply(run->request));
        return;
    }
    if (run->request.kind == AgentRequest::Kind::Status) {
        conn->reply(status_reply(run->request, status_ ? status_() : Json::object()));
        return;
    }
    next_step(run);
}

void AgentServer::next_step(const std::shared_ptr<Run>& run) {
    const auto& steps = run->request.steps;
    if (run->step == steps.size() && !run->trailing_screenshot && run->request.screenshot_after &&
        (run->results.empty() || !run->results.back().image)) {
        run->trailing_screenshot = true;  // one more step: the observation the reply carries
    }
    const bool extra = run->step == steps.size() && run->trailing_screenshot;
    if (run->step >= steps.size() && !extra) {
        finish(run);
        return;
    }
    if (!extra && needs_pointer(steps[run->step]) && !resolve_step(run)) return;
    Proposal proposal;
    proposal.action = extra ? Action{} : steps[run->step];
    proposal.dialect = run->request.dialect;
    proposal.request_id = id_text(run->request.id);
    auto client = run->conn.lock();
    if (client) proposal.agent = client->label();
    // Until the gate's first answer (it may read the screen on the loop), the
    // connection's later requests wait: answers keep the order of requests.
    const std::uint64_t conn_id = client ? client->id() : 0;
    auto answered = std::make_shared<bool>(false);
    std::weak_ptr<bool> alive = alive_;
    auto first_answer = [this, alive, answered, conn_id] {
        if (*answered || alive.expired()) return;
        *answered = true;
        order_.release(conn_id);
    };
    if (client)
        order_.hold(conn_id);
    else
        *answered = true;
    gate_.propose(
        proposal,
        [run, first_answer](const GateVerdict& verdict) {
            if (auto conn = run->conn.lock()) conn->reply(pending_reply(run->request, verdict), false);
            first_answer();
        },
        [this, alive, run, first_answer](const GateVerdict& verdict) {
            if (!alive.expired()) on_decided(run, verdict);
            first_answer();
        });
}

bool AgentServer::resolve_step(const std::shared_ptr<Run>& run) {
    // The pointer's position is read, not proposed: it has no effect, and the
    // gate then judges (and the audit log records) the absolute point.
    Action& step = run->request.steps[run->step];
    Action where;
    where.kind = ActionKind::CursorPosition;
    const ActionResult pointer = run_executor(where, run->request.capture);
    try {
        if (!pointer.ok || !pointer.cursor)
            throw ProtocolError("action_failed", "cannot read the pointer's position: " + pointer.error);
        const Point size = executor_.scaled_size();
        resolve_from_pointer(step, *pointer.cursor, CoordinateSpace{size.x, size.y});
    } catch (const ProtocolError& e) {
        std::string message = e.what();
        if (run->request.steps.size() > 1)
            message += " (step " + std::to_string(run->step + 1) + " of " + std::to_string(run->request.steps.size()) +
                       "; earlier steps ran)";
        if (auto conn = run->conn.lock()) conn->reply(error_reply(run->request, e.code(), message));
        return false;
    }
    return true;
}

void AgentServer::on_decided(const std::shared_ptr<Run>& run, const GateVerdict& verdict) {
    auto conn = run->conn.lock();
    const bool extra = run->step == run->request.steps.size();
    if (verdict.outcome != GateVerdict::Outcome::Execute) {
        if (conn) conn->reply(refusal_reply(run->request, verdict, run->step));
        return;
    }
    if (!conn || conn->closed()) {
        // Nobody would learn what happened: an approved action whose agent
        // left is not carried out, and the audit says so.
        gate_.record_result(verdict, false, "not executed: the agent disconnected before the decision");
        return;
    }
    const Action action = extra ? Action{} : run->request.steps[run->step];
    // Waiting happens on the loop, not inside the executor: a 300 s wait or
    // hold_key must not stall the reviewer socket or other agents.
    // DONE / FAIL end the agent's episode: nothing happens on the display.
    if (action.kind == ActionKind::Done || action.kind == ActionKind::Fail) {
        step_done(run, verdict, action.kind, ActionResult{});
        return;
    }
    if (action.kind == ActionKind::Wait) {
        after(action.duration, [this, run, verdict] { step_done(run, verdict, ActionKind::Wait, ActionResult{}); });
        return;
    }
    if (action.kind == ActionKind::Key && action.duration.count() > 0) {
        Action down = action;
        down.kind = ActionKind::KeyDown;
        down.duration = Millis(0);
        ActionResult pressed = run_executor(down, run->request.capture);
        if (!pressed.ok) {
            step_done(run, verdict, ActionKind::Key, std::move(pressed));
            return;
        }
        after(action.duration, [this, run, verdict, down] {
            Action up = down;
            up.kind = ActionKind::KeyUp;  // released even if the agent left meanwhile
            step_done(run, verdict, ActionKind::Key, run_executor(up, run->request.capture));
        });
        return;
    }
    // The executor may answer later (an accessibility question is out): the
    // connection's next requests wait for this one's reply, as they waited
    // for the gate's answer.
    const std::uint64_t conn_id = conn->id();
    order_.hold(conn_id);
    std::weak_ptr<bool> alive = alive_;
    executor_.execute_later(action, run->request.capture,
                            [this, alive, run, verdict, conn_id, kind = action.kind](ActionResult result) {
                                if (alive.expired()) return;
                                step_done(run, verdict, kind, std::move(result));
                                order_.release(conn_id);
                            });
}

ActionResult AgentServer::run_executor(const Action& action, const CaptureOptions& capture) {
    try {
        return executor_.execute(action, capture);
    } catch (const std::exception& e) {
        ActionResult result;
        result.ok = false;
        result.error = e.what();
        return result;
    }
}

void AgentServer::after(Millis delay, std::function<void()> work) {
    std::weak_ptr<bool> alive = alive_;
    loop_.add_timer(delay, [alive, work = std::move(work)] {
        if (!alive.expired()) work();
    });
}

void AgentServer::step_done(const std::shared_ptr<Run>& run, const GateVerdict& verdict, ActionKind kind,
                            ActionResult result) {
    const std::string detail = !result.ok              ? result.error
                               : result.detail.empty() ? std::string(to_string(kind)) + " done"
                                                       : result.detail;
    gate_.record_result(verdict, result.ok, detail);
    auto conn = run->conn.lock();
    if (!result.ok) {
        std::string message = std::string(to_string(kind)) + " failed: " + result.error;
        if (run->request.steps.size() > 1)
            message +=
                " (step " + std::to_string(run->step + 1) + " of " + std::to_string(run->request.steps.size()) + ")";
        if (conn) conn->reply(error_reply(run->request, "action_failed", message));
        return;
    }
    run->results.push_back(std::move(result));
    ++run->step;
    next_step(run);
}

void AgentServer::finish(const std::shared_ptr<Run>& run) {
    if (auto conn = run->conn.lock()) conn->reply_line(success_reply_line(run->request, run->results));
}

}  // namespace deskbox
