// What reviewers connect to beside review.sock: the live view (review.vnc,
// view-only) and, on a reviewer's `takeover`, a VNC server with input for
// that reviewer alone (reviewer_vnc.h). The view failing to start is a
// warning, not the session's end: the session is still gated and audited.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "supervisor/manifest/admission.h"
#include "supervisor/session/parts/audit.h"
#include "supervisor/session/parts/gate.h"
#include "supervisor/session/parts/session_part.h"
#include "supervisor/session/reviewer_vnc.h"

namespace deskbox {

class ReviewersPart final : public SessionPart {
public:
    ReviewersPart(const Plan& plan, const VncParts& vnc, GatePart& gate, AuditPart& audit);
    ~ReviewersPart() override;
    void stop() override;
    void describe(SessionStatus& status) const override;

private:
    // A takeover's VNC server with input, for `by` alone: {"socket", "password"}.
    nlohmann::json start_takeover(const Reviewer& by);

    VncParts vnc_parts_;
    GatePart& gate_;
    std::unique_ptr<VncServer> view_;
    std::unique_ptr<VncServer> takeover_;  // while a reviewer has control
    unsigned takeovers_ = 0;               // started so far (each on a port of its own)
};

}  // namespace deskbox
