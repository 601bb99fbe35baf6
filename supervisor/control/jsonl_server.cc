#include "supervisor/control/jsonl_server.h"

namespace deskbox {

JsonlServer::JsonlServer(EventLoop& loop, const std::string& path, SocketAccess access, JsonlLimits limits,
                         JsonlConnection::RequestHandler on_request, Admit admit, CloseLog on_close)
    : loop_(loop),
      limits_(limits),
      on_request_(std::move(on_request)),
      admit_(std::move(admit)),
      on_close_(std::move(on_close)),
      listener_(loop, path, access, [this](UniqueFd fd) { accept(std::move(fd)); }) {}

JsonlServer::~JsonlServer() {
    *alive_ = false;
    // Connections outlive nothing: drop them without calling back into us.
    for (auto& [id, conn] : connections_) conn->close("server shutting down");
    connections_.clear();
}

void JsonlServer::close_all(const std::string& reason) {
    auto conns = connections_;  // close handlers erase from the map
    for (auto& [id, conn] : conns) conn->close(reason);
}

void JsonlServer::make_urgent() {
    urgent_ = true;
    loop_.set_urgent(listener_.fd());
    for (auto& [id, conn] : connections_) {
        if (!conn->closed()) loop_.set_urgent(conn->fd());
    }
}

void JsonlServer::accept(UniqueFd fd) {
    std::weak_ptr<bool> alive = alive_;
    auto conn = JsonlConnection::create(loop_, std::move(fd), limits_, on_request_,
                                        [this, alive](JsonlConnection& c, const std::string& reason) {
                                            if (alive.expired() || !*alive.lock()) return;
                                            if (on_close_) on_close_(c, reason);
                                            connections_.erase(c.id());
                                        });
    if (admit_) {
        if (std::string refusal = admit_(conn->peer()); !refusal.empty()) {
            conn->send(make_error_reply("forbidden", refusal));
            conn->close("peer refused: " + refusal);
            return;
        }
    }
    if (urgent_ && !conn->closed()) loop_.set_urgent(conn->fd());
    connections_.emplace(conn->id(), conn);
}

}  // namespace deskbox
