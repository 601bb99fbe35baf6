// A blocking client of the agent socket, for the CLI (deskbox act,
// deskbox screenshot) and tests: one request line out, reply lines in until
// the final one (a "pending" line comes first when a reviewer must decide).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "supervisor/base/unique_fd.h"
#include "supervisor/control/jsonl_channel.h"

namespace deskbox {

class AgentClient {
public:
    // Connects to the socket; throws Error naming the path on failure.
    explicit AgentClient(const std::string& socket_path);

    // Sends `request` (one line) and returns the final reply. Interim lines
    // ({"pending":true,...}) go to `on_interim`. Throws Error when the
    // connection ends first or a reply line is not JSON.
    Json call(const Json& request, const std::function<void(const Json&)>& on_interim = {});
    // As call(), but a refusal by the session's rate limit (budget:rate) is
    // proposed again after the reply's retry_after_ms, the time the session
    // says its bucket refills, up to `attempts` times. Any other reply,
    // refusals by rules included, is returned as it is.
    Json call_paced(const Json& request, const std::function<void(const Json&)>& on_interim = {}, int attempts = 20);

    // While call() waits for a reply, `on_wait` is called every `every` of
    // silence (a reviewer may take minutes; the MCP server reports progress).
    void set_wait_tick(std::chrono::milliseconds every, std::function<void()> on_wait);
    // Makes a call() blocked in another thread end with an Error (shuts the
    // socket down); the client is unusable afterwards.
    void interrupt();

private:
    std::string read_line();
    void wait_readable();

    std::string path_;
    UniqueFd fd_;
    std::string buffer_;
    std::size_t scanned_ = 0;  // buffer_[0, scanned_) holds no newline
    std::chrono::milliseconds tick_every_{0};
    std::function<void()> on_wait_;
};

// Replies can carry screenshots: allow large lines on the client side.
constexpr std::size_t kMaxReplyLine = 256u << 20;

}  // namespace deskbox
