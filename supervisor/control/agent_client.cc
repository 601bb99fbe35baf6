#include "supervisor/control/agent_client.h"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include "supervisor/base/error.h"
#include "supervisor/control/unix_listener.h"

namespace deskbox {

AgentClient::AgentClient(const std::string& socket_path) : path_(socket_path), fd_(connect_unix(socket_path)) {}

std::string AgentClient::read_line() {
    for (;;) {
        // Search only the bytes not searched yet: a screenshot line arrives in
        // many chunks.
        if (const auto nl = buffer_.find('\n', scanned_); nl != std::string::npos) {
            std::string line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            scanned_ = 0;
            return line;
        }
        scanned_ = buffer_.size();
        if (buffer_.size() > kMaxReplyLine) throw Error("reply from " + path_ + " is longer than the client allows");
        wait_readable();
        char chunk[65536];
        const ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("reading from " + path_);
        }
        if (n == 0) throw Error("the session closed " + path_ + " before replying");
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
}

void AgentClient::set_wait_tick(std::chrono::milliseconds every, std::function<void()> on_wait) {
    tick_every_ = every;
    on_wait_ = std::move(on_wait);
}

void AgentClient::interrupt() {
    ::shutdown(fd_.get(), SHUT_RDWR);
}

void AgentClient::wait_readable() {
    if (!on_wait_ || tick_every_.count() <= 0) return;  // recv blocks
    pollfd p{fd_.get(), POLLIN, 0};
    for (;;) {
        const int n = ::poll(&p, 1, static_cast<int>(tick_every_.count()));
        if (n > 0) return;
        if (n == 0) {
            on_wait_();
            continue;
        }
        if (errno != EINTR) throw_errno("waiting for " + path_);
    }
}

Json AgentClient::call_paced(const Json& request, const std::function<void(const Json&)>& on_interim, int attempts) {
    Json reply;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        reply = call(request, on_interim);
        const Json* error = reply.contains("error") && reply["error"].is_object() ? &reply["error"] : nullptr;
        if (!error || error->value("rule", "") != "budget:rate" || !error->contains("retry_after_ms")) break;
        const auto wait = std::clamp<std::int64_t>((*error)["retry_after_ms"].get<std::int64_t>(), 1, 60'000);
        std::this_thread::sleep_for(std::chrono::milliseconds(wait));  // the session said when: pacing
    }
    return reply;
}

Json AgentClient::call(const Json& request, const std::function<void(const Json&)>& on_interim) {
    std::string line = request.dump(-1, ' ', false, Json::error_handler_t::strict) + "\n";
    std::string_view rest = line;
    while (!rest.empty()) {
        const ssize_t n = ::send(fd_.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("writing to " + path_);
        }
        rest.remove_prefix(static_cast<std::size_t>(n));
    }
    for (;;) {
        const std::string text = read_line();
        Json reply = Json::parse(text, nullptr, false);
        if (reply.is_discarded() || !reply.is_object()) throw Error("reply from " + path_ + " is not a JSON object");
        if (reply.value("pending", false)) {
            if (on_interim) on_interim(reply);
            continue;
        }
        // Replies to other requests cannot arrive: this client sends one at a time.
        return reply;
    }
}

}  // namespace deskbox
