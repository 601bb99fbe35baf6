// A JSON-lines server on a Unix socket: a UnixListener plus the set of open
// JsonlConnections. Generic; the agent socket and the reviewer socket each
// run one with their own request handler.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "supervisor/control/jsonl_channel.h"
#include "supervisor/control/unix_listener.h"

namespace deskbox {

class JsonlServer {
public:
    // Decides whether a peer may talk at all (e.g. by uid). Returning a
    // non-empty reason sends {"ok":false,"error":{"code":"forbidden",...}}
    // and closes the connection.
    using Admit = std::function<std::string(const PeerCredentials&)>;
    using CloseLog = std::function<void(const JsonlConnection&, const std::string& reason)>;

    JsonlServer(EventLoop& loop, const std::string& path, SocketAccess access, JsonlLimits limits,
                JsonlConnection::RequestHandler on_request, Admit admit = {}, CloseLog on_close = {});
    ~JsonlServer();

    std::size_t connection_count() const { return connections_.size(); }
    const std::string& path() const { return listener_.path(); }
    // Closes every connection (e.g. at session stop) with the given reason.
    void close_all(const std::string& reason);
    // The listener and every connection become urgent sources of the loop
    // (EventLoop::set_urgent): served even while the loop waits inside a
    // blocking step. For the reviewer's socket: the kill switch.
    void make_urgent();

private:
    void accept(UniqueFd fd);

    EventLoop& loop_;
    JsonlLimits limits_;
    JsonlConnection::RequestHandler on_request_;
    Admit admit_;
    CloseLog on_close_;
    std::map<std::uint64_t, std::shared_ptr<JsonlConnection>> connections_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    bool urgent_ = false;
    UnixListener listener_;  // last: accepts only once the members above exist
};

}  // namespace deskbox
