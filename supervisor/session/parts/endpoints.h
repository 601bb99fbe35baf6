// The session's two sockets: agent.sock (proposals, through the gate) and
// review.sock (reviewers' decisions), both served on the loop. Its stop
// closes both: nothing further executes after it.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "supervisor/session/parts/desktop.h"
#include "supervisor/session/parts/dirs.h"
#include "supervisor/session/parts/gate.h"
#include "supervisor/session/parts/session_part.h"
#include "supervisor/session/session_control.h"

namespace deskbox {

class AgentServer;
class ReviewServer;

class EndpointsPart final : public SessionPart {
public:
    // `status`: the session's status.json document, for the agent's `status` request.
    EndpointsPart(const DirsPart& dirs, DesktopPart& desktop, GatePart& gate, SessionControl& control,
                  std::function<nlohmann::json()> status);
    ~EndpointsPart() override;
    void stop() override;
    void describe(SessionStatus& status) const override;

private:
    std::unique_ptr<AgentServer> agent_;
    std::unique_ptr<ReviewServer> review_;
};

}  // namespace deskbox
