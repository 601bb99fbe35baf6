#include "supervisor/audit/audited_gate.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <utility>

#include "policy/context_change.h"
#include "supervisor/audit/action_record.h"
#include "supervisor/audit/audit_record.h"
#include "supervisor/audit/audit_verify.h"
#include "supervisor/audit/kept_screenshot.h"
#include "supervisor/base/error.h"
#include "supervisor/base/unique_fd.h"
#include "supervisor/control/base64.h"

namespace deskbox {

nlohmann::json reviewer_json(const Reviewer& r) {
    nlohmann::json j = {{"user", r.user}};
    if (r.uid >= 0) j["uid"] = r.uid;
    if (r.pid >= 0) j["pid"] = r.pid;
    if (!r.reviewer.empty()) j["reviewer"] = r.reviewer;
    if (!r.via.empty()) j["via"] = r.via;
    return j;
}

namespace {

GateVerdict refused(const std::string& proposal_id, std::string rule, std::string reason) {
    GateVerdict v;
    v.outcome = GateVerdict::Outcome::Refuse;
    v.proposal_id = proposal_id;
    v.rule = std::move(rule);
    v.reason = std::move(reason);
    return v;
}

std::string reviewer_name(const Reviewer& r) {
    if (!r.reviewer.empty()) return r.reviewer + (r.via.empty() ? "" : " via " + r.via);
    if (!r.user.empty()) return r.user;
    return r.uid >= 0 ? "uid " + std::to_string(r.uid) : "a reviewer";
}

}  // namespace

AuditedGate::AuditedGate(Gate& gate, ApprovalQueue& approvals, AuditLog& log, GateContextProvider& context,
                         AuditedGateOptions options)
    : gate_(gate), approvals_(approvals), log_(log), context_(context), options_(std::move(options)) {}

void AuditedGate::refuse(std::function<void(const GateVerdict&)>& decided, GateVerdict verdict) {
    verdict.outcome = GateVerdict::Outcome::Refuse;
    decided(verdict);
}

void AuditedGate::audit_taint(const TaintCause& cause) {
    log_.append("taint", {{"pattern", cause.pattern}, {"source", cause.source}, {"excerpt", cause.excerpt}},
                Durability::Sync);
    changed();
}

// Parked: a proposal whose screen context is being read (an app's
// accessibility answer may take up to the helper's timeout). The loop serves
// everything else meanwhile; a stop, pause or takeover refuses it at once.
struct AuditedGate::Parked {
    Proposal proposal;
    std::function<void(const GateVerdict&)> pending;
    std::function<void(const GateVerdict&)> decided;
    std::chrono::steady_clock::time_point started;
    bool over = false;  // decided (or refused while parked): a late context is dropped
};

void AuditedGate::propose(const Proposal& proposal, std::function<void(const GateVerdict&)> pending,
                          std::function<void(const GateVerdict&)> decided) {
    // Refused without reading the screen: nothing would run anyway.
    if (stopped_ || paused_ || taken_by_) return decide(proposal, pending, decided, GateContext{}, {}, -1);
    auto parked = std::make_shared<Parked>(
        Parked{proposal, std::move(pending), std::move(decided), std::chrono::steady_clock::now(), false});
    parked_.push_back(parked);
    std::weak_ptr<bool> alive = alive_;
    auto resume = [this, alive, parked](GateContext context, std::string error) {
        if (alive.expired() || parked->over) return;
        parked->over = true;
        std::erase(parked_, parked);
        const auto context_us =
            std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - parked->started)
                .count();
        decide(parked->proposal, parked->pending, parked->decided, std::move(context), error, context_us);
    };
    try {
        context_.lookup_context(proposal.action, resume);
    } catch (const std::exception& e) {
        // The provider failed before it could answer: unknown, never allow.
        resume(GateContext{}, e.what()[0] ? e.what() : "unknown error");
    }
}

void AuditedGate::refuse_parked() {
    // Each is decided with what the session is now (stopped, paused, taken
    // over): refused and audited as a proposal made now would be.
    auto parked = std::move(parked_);
    parked_.clear();
    for (const auto& p : parked) {
        if (p->over) continue;
        p->over = true;
        decide(p->proposal, p->pending, p->decided, GateContext{}, {}, -1);
    }
}

void AuditedGate::decide(const Proposal& proposal, std::function<void(const GateVerdict&)> pending,
                         std::function<void(const GateVerdict&)> decided, GateContext context,
                         const std::string& context_error, std::int64_t context_us) {
    const std::string pid = "P" + std::to_string(next_proposal_++);
    try {
        const TextRecording recording = text_recording(proposal.action, context, gate_.policy().unknown_focus_text);
        nlohmann::json record = {{"id", pid},
                                 {"dialect", to_string(proposal.dialect)},
                                 {"action", action_record_json(proposal.action, recording)}};
        if (!proposal.request_id.empty()) record["request_id"] = proposal.request_id;
        if (!proposal.agent.empty()) record["agent"] = proposal.agent;
        record.update(context_record_json(context));
        if (recording == TextRecording::OmitUnknownFocus) record["focus"] = "unknown";
        if (context_us >= 0) record["context_us"] = context_us;
        // A secret's value in ordinary typed text: the log redacts it; the flag says it happened.
        if (options_.secrets_in && !proposal.action.text.empty())
            if (auto names = options_.secrets_in(proposal.action.text); !names.empty())
                record["secret_leak"] = names;  // what reading the screen cost this proposal
        if (!context_error.empty()) record["context_error"] = context_error;
        log_.append("proposal", record);

        auto refuse_now = [&](const std::string& rule, const std::string& reason) {
            log_.append("decision", {{"proposal", pid}, {"outcome", "deny"}, {"rule", rule}, {"reason", reason}},
                        Durability::Sync);
            refuse(decided, refused(pid, rule, reason));
        };
        if (stopped_) return refuse_now("session:stopped", "the session was stopped by a reviewer");
        if (taken_by_)
            return refuse_now("session:taken_over", "reviewer " + reviewer_name(*taken_by_) +
                                                        " has taken control of the session; propose again after "
                                                        "they hand it back");
        if (paused_)
            return refuse_now("session:paused", "the session is paused by a reviewer; propose again after it resumes");
        if (!context_error.empty())
            return refuse_now("context:unavailable", "the gate could not read the screen context: " + context_error);
        // A secret is typed only where its manifest entry allows, whatever the policy says.
        if (proposal.action.kind == ActionKind::TypeSecret) {
            if (!options_.secret_check) return refuse_now("secret:unavailable", "this session cannot type secrets");
            if (auto r = options_.secret_check(proposal.action.secret, context))
                return refuse_now("secret:" + r->first, "type_secret '" + proposal.action.secret + "' refused (" +
                                                            r->first + "): " + r->second);
        }

        const GateDecision d = gate_.decide(proposal.action, context);
        if (d.new_taint) audit_taint(*d.new_taint);

        nlohmann::json decision = {
            {"proposal", pid}, {"outcome", to_string(d.decision)}, {"rule", d.rule}, {"reason", d.reason}};
        if (!d.unreadable_field.empty()) {
            decision["unreadable_field"] = d.unreadable_field;
            decision["unreadable_rule"] = d.unreadable_rule;
        }
        if (d.tier) decision["tier"] = to_string(*d.tier);
        if (d.taint_escalated) decision["taint_escalated"] = true;
        if (d.decision == Decision::Approve) {
            decision["approval_id"] = approvals_.next_id();
            decision["timeout_ms"] = d.approve_timeout.count();
        }
        log_.append("decision", decision, Durability::Sync);

        GateVerdict v;
        v.proposal_id = pid;
        v.rule = d.rule;
        v.reason = d.reason;
        v.retry_after_ms = d.retry_after_ms;
        if (d.decision == Decision::Deny) return refuse(decided, std::move(v));
        if (d.decision == Decision::Allow) {
            v.outcome = GateVerdict::Outcome::Execute;
            return decided(v);
        }

        // Approve: park it. The detail is what reviewers see (redacted by the
        // log's redactor, and without password-field text).
        nlohmann::json detail = record;
        detail["rule"] = d.rule;
        detail["reason"] = d.reason;
        if (d.tier) detail["tier"] = to_string(*d.tier);
        if (gate_.taint().tainted()) detail["tainted"] = true;
        if (const auto& cause = gate_.taint().cause())
            detail["taint_cause"] = {
                {"pattern", cause->pattern}, {"source", cause->source}, {"excerpt", cause->excerpt}};
        log_.redactor().redact_json(detail);
        const std::string rule = d.rule;
        const Action action = proposal.action;
        const std::vector<SafetyCheck> checks = proposal.action.safety_checks;
        const std::string approval_id = approvals_.add(
            d.rule, std::move(detail), d.approve_timeout,
            [this, pid, rule, checks, decided, action, context](const PendingApproval& p,
                                                                const ApprovalResolution& r) mutable {
                forget_observation(p.id);
                try {
                    const char* outcome = r.approved ? "approved" : r.timed_out ? "timed_out" : "denied";
                    nlohmann::json approval = {{"proposal", pid},    {"approval_id", p.id},
                                               {"outcome", outcome}, {"by", reviewer_json(r.by)},
                                               {"note", r.note},     {"waited_ms", r.at_ms - p.created_ms}};
                    // What the reviewer acknowledged (or refused) on the agent's behalf.
                    if (!checks.empty()) approval["safety_checks"] = safety_checks_json(checks);
                    log_.append("approval", approval, Durability::Sync);
                } catch (const Error& e) {
                    return refuse(decided, refused(pid, "audit:unavailable",
                                                   std::string("the audit log cannot be written: ") + e.what()));
                }
                changed();
                GateVerdict answer;
                answer.proposal_id = pid;
                answer.rule = rule;
                answer.approval_id = p.id;
                if (!r.approved) {
                    answer.reason = r.timed_out ? "approval " + p.id + " timed out: " + r.note
                                                : "denied by reviewer " + reviewer_name(r.by) +
                                                      (r.note.empty() ? "" : ": " + r.note);
                    return refuse(decided, std::move(answer));
                }
                answer.reason = "approved by reviewer " + reviewer_name(r.by) + (r.note.empty() ? "" : ": " + r.note);
                answer.outcome = GateVerdict::Outcome::Execute;
                deliver([this, decided, answer, action, context] { run_approved(decided, answer, action, context); });
            });
        keep_observation(approval_id, context);
        v.outcome = GateVerdict::Outcome::Pending;
        v.approval_id = approval_id;
        changed();
        pending(v);
    } catch (const Error& e) {
        // Nothing runs without a durable decision.
        refuse(decided, refused(pid, "audit:unavailable", std::string("the audit log cannot be written: ") + e.what()));
    }
}

void AuditedGate::deliver(std::function<void()> action) {
    if (holding()) {
        held_.push_back(std::move(action));
        return;
    }
    if (!options_.run_later) return action();
    // By the time it runs, a reviewer may have paused the session or taken control: ask again then.
    options_.run_later([this, action = std::move(action)]() mutable {
        if (holding())
            held_.push_back(std::move(action));
        else
            action();
    });
}

void AuditedGate::release_held() {
    if (holding()) return;  // still paused, or still taken over
    auto held = std::move(held_);
    held_.clear();
    for (auto& action : held) action();
}

void AuditedGate::record_result(const GateVerdict& verdict, bool ok, const std::string& detail) {
    log_.append("result", {{"proposal", verdict.proposal_id}, {"ok", ok}, {"detail", detail}});
}

void AuditedGate::observe_text(std::string_view text, const std::string& source) {
    if (auto cause = gate_.observe_text(text, source)) audit_taint(*cause);
}

std::string AuditedGate::record_observation(const std::string& kind, const std::string& mime,
                                            const std::string& bytes) {
    const std::string id = sha256_hex_of(bytes);
    nlohmann::json record = {{"kind", kind}, {"id", "sha256:" + id}, {"mime", mime}, {"bytes", bytes.size()}};
    if (options_.keep_screenshots_in) {
        const std::string ext = mime == "image/jpeg" ? ".jpg" : mime == "image/png" ? ".png" : ".bin";
        const std::filesystem::path file = *options_.keep_screenshots_in / (id + ext);
        UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!fd) throw_errno("keeping screenshot " + file.string());
        std::size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw_errno("keeping screenshot " + file.string());
            done += static_cast<std::size_t>(n);
        }
        record["kept_as"] = file.filename().string();
    }
    log_.append("observation", record);
    return id;
}

void AuditedGate::approve(const std::string& id, const Reviewer& by, const std::string& note) {
    approvals_.approve(id, by, note);
}

void AuditedGate::deny(const std::string& id, const Reviewer& by, const std::string& note) {
    approvals_.deny(id, by, note);
}

Reviewer AuditedGate::reviewer_of(const ReviewerIdentity& who) {
    return Reviewer{static_cast<std::int64_t>(who.uid), static_cast<std::int64_t>(who.pid), who.user, who.reviewer,
                    who.via};
}

void AuditedGate::keep_observation(const std::string& approval_id, const GateContext& context) {
    ApprovalObservation o;
    // The box the reviewer should look at: the element, else the pixels
    // around the pointer's point.
    if (context.target && context.target->box)
        o.box = context.target->box;
    else if (context.pixels)
        o.box = context.pixels->area;
    if (!options_.approval_screenshot) {
        o.error = "this session keeps no screenshots for approvals";
        observations_[approval_id] = std::move(o);
        return;
    }
    o.taking = true;
    const std::optional<Rect> box = o.box;
    observations_[approval_id] = std::move(o);
    // The answer may come at once or later; by then the approval may be
    // decided (its observation erased) or the gate gone.
    auto answer = [this, alive = alive_, approval_id](std::string png, std::string error) {
        if (!*alive) return;
        const auto it = observations_.find(approval_id);
        if (it == observations_.end() || !it->second.taking) return;
        it->second.png = std::move(png);
        it->second.error = std::move(error);
        it->second.taking = false;
        for (auto& ready : std::exchange(it->second.waiting, {})) ready();
    };
    try {
        options_.approval_screenshot(box, answer);
    } catch (const std::exception& e) {
        answer({}, e.what());
    }
}

void AuditedGate::forget_observation(const std::string& approval_id) {
    const auto it = observations_.find(approval_id);
    if (it == observations_.end()) return;
    auto waiting = std::move(it->second.waiting);
    observations_.erase(it);
    for (auto& ready : waiting) ready();
}

void AuditedGate::when_observation_ready(const std::string& id, std::function<void()> ready) {
    const auto it = observations_.find(id);
    if (it == observations_.end() || !it->second.taking) return ready();
    it->second.waiting.push_back(std::move(ready));
}

Json AuditedGate::audit(std::size_t last) {
    // Read back from the file: what the console shows is what was written.
    const std::string text = read_audit_file(log_.path());
    const AuditVerifyReport report = verify_audit_text(text);
    const std::vector<AuditLine> lines = parse_audit_lines(text);
    Json records = Json::array();
    for (std::size_t i = lines.size() > last ? lines.size() - last : 0; i < lines.size(); ++i)
        if (lines[i].parsed) records.push_back(lines[i].record);
    return {{"records", std::move(records)},
            {"verification",
             {{"ok", report.ok},
              {"records", report.records},
              {"problem", report.problem},
              {"broken_record", report.broken_record},
              {"torn_tail", report.torn_tail},
              {"last_seq", report.last_seq}}}};
}

Json AuditedGate::kept_screenshot(const std::string& name) {
    if (!options_.keep_screenshots_in)
        throw NotFoundError("this session keeps no screenshots (observe.keep_screenshots)");
    if (!kept_screenshot_mime(name)) throw Error("'" + name + "' is not the name of a kept screenshot");
    if (!std::filesystem::exists(*options_.keep_screenshots_in / name))
        throw NotFoundError("no kept screenshot '" + name + "'");
    KeptScreenshot shot = read_kept_screenshot(*options_.keep_screenshots_in, name);
    return {{"mime", shot.mime}, {"base64", base64_encode(shot.bytes)}};
}

Json AuditedGate::observation(const std::string& id) {
    const auto it = observations_.find(id);
    if (it == observations_.end()) throw NotFoundError("no pending approval '" + id + "'");
    const ApprovalObservation& o = it->second;
    Json j = {{"png_base64", base64_encode(o.png)}, {"box", nullptr}};
    if (o.box) j["box"] = {{"x", o.box->x}, {"y", o.box->y}, {"width", o.box->width}, {"height", o.box->height}};
    if (!o.error.empty()) j["error"] = o.error;
    if (o.taking) j["error"] = "the screenshot is still being taken";
    return j;
}

Json AuditedGate::list_approvals() {
    const std::int64_t now = approvals_.now();
    Json list = Json::array();
    for (const auto& p : approvals_.list()) {
        // The reviewer's picture: still being taken, there, or none (why: "observation").
        const auto o = observations_.find(p.id);
        const char* screenshot = o == observations_.end() ? "none"
                                 : o->second.taking       ? "taking"
                                 : o->second.png.empty()  ? "none"
                                                          : "taken";
        list.push_back({{"id", p.id},
                        {"rule", p.rule},
                        {"proposal", p.detail},
                        {"waiting_ms", now - p.created_ms},
                        {"expires_in_ms", p.deadline_ms - now},
                        {"screenshot", screenshot}});
    }
    return list;
}

void AuditedGate::approve(const std::string& id, const ReviewerIdentity& who, const std::string& note) {
    try {
        approvals_.approve(id, reviewer_of(who), note);
    } catch (const ApprovalNotFound& e) {
        throw NotFoundError(e.what());
    }
}

void AuditedGate::deny(const std::string& id, const ReviewerIdentity& who, const std::string& note) {
    try {
        approvals_.deny(id, reviewer_of(who), note);
    } catch (const ApprovalNotFound& e) {
        throw NotFoundError(e.what());
    }
}

void AuditedGate::pause(const Reviewer& by, const std::string& note) {
    log_.append("control", {{"action", "pause"}, {"by", reviewer_json(by)}, {"note", note}}, Durability::Sync);
    paused_ = true;
    refuse_parked();
    changed();
}

void AuditedGate::resume(const Reviewer& by, const std::string& note) {
    log_.append("control", {{"action", "resume"}, {"by", reviewer_json(by)}, {"note", note}}, Durability::Sync);
    paused_ = false;
    changed();
    release_held();
}

Json AuditedGate::takeover(const Reviewer& by, const std::string& note) {
    if (stopped_) throw Error("the session was stopped");
    if (!takeover_start_) throw Error("this session's manifest does not allow takeover (review.takeover: true)");
    if (taken_by_) throw Error("reviewer " + reviewer_name(*taken_by_) + " already has control of the session");
    // Durable before the reviewer gets any input; from here on the agent is refused.
    log_.append("control", {{"action", "takeover.start"}, {"by", reviewer_json(by)}, {"note", note}}, Durability::Sync);
    taken_by_ = by;
    refuse_parked();
    changed();
    Json access;
    try {
        access = takeover_start_(by);
    } catch (const std::exception& e) {
        if (taken_by_) end_takeover(by, {}, std::string("the reviewer's VNC server did not start: ") + e.what());
        throw;
    }
    // The start waits for x11vnc on the session's loop, which serves the
    // review socket meanwhile: a stop or a handback may have come first.
    if (!taken_by_ || stopped_) {
        if (takeover_end_) takeover_end_();
        throw Error(stopped_ ? "the session was stopped while the takeover started"
                             : "the takeover was handed back while it started");
    }
    return access;
}

void AuditedGate::handback(const Reviewer& by, const std::string& note) {
    if (!taken_by_) throw Error("the session is not taken over");
    end_takeover(by, note, "handback");
    release_held();
}

void AuditedGate::end_takeover(const Reviewer& by, const std::string& note, const std::string& reason) {
    if (!taken_by_) return;  // callers check; nothing to end
    // Input stops before the record says it did.
    if (takeover_end_) takeover_end_();
    const Reviewer had = *taken_by_;
    taken_by_.reset();
    changed();
    log_.append("control",
                {{"action", "takeover.end"},
                 {"by", reviewer_json(by)},
                 {"taken_by", reviewer_json(had)},
                 {"reason", reason},
                 {"note", note}},
                Durability::Sync);
}

void AuditedGate::stop(const Reviewer& by, const std::string& note) {
    if (stopped_) {
        // Asked again while the session ends (a verify command still runs at
        // teardown): the session is told again, which kills that command.
        if (on_stop_) on_stop_();
        return;
    }
    // Mark stopped before anything can run: approvals resolved below are refused.
    stopped_ = true;
    try {
        log_.append("control", {{"action", "stop"}, {"by", reviewer_json(by)}, {"note", note}}, Durability::Sync);
    } catch (const Error&) {
        // The kill switch works even when the log cannot be written.
    }
    if (taken_by_) {
        try {
            end_takeover(by, note, "stop");
        } catch (const Error&) {
            // As above: the kill switch goes on.
        }
    }
    refuse_parked();      // proposals still reading the screen: refused "session:stopped"
    refuse_rechecking();  // approved actions whose target is being read again: the same
    approvals_.deny_all(by, note.empty() ? "the session was stopped" : note);
    auto held = std::move(held_);
    held_.clear();
    for (auto& action : held) action();  // each refuses: stopped_
    changed();
    if (on_stop_) on_stop_();
}

Json AuditedGate::verify(const ReviewerIdentity& who) {
    if (!verifier_) throw Error("this session cannot run its verify checks");
    return verifier_(reviewer_of(who));
}

Json AuditedGate::collect(const ReviewerIdentity& who) {
    if (!collector_) throw Error("this session cannot collect files");
    return collector_(reviewer_of(who));
}

nlohmann::json AuditedGate::status_json() const {
    nlohmann::json j = {{"paused", paused_},
                        {"stopped", stopped_},
                        {"taken_over", taken_by_.has_value()},
                        {"pending_approvals", approvals_.size()},
                        {"reading_context", parked_.size()},  // proposals parked on a context lookup
                        {"steps_used", gate_.budgets().steps_used()},
                        {"steps_limit", gate_.budgets().limits().steps},
                        {"elapsed_ms", gate_.budgets().elapsed_ms()},
                        {"tainted", gate_.taint().tainted()}};
    if (taken_by_) j["taken_over_by"] = reviewer_json(*taken_by_);
    if (const auto& cause = gate_.taint().cause()) {
        nlohmann::json c = {{"pattern", cause->pattern}, {"source", cause->source}, {"excerpt", cause->excerpt}};
        log_.redactor().redact_json(c);
        j["taint_cause"] = std::move(c);
    }
    return j;
}

}  // namespace deskbox
