#include "supervisor/mcp/agent_pool.h"

#include "supervisor/base/error.h"

namespace deskbox::mcp {

namespace {
constexpr std::size_t kMaxIdle = 8;  // per server; more are closed when given back
}

std::unique_ptr<AgentPool::Connection> AgentPool::take(const std::string& agent) {
    {
        std::lock_guard lock(mutex_);
        if (interrupted_) throw Error("the MCP server is shutting down");
        for (auto it = idle_.begin(); it != idle_.end(); ++it) {
            if ((*it)->agent != agent) continue;
            auto conn = std::move(*it);
            idle_.erase(it);
            busy_.insert(conn->client.get());
            return conn;
        }
    }
    auto conn = std::make_unique<Connection>();
    conn->agent = agent;
    conn->client = std::make_unique<AgentClient>(path_);
    const Json hello = conn->client->call({{"id", "identify"}, {"action", "identify"}, {"agent", agent}});
    if (!hello.value("ok", false))
        throw Error("the session refused the agent name '" + agent +
                    "': " + hello.value("error", Json::object()).value("message", ""));
    std::lock_guard lock(mutex_);
    busy_.insert(conn->client.get());
    return conn;
}

void AgentPool::give_back(std::unique_ptr<Connection> conn) {
    std::lock_guard lock(mutex_);
    busy_.erase(conn->client.get());
    if (!interrupted_ && idle_.size() < kMaxIdle) idle_.push_back(std::move(conn));
}

Json AgentPool::call(const std::string& agent, const Json& request, const std::function<void(const Json&)>& on_pending,
                     const std::function<void()>& on_wait) {
    auto conn = take(agent);
    conn->client->set_wait_tick(kProgressEvery, on_wait);
    Json reply;
    try {
        reply = conn->client->call(request, on_pending);
    } catch (...) {
        std::lock_guard lock(mutex_);
        busy_.erase(conn->client.get());  // a broken connection is not reused
        throw;
    }
    conn->client->set_wait_tick(kProgressEvery, {});
    give_back(std::move(conn));
    return reply;
}

void AgentPool::interrupt_all() {
    std::lock_guard lock(mutex_);
    interrupted_ = true;
    for (AgentClient* client : busy_) client->interrupt();
    idle_.clear();
}

}  // namespace deskbox::mcp
