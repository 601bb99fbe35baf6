#include "supervisor/session/parts/endpoints.h"

#include "supervisor/control/agent_server.h"
#include "supervisor/control/review_server.h"
#include "supervisor/session/session_access.h"

namespace deskbox {

EndpointsPart::EndpointsPart(const DirsPart& dirs, DesktopPart& desktop, GatePart& gate, SessionControl& control,
                             std::function<nlohmann::json()> status) {
    AgentServer::Options agent_options;
    agent_options.socket_path = (dirs.session_dir() / "agent.sock").string();
    // Sockets: root:deskbox / root:deskbox-review 0660 as root, owner-only otherwise (session_access.h).
    const SessionAccess& access = session_access();
    agent_options.mode = access.agent_socket.mode;
    agent_options.group = access.agent_socket.group;
    agent_ = std::make_unique<AgentServer>(control.loop(), desktop.executor(), gate.gate(), std::move(status),
                                           agent_options);
    review_ = std::make_unique<ReviewServer>(control.loop(), (dirs.session_dir() / "review.sock").string(), gate.gate(),
                                             ReviewAccess{access.review_socket.mode, access.review_socket.group});
}

EndpointsPart::~EndpointsPart() = default;

void EndpointsPart::stop() {
    // No agent or reviewer request after this.
    agent_.reset();
    review_.reset();
}

void EndpointsPart::describe(SessionStatus& status) const {
    if (agent_) status.agent_socket = agent_->server().path();
    if (review_) status.review_socket = review_->path();
}

}  // namespace deskbox
