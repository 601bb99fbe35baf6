#include "supervisor/session/parts/reviewers.h"

#include <unistd.h>

#include "supervisor/base/error.h"
#include "xsession/vnc/vnc_password.h"

namespace deskbox {

ReviewersPart::ReviewersPart(const Plan& plan, const VncParts& vnc, GatePart& gate, AuditPart& audit)
    : vnc_parts_(vnc), gate_(gate) {
    const Manifest& m = plan.manifest;
    if (m.review.vnc.enabled) {
        try {
            view_ = start_view_vnc(vnc_parts_);
        } catch (const Error& e) {
            // The session still runs and is gated and audited; reviewers lose the live view, so say so.
            vnc.control.report(std::string("reviewer VNC view unavailable: ") + e.what());
            audit.log().append("warning", {{"what", "reviewer VNC view unavailable"}, {"error", e.what()}});
        }
    }
    if (m.review.takeover)
        gate.gate().on_takeover([this](const Reviewer& by) { return start_takeover(by); },
                                [this] { takeover_.reset(); });
}

ReviewersPart::~ReviewersPart() {
    gate_.gate().on_takeover({}, {});
}

void ReviewersPart::stop() {
    // No reviewer input or view after this.
    takeover_.reset();
    view_.reset();
}

nlohmann::json ReviewersPart::start_takeover(const Reviewer& by) {
    // Starting x11vnc runs the session's loop until it listens, as verify does.
    if (vnc_parts_.control.loop().in_urgent_wait())
        throw Error("an action is waiting for the accessibility helper; ask for takeover again in a moment");
    // The socket belongs to the reviewer (root can hand it over; otherwise it is the supervisor's own user).
    std::optional<uid_t> owner;
    if (geteuid() == 0 && by.uid >= 0) owner = static_cast<uid_t>(by.uid);
    const std::string password = random_vnc_password();
    takeover_ = start_takeover_vnc(vnc_parts_, owner, password, takeovers_++);
    return {{"socket", takeover_->endpoint().socket_path}, {"password", password}};
}

void ReviewersPart::describe(SessionStatus& status) const {
    if (view_) status.vnc = describe_vnc_endpoint(view_->endpoint());
}

}  // namespace deskbox
