// The GatePort the agent protocol calls: the policy gate, the approval queue
// and the audit log tied together. For each proposal it asks the session for
// the screen context, lets the gate decide, writes proposal + decision to the
// audit log with fdatasync, and only then answers. Reading the context may
// wait for an app (GateContextProvider::lookup_context answers later): the
// proposal is parked meanwhile and a stop, pause or takeover refuses it at
// once. Reviewer operations
// (approve, deny, pause, resume, stop) come from the review server and are
// audited with who did them.
//
// Single-threaded: call everything on the session's event loop thread.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "policy/approvals.h"
#include "policy/gate.h"
#include "supervisor/audit/audit_log.h"
#include "supervisor/control/gate_port.h"
#include "supervisor/control/review_server.h"

namespace deskbox {

struct AuditedGateOptions {
    // Keep screenshot bytes next to the log (manifest observe.keep_screenshots);
    // otherwise only their SHA-256 is recorded.
    std::optional<std::filesystem::path> keep_screenshots_in;
    // When set, an approved (or resumed) action is handed to it to run later
    // (the session posts it to its loop) instead of running inside the
    // reviewer's request. Unset: it runs at once (unit tests).
    std::function<void(std::function<void()>)> run_later;
    // type_secret: why the named secret may not be typed where the context
    // says it would go ({condition, reason}); nullopt when it may. Checked
    // before the policy; without it every type_secret is refused.
    std::function<std::optional<std::pair<std::string, std::string>>(const std::string& secret,
                                                                     const GateContext& context)>
        secret_check;
    // The names of manifest secrets whose values occur in a text: typed text
    // holding one is flagged in its proposal record ("secret_leak").
    std::function<std::vector<std::string>(std::string_view text)> secrets_in;
    // Takes the screenshot a reviewer sees beside a pending approval: PNG
    // bytes with password fields blacked out and the target's box (when
    // known) drawn on it (the session's capture). It answers through `done`,
    // now or later (the password fields are asked of the accessibility
    // helper without holding the loop), with the PNG or why there is none;
    // a reviewer's "observation" request waits for that answer. Unset: no
    // picture.
    using ScreenshotDone = std::function<void(std::string png, std::string error)>;
    std::function<void(const std::optional<Rect>& box, ScreenshotDone done)> approval_screenshot;
};

// What a pending approval was decided on, for the console (review.sock "observation").
struct ApprovalObservation {
    std::string png;                             // redacted screenshot; empty when none could be taken
    std::optional<Rect> box;                     // the target's box on it (screen pixels)
    std::string error;                           // why there is no screenshot
    bool taking = false;                         // the picture is not answered yet
    std::vector<std::function<void()>> waiting;  // requests answered once it is
};

class AuditedGate : public GatePort, public ReviewHandler {
public:
    AuditedGate(Gate& gate, ApprovalQueue& approvals, AuditLog& log, GateContextProvider& context,
                AuditedGateOptions options = {});

    // GatePort
    void propose(const Proposal& proposal, std::function<void(const GateVerdict&)> pending,
                 std::function<void(const GateVerdict&)> decided) override;
    void record_result(const GateVerdict& verdict, bool ok, const std::string& detail) override;

    // Session hooks: observation text for taint (tree / page text the agent
    // got); a screenshot's bytes (returns its id, the SHA-256 hex).
    void observe_text(std::string_view text, const std::string& source);
    std::string record_observation(const std::string& kind, const std::string& mime, const std::string& bytes);

    // Reviewer operations (review server). Unknown ids throw deskbox::Error.
    std::vector<PendingApproval> pending_approvals() const { return approvals_.list(); }
    void approve(const std::string& id, const Reviewer& by, const std::string& note);
    void deny(const std::string& id, const Reviewer& by, const std::string& note);
    // While paused nothing executes: new proposals are refused ("session:paused")
    // and approvals that arrive are held until resume.
    void pause(const Reviewer& by, const std::string& note = {});
    void resume(const Reviewer& by, const std::string& note = {});
    // The kill switch: pending approvals are denied, everything later is
    // refused ("session:stopped"), then `on_stop` runs (the session ends).
    void stop(const Reviewer& by, const std::string& note = {});
    void on_stop(std::function<void()> callback) { on_stop_ = std::move(callback); }
    // Takeover: a reviewer takes control. The start is durably audited
    // ("control" takeover.start) before `start` gives them input; meanwhile new
    // proposals are refused ("session:taken_over") and approved ones are held.
    // Handback (or stop) runs `end`, audits takeover.end and releases what was
    // held. Without on_takeover the session does not allow it (review.takeover).
    Json takeover(const Reviewer& by, const std::string& note = {});
    void handback(const Reviewer& by, const std::string& note = {});
    void on_takeover(std::function<Json(const Reviewer&)> start, std::function<void()> end) {
        takeover_start_ = std::move(start);
        takeover_end_ = std::move(end);
    }
    // Called when what status_json() shows changes in a way a reviewer must
    // see at once: taint, pause/resume/stop, an approval waiting or answered.
    void on_change(std::function<void()> callback) { on_change_ = std::move(callback); }

    // ReviewHandler (the reviewer socket): the same operations with the peer's
    // SO_PEERCRED identity; an unknown approval id throws NotFoundError.
    Json list_approvals() override;
    void approve(const std::string& id, const ReviewerIdentity& who, const std::string& note) override;
    void deny(const std::string& id, const ReviewerIdentity& who, const std::string& note) override;
    void pause(const ReviewerIdentity& who, const std::string& note) override { pause(reviewer_of(who), note); }
    void resume(const ReviewerIdentity& who, const std::string& note) override { resume(reviewer_of(who), note); }
    void stop(const ReviewerIdentity& who, const std::string& note) override { stop(reviewer_of(who), note); }
    Json takeover(const ReviewerIdentity& who, const std::string& note) override {
        return takeover(reviewer_of(who), note);
    }
    void handback(const ReviewerIdentity& who, const std::string& note) override { handback(reviewer_of(who), note); }
    Json status() override { return status_json(); }
    Json verify(const ReviewerIdentity& who) override;
    Json observation(const std::string& id) override;
    void when_observation_ready(const std::string& id, std::function<void()> ready) override;
    Json audit(std::size_t last) override;
    Json kept_screenshot(const std::string& name) override;
    // What `verify` runs: the session's final-state checks, which write their
    // own audit records (the reviewer is passed on to be named in them).
    void on_verify(std::function<Json(const Reviewer&)> verifier) { verifier_ = std::move(verifier); }
    Json collect(const ReviewerIdentity& who) override;
    // What `collect` runs: the session's collect entries, audited by the session.
    void on_collect(std::function<Json(const Reviewer&)> collector) { collector_ = std::move(collector); }

    bool paused() const { return paused_; }
    bool taken_over() const { return taken_by_.has_value(); }
    bool stopped() const { return stopped_; }
    // For status.json: taint and its cause, pause/stop, pending approvals, budget use.
    nlohmann::json status_json() const;
    static Reviewer reviewer_of(const ReviewerIdentity& who);

    // Proposals whose screen context is still being read (parked on an app's
    // accessibility answer).
    std::size_t parked() const { return parked_.size(); }

private:
    struct Parked;
    // Audits the proposal with its context and decides it (the rest of propose()).
    void decide(const Proposal& proposal, std::function<void(const GateVerdict&)> pending,
                std::function<void(const GateVerdict&)> decided, GateContext context, const std::string& context_error,
                std::int64_t context_us);
    // Stop, pause, takeover: parked proposals are decided now (refused, audited).
    void refuse_parked();
    void refuse(std::function<void(const GateVerdict&)>& decided, GateVerdict verdict);
    void audit_taint(const TaintCause& cause);
    void deliver(std::function<void()> action);
    // Paused or taken over (and not stopped): approved actions wait in held_.
    bool holding() const { return (paused_ || taken_by_) && !stopped_; }
    void release_held();
    // Runs the end hook and audits takeover.end (handback, a stop, a failed start).
    void end_takeover(const Reviewer& by, const std::string& note, const std::string& reason);
    void keep_observation(const std::string& approval_id, const GateContext& context);
    // Drops an approval's observation; requests waiting for its picture are
    // answered (not_found).
    void forget_observation(const std::string& approval_id);
    // An approved action, right before it runs (audited_gate_recheck.cc): the
    // screen context is read again on the loop and compared with the one the
    // approval was decided on; the check is audited; a change refuses it, a
    // pause or takeover that came meanwhile holds it (and it is checked again
    // when released), a stop refuses it at once.
    void run_approved(std::function<void(const GateVerdict&)> decided, const GateVerdict& answer, const Action& action,
                      const GateContext& before);
    std::optional<GateVerdict> target_verdict(const std::string& proposal_id, const GateContext& before,
                                              const GateContext& now, const std::string& error,
                                              std::int64_t context_us);
    void refuse_rechecking();
    struct Recheck;
    void changed() {
        if (on_change_) on_change_();
    }

    Gate& gate_;
    ApprovalQueue& approvals_;
    AuditLog& log_;
    GateContextProvider& context_;
    AuditedGateOptions options_;
    std::uint64_t next_proposal_ = 1;
    bool paused_ = false;
    bool stopped_ = false;
    std::optional<Reviewer> taken_by_;  // who has control (takeover)
    std::function<Json(const Reviewer&)> takeover_start_;
    std::function<void()> takeover_end_;
    std::vector<std::function<void()>> held_;  // approved while paused or taken over
    std::function<void()> on_stop_;
    std::function<void()> on_change_;
    std::function<Json(const Reviewer&)> verifier_;
    std::function<Json(const Reviewer&)> collector_;
    std::map<std::string, ApprovalObservation> observations_;     // by pending approval id
    std::vector<std::shared_ptr<Parked>> parked_;                 // in the order proposed
    std::vector<std::shared_ptr<Recheck>> rechecks_;              // approved, target being read again
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // a late context after destruction is dropped
};

nlohmann::json reviewer_json(const Reviewer& r);

}  // namespace deskbox
