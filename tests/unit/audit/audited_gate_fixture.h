// The AuditedGate unit tests' common ground: a fake context provider (a
// screen the test describes, lookups answered at once or parked), a fake
// executor, a temporary audit log, and the gate built on them.
#pragma once

#include <boost/test/unit_test.hpp>
#include <deque>

#include "supervisor/audit/audit_timeline.h"
#include "supervisor/audit/audit_verify.h"
#include "supervisor/audit/audited_gate.h"
#include "supervisor/base/error.h"
#include "tests/unit/audit/temp_dir.h"
#include "tests/unit/policy/fakes.h"
#include "tests/unit/policy/test_policy.h"

namespace deskbox::audited_gate_test {

// What the session would report about the screen; set by each test.
class FakeContext : public GateContextProvider {
public:
    GateContext next;
    std::vector<ActionKind> asked;
    bool fail = false;
    GateContext context_for(const Action& action) override {
        asked.push_back(action.kind);
        if (fail) throw Error("AT-SPI helper is not answering");
        return next;
    }
    // While `defer` is set, proposals' lookups wait here until answer() (the
    // session answers them later, from its loop).
    bool defer = false;
    std::deque<ContextDone> waiting;
    void lookup_context(const Action& action, ContextDone done) override {
        if (!defer) return GateContextProvider::lookup_context(action, std::move(done));
        waiting.push_back(std::move(done));
    }
    void answer(GateContext c, std::string error = {}) {
        auto done = std::move(waiting.front());
        waiting.pop_front();
        done(std::move(c), std::move(error));
    }
};

struct Answers {
    std::vector<GateVerdict> pending, decided;
    std::function<void(const GateVerdict&)> on_pending() {
        return [this](const GateVerdict& v) { pending.push_back(v); };
    }
    std::function<void(const GateVerdict&)> on_decided() {
        return [this](const GateVerdict& v) { decided.push_back(v); };
    }
};

inline const std::string kSecret = "ci-Passw0rd-91";

struct GateFixture {
    test::TempDir dir;
    Policy policy = test::ci_incident_policy();
    test::ManualClock clock;
    test::ManualTimers timers{clock};
    Gate gate{policy, BudgetLimits{}, Millis(60'000), clock.clock()};
    ApprovalQueue approvals{timers, clock.clock()};
    AuditLog log{dir / "audit.jsonl", Redactor({kSecret}, policy.redact)};
    FakeContext context;
    AuditedGate audited{gate, approvals, log, context};
    Answers answers;

    void propose(Action action, Dialect dialect = Dialect::Anthropic) {
        audited.propose(Proposal{std::move(action), dialect, "req-1"}, answers.on_pending(), answers.on_decided());
    }
    std::string audit_text() const { return test::slurp(dir / "audit.jsonl"); }
    std::vector<nlohmann::json> records(const std::string& type) const {
        std::vector<nlohmann::json> out;
        for (auto& line : parse_audit_lines(audit_text()))
            if (line.record["type"] == type) out.push_back(line.record["data"]);
        return out;
    }
};

inline Action click_at(int x, int y) {
    Action a;
    a.kind = ActionKind::Click;
    a.point = Point{x, y};
    return a;
}

inline GateContext browser(const std::string& domain, std::optional<TargetElement> target = std::nullopt) {
    GateContext c;
    c.window = FocusedWindow{"Chromium", "CI dashboard"};
    c.domain = domain;
    c.target = std::move(target);
    return c;
}

using Outcome = GateVerdict::Outcome;

}  // namespace deskbox::audited_gate_test
