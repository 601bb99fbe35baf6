// The AgentBackend of `deskbox mcp`: connections to the session's agent.sock,
// each identified as one agent (docs/protocol.md, `identify`) and reused for
// that agent's later calls. A call takes an idle connection or opens one, so
// calls of one agent may overlap (one waits for a reviewer, another runs).
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "supervisor/control/agent_client.h"
#include "supervisor/mcp/mcp_server.h"

namespace deskbox::mcp {

class AgentPool : public AgentBackend {
public:
    explicit AgentPool(std::string socket_path) : path_(std::move(socket_path)) {}

    Json call(const std::string& agent, const Json& request, const std::function<void(const Json&)>& on_pending,
              const std::function<void()>& on_wait) override;

    // Ends every call in progress (their connections are shut down, so the
    // session records an approved action as not executed); for shutdown.
    void interrupt_all() override;

private:
    struct Connection {
        std::string agent;
        std::unique_ptr<AgentClient> client;
    };
    std::unique_ptr<Connection> take(const std::string& agent);
    void give_back(std::unique_ptr<Connection> conn);

    std::string path_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Connection>> idle_;
    std::set<AgentClient*> busy_;
    bool interrupted_ = false;
};

}  // namespace deskbox::mcp
