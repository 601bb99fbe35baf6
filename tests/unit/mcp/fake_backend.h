// A recording AgentBackend: keeps each request and its agent, answers with
// the next scripted reply (or {"ok":true}), and can report a pending line
// first, as agent.sock does when a reviewer must decide.
#pragma once

#include <deque>
#include <mutex>
#include <utility>
#include <vector>

#include "supervisor/mcp/mcp_server.h"

namespace deskbox::mcp::test {

class FakeBackend : public AgentBackend {
public:
    Json call(const std::string& agent, const Json& request, const std::function<void(const Json&)>& on_pending,
              const std::function<void()>& on_wait) override {
        std::lock_guard lock(mutex);
        calls.emplace_back(agent, request);
        if (!pending.is_null()) {
            on_pending(pending);
            on_wait();
        }
        if (replies.empty()) return {{"ok", true}};
        Json reply = replies.front();
        replies.pop_front();
        return reply;
    }
    std::mutex mutex;
    std::vector<std::pair<std::string, Json>> calls;
    std::deque<Json> replies;
    Json pending;  // when set, reported before the reply
};

}  // namespace deskbox::mcp::test
