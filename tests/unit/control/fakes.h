// Recording fakes for the agent server's two ports: the desktop
// (ActionExecutor) and the policy gate (GatePort).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "supervisor/control/gate_port.h"
#include "xsession/actions/executor.h"

namespace deskbox::test {

class FakeExecutor : public ActionExecutor {
public:
    std::vector<Action> executed;
    std::vector<CaptureOptions> captures;
    Point size{1280, 800};
    Point cursor{10, 20};
    std::string fail_with;    // when set, every execute fails with this error
    std::string browser_url;  // reported with screenshots that ask for current_url

    ActionResult execute(const Action& action, const CaptureOptions& capture) override {
        executed.push_back(action);
        captures.push_back(capture);
        ActionResult r;
        if (!fail_with.empty()) {
            r.ok = false;
            r.error = fail_with;
            return r;
        }
        if (action.kind == ActionKind::Screenshot || action.kind == ActionKind::Zoom) {
            r.image = ImageData{capture.format == "jpeg" ? "image/jpeg" : "image/png", "IMG", size.x, size.y};
            if (capture.current_url) r.current_url = browser_url;
        }
        if (action.kind == ActionKind::CursorPosition) r.cursor = cursor;
        if (action.kind == ActionKind::Tree) r.json = R"({"role":"frame","children":[]})";
        return r;
    }
    Point scaled_size() const override { return size; }

    // While `defer` is set, actions answer later (as one waiting for the
    // accessibility helper does) when the test calls answer_deferred().
    bool defer = false;
    std::vector<std::function<void()>> deferred;
    void execute_later(const Action& action, const CaptureOptions& capture,
                       std::function<void(ActionResult)> done) override {
        if (!defer) {
            ActionExecutor::execute_later(action, capture, std::move(done));
            return;
        }
        deferred.push_back([this, action, capture, done = std::move(done)] { done(execute(action, capture)); });
    }
    void answer_deferred() {
        auto first = std::move(deferred.front());
        deferred.erase(deferred.begin());
        first();
    }
};

class FakeGate : public GatePort {
public:
    struct Record {
        Proposal proposal;
    };
    std::vector<Proposal> proposals;
    std::vector<std::pair<bool, std::string>> results;
    // Decides each proposal; default: execute.
    std::function<GateVerdict(const Proposal&)> decide = [](const Proposal&) {
        GateVerdict v;
        v.outcome = GateVerdict::Outcome::Execute;
        v.rule = "test-allow";
        return v;
    };
    // Pending proposals wait here until the test calls resolve().
    std::vector<std::function<void(const GateVerdict&)>> waiting;

    // While `park` is set, proposals wait (as for a context lookup) until unpark().
    bool park = false;
    std::vector<std::function<void()>> parked;

    void propose(const Proposal& proposal, std::function<void(const GateVerdict&)> pending,
                 std::function<void(const GateVerdict&)> decided) override {
        if (park) {
            parked.push_back([this, proposal, pending, decided] { answer(proposal, pending, decided); });
            return;
        }
        answer(proposal, std::move(pending), std::move(decided));
    }
    void unpark() {
        auto first = std::move(parked.front());
        parked.erase(parked.begin());
        first();
    }
    void answer(const Proposal& proposal, std::function<void(const GateVerdict&)> pending,
                std::function<void(const GateVerdict&)> decided) {
        proposals.push_back(proposal);
        GateVerdict v = decide(proposal);
        if (v.outcome == GateVerdict::Outcome::Pending) {
            pending(v);
            waiting.push_back(std::move(decided));
            return;
        }
        decided(v);
    }
    void record_result(const GateVerdict&, bool ok, const std::string& detail) override {
        results.emplace_back(ok, detail);
    }
    void resolve(GateVerdict::Outcome outcome, const std::string& rule = "reviewer") {
        auto decided = std::move(waiting.front());
        waiting.erase(waiting.begin());
        GateVerdict v;
        v.outcome = outcome;
        v.rule = rule;
        decided(v);
    }
};

}  // namespace deskbox::test
