// The last check of an approved action: right before it runs, is the screen
// still what the reviewer approved? The context is read again through the
// provider's loop form (lookup_context), so an app that is slow to answer
// holds neither the loop nor the kill switch; a stop meanwhile refuses the
// action at once ("session:stopped").
#include <chrono>

#include "policy/context_change.h"
#include "supervisor/audit/action_record.h"
#include "supervisor/audit/audited_gate.h"
#include "supervisor/base/error.h"

namespace deskbox {
namespace {

GateVerdict stopped_verdict(const std::string& proposal_id) {
    GateVerdict v;
    v.outcome = GateVerdict::Outcome::Refuse;
    v.proposal_id = proposal_id;
    v.rule = "session:stopped";
    v.reason = "the session was stopped by a reviewer";
    return v;
}

}  // namespace

struct AuditedGate::Recheck {
    std::function<void(const GateVerdict&)> decided;
    std::string proposal_id;
    bool over = false;  // answered (or refused by a stop): a late context is dropped
};

void AuditedGate::run_approved(std::function<void(const GateVerdict&)> decided, const GateVerdict& answer,
                               const Action& action, const GateContext& before) {
    if (stopped_) return refuse(decided, stopped_verdict(answer.proposal_id));
    if (is_observation(action.kind)) return decided(answer);
    auto recheck = std::make_shared<Recheck>(Recheck{std::move(decided), answer.proposal_id, false});
    rechecks_.push_back(recheck);
    const auto started = std::chrono::steady_clock::now();
    std::weak_ptr<bool> alive = alive_;
    auto resume = [this, alive, recheck, answer, action, before, started](GateContext now, std::string error) {
        if (alive.expired() || recheck->over) return;
        recheck->over = true;
        std::erase(rechecks_, recheck);
        const auto context_us =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
        if (auto changed = target_verdict(answer.proposal_id, before, now, error, context_us))
            return refuse(recheck->decided, std::move(*changed));
        if (holding()) {
            // Paused or taken over while the screen was read: held, and checked again when released.
            return deliver([this, decided = recheck->decided, answer, action, before] {
                run_approved(decided, answer, action, before);
            });
        }
        recheck->decided(answer);
    };
    try {
        context_.lookup_context(action, resume);
    } catch (const std::exception& e) {
        // The provider failed before it could answer: unknown, never allow.
        resume(GateContext{}, e.what()[0] ? e.what() : "unknown error");
    }
}

std::optional<GateVerdict> AuditedGate::target_verdict(const std::string& proposal_id, const GateContext& before,
                                                       const GateContext& now, const std::string& error,
                                                       std::int64_t context_us) {
    std::vector<std::string> changes;
    if (!error.empty())
        changes.push_back("the context could not be read again: " + error);
    else
        changes = context_changes(before, now);
    nlohmann::json record = {{"proposal", proposal_id},
                             {"outcome", changes.empty() ? "unchanged" : "target_changed"},
                             {"approved", context_record_json(before)},
                             {"now", context_record_json(now)},
                             {"context_us", context_us}};
    if (!changes.empty()) record["changes"] = changes;
    GateVerdict v;
    v.outcome = GateVerdict::Outcome::Refuse;
    v.proposal_id = proposal_id;
    try {
        log_.append("target_check", record, Durability::Sync);
    } catch (const Error& e) {
        v.rule = "audit:unavailable";
        v.reason = std::string("the audit log cannot be written: ") + e.what();
        return v;
    }
    if (changes.empty()) return std::nullopt;
    v.rule = "target_changed";
    v.reason = "the target changed while the approval waited: ";
    for (std::size_t i = 0; i < changes.size(); ++i) v.reason += (i ? "; " : "") + changes[i];
    return v;
}

void AuditedGate::refuse_rechecking() {
    auto rechecks = std::move(rechecks_);
    rechecks_.clear();
    for (const auto& r : rechecks) {
        if (r->over) continue;
        r->over = true;
        refuse(r->decided, stopped_verdict(r->proposal_id));
    }
}

}  // namespace deskbox
