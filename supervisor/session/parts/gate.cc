#include "supervisor/session/parts/gate.h"

#include <sys/stat.h>

#include "supervisor/base/error.h"
#include "supervisor/manifest/secret_conditions.h"
#include "supervisor/session/approval_screenshot.h"
#include "supervisor/session/paths.h"

namespace deskbox {

GatePart::GatePart(const Plan& plan, DesktopPart& desktop, AuditPart& audit, SessionControl& control)
    : desktop_(desktop) {
    const Manifest& m = plan.manifest;
    BudgetLimits limits;
    limits.steps = plan.budget.steps;
    limits.wall_clock = plan.budget.wall_clock;
    limits.actions_per_second = plan.budget.actions_per_second;
    gate_ = std::make_unique<Gate>(plan.policy, limits, m.review.approval_timeout);
    timers_ = std::make_unique<EventLoopTimers>(control.loop());
    approvals_ = std::make_unique<ApprovalQueue>(*timers_, system_monotonic_clock());

    AuditedGateOptions options;
    if (m.observe.keep_screenshots) {
        // Next to where audit.jsonl is kept after the session (the session dir
        // is removed at the end), as private as the log itself.
        const auto kept = logs_dir(control.name()) / "screenshots";
        std::filesystem::create_directories(kept);
        if (::chmod(kept.c_str(), 0700) != 0) throw_errno("making " + kept.string() + " private");
        options.keep_screenshots_in = kept;
    }
    // A reviewer's approval runs its action from the loop, never inside the
    // review request (which may be served while an accessibility query waits).
    options.run_later = [&control, alive = alive_](std::function<void()> work) {
        control.loop().post([alive, work = std::move(work)] {
            if (*alive) work();
        });
    };
    options.secret_check = [&m](const std::string& secret,
                                const GateContext& context) -> std::optional<std::pair<std::string, std::string>> {
        if (auto r = secret_refusal(m.secrets, secret, context)) return std::make_pair(r->condition, r->reason);
        return std::nullopt;
    };
    const SecretStore& secrets = audit.secrets();
    options.secrets_in = [&secrets](std::string_view text) { return secrets.found_in(text); };
    // The password fields are asked on the loop: a hung app delays the
    // picture (the approval is listed once it is answered), not the loop.
    options.approval_screenshot = [&desktop, &plan](const std::optional<Rect>& box,
                                                    AuditedGateOptions::ScreenshotDone done) {
        take_redacted_screenshot(desktop.desktop(), desktop.executor().loop_lookups(), box,
                                 plan.policy.screen_redactions, std::move(done));
    };
    audited_gate_ = std::make_unique<AuditedGate>(*gate_, *approvals_, audit.log(), desktop.executor(), options);
    audited_gate_->on_stop([&control] { control.request_stop("stopped by a reviewer", 0); });
    audited_gate_->on_change([&control] { control.status_changed(); });
    AuditedGate* gate = audited_gate_.get();
    desktop.executor().on_observation(
        [gate](const std::string& kind, const std::string& mime, const std::string& data) {
            if (kind == "tree")
                gate->observe_text(data, "tree");
            else
                gate->record_observation(kind, mime, data);
        });
}

GatePart::~GatePart() {
    *alive_ = false;
    desktop_.executor().on_observation({});
}

void GatePart::describe(SessionStatus& status) const {
    status.gate = audited_gate_->status_json();
}

}  // namespace deskbox
