// The policy gate with its budget, the approval queue and the audit around
// them (AuditedGate): every proposal and every reviewer decision passes here.
// A reviewer's `stop` asks the session to end; the gate's changes (pending
// approvals, budget use) reach status.json through describe().
#pragma once

#include <memory>

#include "policy/approvals.h"
#include "policy/gate.h"
#include "supervisor/audit/audited_gate.h"
#include "supervisor/manifest/admission.h"
#include "supervisor/session/parts/audit.h"
#include "supervisor/session/parts/desktop.h"
#include "supervisor/session/parts/session_part.h"
#include "supervisor/session/session_control.h"

namespace deskbox {

class GatePart final : public SessionPart {
public:
    GatePart(const Plan& plan, DesktopPart& desktop, AuditPart& audit, SessionControl& control);
    ~GatePart() override;
    void describe(SessionStatus& status) const override;

    AuditedGate& gate() { return *audited_gate_; }

private:
    DesktopPart& desktop_;
    // Work posted to the loop (an approved action) does nothing once the gate is gone.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    std::unique_ptr<Gate> gate_;
    std::unique_ptr<EventLoopTimers> timers_;
    std::unique_ptr<ApprovalQueue> approvals_;
    std::unique_ptr<AuditedGate> audited_gate_;
};

}  // namespace deskbox
