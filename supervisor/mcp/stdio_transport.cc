#include "supervisor/mcp/stdio_transport.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <list>
#include <mutex>
#include <thread>

#include "supervisor/base/error.h"

namespace deskbox::mcp {
namespace {

// A line longer than this is answered with a parse error and skipped.
constexpr std::size_t kMaxMessage = 4u << 20;

class Output {
public:
    explicit Output(int fd) : fd_(fd) {}
    // One message per line, written whole under the lock (threads share stdout).
    void write(const Json& message) {
        std::string line = message.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
        std::lock_guard lock(mutex_);
        std::string_view rest = line;
        while (!rest.empty()) {
            const ssize_t n = ::write(fd_, rest.data(), rest.size());
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return;  // the client is gone; stdin's end will stop us
            rest.remove_prefix(static_cast<std::size_t>(n));
        }
    }

private:
    int fd_;
    std::mutex mutex_;
};

}  // namespace

void serve_stdio(McpServer& server, const std::string& agent, int in_fd, int out_fd) {
    Output out(out_fd);
    McpSession session{agent, ""};
    struct Call {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done = std::make_shared<std::atomic<bool>>(false);
    };
    std::list<Call> calls;
    auto reap = [&] {
        calls.remove_if([](Call& c) {
            if (!c.done->load()) return false;
            c.thread.join();
            return true;
        });
    };
    auto handle_line = [&](std::string line) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) return;
        const Json message = Json::parse(line, nullptr, false);
        if (!message.is_discarded() && message.is_object() && message.value("method", Json()) == "tools/call" &&
            !session.protocol_version.empty()) {
            // Tool calls only read the session; initialize ran before them.
            reap();
            Call& call = calls.emplace_back();
            call.thread = std::thread([&server, &out, &session, message, done = call.done] {
                if (auto reply = server.handle(session, message, [&out](const Json& n) { out.write(n); }))
                    out.write(*reply);
                done->store(true);
            });
            return;
        }
        if (auto reply = server.handle_text(session, line)) out.write(*reply);
    };

    std::string buffer;
    bool skipping = false;  // inside an over-long line
    char chunk[65536];
    for (;;) {
        const ssize_t n = ::read(in_fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        buffer.append(chunk, static_cast<std::size_t>(n));
        std::size_t start = 0;
        for (std::size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
            if (skipping) {
                skipping = false;
                continue;
            }
            handle_line(buffer.substr(start, nl - start));
        }
        buffer.erase(0, start);
        if (buffer.size() > kMaxMessage) {
            if (!skipping)
                out.write(rpc_error(nullptr, kParseError,
                                    "Parse error: a message is longer than " + std::to_string(kMaxMessage) + " bytes"));
            skipping = true;
            buffer.clear();
        }
    }
    if (!skipping && !buffer.empty()) handle_line(buffer);
    for (Call& c : calls) c.thread.join();
}

}  // namespace deskbox::mcp
