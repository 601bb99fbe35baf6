// MCP Streamable HTTP (spec 2025-06-18 / 2025-11-25, "Transports") on one
// endpoint, /mcp, over a Unix socket or TCP, with Boost.Beast:
//   POST  one JSON-RPC message; a request gets application/json, or an SSE
//         stream (text/event-stream) for tools/call when the client accepts
//         one, so that progress notifications reach it while a reviewer
//         decides; a notification or response gets 202.
//   GET   405: this server sends nothing unprompted.
//   DELETE ends the session named by Mcp-Session-Id.
// Every request needs `Authorization: Bearer TOKEN` of an active agent token
// (401 with WWW-Authenticate otherwise, before anything else is read); a
// browser Origin must be a loopback one or listed (403); bodies are capped
// (413). initialize gives an Mcp-Session-Id that later requests must carry
// and that only the same agent may use. One thread per connection.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "supervisor/base/event_loop.h"
#include "supervisor/base/unique_fd.h"
#include "supervisor/control/unix_listener.h"
#include "supervisor/mcp/listen_address.h"
#include "supervisor/mcp/mcp_server.h"

namespace deskbox::mcp {

// The token's agent name, or nullopt when the token is not an active one.
using Authenticator = std::function<std::optional<std::string>(std::string_view token)>;

struct HttpOptions {
    ListenAddress address;
    std::vector<std::string> allowed_origins;
    Authenticator authenticate;
    mode_t socket_mode = 0600;         // a Unix socket's file mode
    std::size_t max_body = 1u << 20;   // bytes of one POST body
    std::size_t max_connections = 64;  // more are refused with 503
    std::size_t max_sessions = 1024;   // MCP sessions kept (initialize beyond: 503)
};

inline constexpr const char* kEndpoint = "/mcp";

class HttpServer {
public:
    // Binds and listens (throws Error naming the address on failure).
    HttpServer(McpServer& server, AgentBackend& pool, HttpOptions options);
    ~HttpServer();

    // Where it listens, with the port chosen when 0 was asked.
    std::string bound_address() const;
    // Serves until stop(); then closes every connection and returns.
    void run();
    // From any thread (a signal handler thread).
    void stop();

    struct Session;

private:
    void serve(int fd, std::atomic<std::int64_t>& reading_since);
    void close_idle();
    void reap(bool all);

    McpServer& server_;
    AgentBackend& pool_;
    HttpOptions options_;
    UniqueFd listen_fd_;                      // TCP
    std::unique_ptr<EventLoop> unused_loop_;  // Unix: the listener's (never run)
    std::unique_ptr<UnixListener> unix_listener_;
    UniqueFd stop_fd_;  // eventfd: written by stop()
    std::string bound_;

    std::mutex sessions_mutex_;
    std::map<std::string, std::shared_ptr<Session>> sessions_;

    struct Connection {
        std::thread thread;
        UniqueFd fd;  // the thread serves a duplicate; this one is for shutdown()
        std::shared_ptr<std::atomic<bool>> done = std::make_shared<std::atomic<bool>>(false);
        // When it began waiting for a request (monotonic s), 0 while serving one.
        std::shared_ptr<std::atomic<std::int64_t>> reading_since = std::make_shared<std::atomic<std::int64_t>>(0);
    };
    std::mutex connections_mutex_;
    std::list<Connection> connections_;
};

}  // namespace deskbox::mcp
