// The policy gate: one pure decision per proposed action. Budgets first, then
// observation limits, then the rules (first match wins), then the default;
// a rule's tier maps to a decision through policy.tiers, and while the
// session is tainted the tiers in taint.escalate go to taint.to. Every
// decision names the rule that made it ("default" when none matched).
//
// The gate never touches X or AT-SPI: what it knows about the screen comes in
// a GateContext that the session fills (GateContextProvider).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "policy/budgets.h"
#include "policy/policy.h"
#include "policy/taint.h"
#include "xsession/actions/action.h"

namespace deskbox {

struct TargetElement {
    std::string role;  // AT-SPI role name, e.g. "push button", "password text"
    std::string name;
    std::optional<Rect> box;
    std::vector<std::string> states;  // "focused", "protected"...
};

// Is this element a password entry? (AT-SPI role "password text", or the protected state.)
bool is_password_field(const std::optional<TargetElement>& target);

// The top-level client window an action reaches, from the X server: under the
// point for pointer actions, the keyboard's window for keys, the focused one
// for observations.
struct FocusedWindow {
    std::string window_class;  // WM_CLASS res_class (instance when the class is empty)
    std::string title;
    std::string instance;  // WM_CLASS res_name
    std::uint64_t id = 0;  // X window id
    int pid = -1;          // the owning client's pid in the session (-1: unknown)
    std::string app;       // the manifest app (apps[].name) that owns it; empty: none of them
};

// A small block of screen pixels around a pointer action's point (RGB, row
// major), kept with a pending approval to see whether the target changed.
struct PixelPatch {
    Rect area;                      // screen coordinates
    std::vector<std::uint8_t> rgb;  // area.width * area.height * 3
    std::string sha256;             // hex, for the audit log
};

// Each context field is known (set), absent (unset: there is nothing there)
// or unreadable (named in `unreadable` with the reason): a timeout, an X or
// D-Bus error, an app without accessibility. The gate never treats an
// unreadable field as absent.
struct GateContext {
    // The element the action acts on: the grounded element of click_element /
    // type_into, the hit-test result under a pointer action's point, or the
    // focused element for type / key (so that typing into a "password text"
    // field is recognised and never recorded).
    std::optional<TargetElement> target;
    std::optional<FocusedWindow> window;
    std::string domain;  // host of the focused browser document; empty when none
    // Text visible now (page text, a11y names) that the gate scans for taint
    // before deciding; empty when the provider has none.
    std::string observation_text;
    // Fields that could not be read: "window", "app", "target", "domain" -> why.
    std::map<std::string, std::string> unreadable;
    std::optional<PixelPatch> pixels;  // around a pointer action's point
    bool keys_follow_pointer = false;  // keyboard focus was PointerRoot/None

    bool readable(const std::string& field) const { return unreadable.find(field) == unreadable.end(); }
};

// Implemented by the session (X for the focused window, AT-SPI for targets,
// the browser's document URL for the domain); a fake in unit tests.
class GateContextProvider {
public:
    // The context, or why none could be read at all (`error` not empty).
    using ContextDone = std::function<void(GateContext context, std::string error)>;

    virtual ~GateContextProvider() = default;
    // Reads the context before it returns (throws deskbox::Error when it cannot).
    virtual GateContext context_for(const Action& action) = 0;
    // The proposal's form: `done` is called exactly once, at once or later on
    // the event loop (while an app's accessibility answer is awaited, the loop
    // serves everything else). Default: context_for, answered at once.
    virtual void lookup_context(const Action& action, ContextDone done);
};

struct GateDecision {
    Decision decision = Decision::Deny;
    std::string rule;          // "deploy controls", "default", "budget:steps", "x+taint"
    std::optional<Tier> tier;  // when a tier rule decided
    bool taint_escalated = false;
    Millis approve_timeout{0};            // when decision == Approve
    std::string reason;                   // one sentence for the agent and the audit log
    std::optional<TaintCause> new_taint;  // this proposal's context tainted the session
    // rule == "context:unavailable": the field that could not be read and the
    // rule that needed it.
    std::string unreadable_field;
    std::string unreadable_rule;
    std::optional<std::int64_t> retry_after_ms;  // budget:rate: when proposing again can succeed
};

class Gate {
public:
    // `default_approval_timeout` applies where the policy's approve gives none
    // (the manifest's review.approval_timeout).
    Gate(const Policy& policy, const BudgetLimits& budget, Millis default_approval_timeout,
         MonotonicClock clock = system_monotonic_clock());

    GateDecision decide(const Action& action, const GateContext& context);

    // Observation text seen outside a proposal (a tree the agent asked for,
    // page text): may taint the session. Returns the cause when it did.
    std::optional<TaintCause> observe_text(std::string_view text, const std::string& source) {
        return taint_.observe(text, source);
    }
    const TaintTracker& taint() const { return taint_; }
    const Budgets& budgets() const { return budgets_; }
    const Policy& policy() const { return policy_; }

private:
    GateDecision from_spec(const DecisionSpec& spec, std::string rule) const;

    const Policy& policy_;
    Millis default_timeout_;
    Budgets budgets_;
    TaintTracker taint_;
};

// Rule matching, exposed for tests. A rule matches when every condition it
// names holds; it does not match when one of them fails on known context
// (absent context fails a condition); otherwise, when a condition needs a
// field that is unreadable, the rule cannot be evaluated.
struct RuleEvaluation {
    enum class Result { Match, NoMatch, Unreadable } result = Result::NoMatch;
    std::string field;  // Unreadable: which field ("window", "app", "target", "domain")
    std::string why;    // and why it could not be read
};
RuleEvaluation evaluate_rule(const RuleWhen& when, const Action& action, const GateContext& context);
bool rule_matches(const RuleWhen& when, const Action& action, const GateContext& context);
// "*.example" matches any subdomain (not the apex), "a.example" only itself,
// "*" anything: the shared HostPattern (supervisor/base/host_pattern.h) that
// admission and the egress proxy use too. An invalid pattern or host never matches.
bool host_matches(const std::string& pattern, const std::string& host);
// "ctrl+alt+Delete" against action keys {"Control_L","Alt_L","Delete"}: same
// keys in any order, modifiers by family, case-insensitive.
bool chord_matches(const std::string& chord, const std::vector<std::string>& keys);

}  // namespace deskbox
