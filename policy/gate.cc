#include "policy/gate.h"

#include <algorithm>
#include <cctype>

#include "supervisor/base/host_pattern.h"

namespace deskbox {

namespace {

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string key_family(const std::string& key) {
    const std::string k = lower(key);
    if (k == "ctrl" || k == "control" || k == "control_l" || k == "control_r") return "ctrl";
    if (k == "alt" || k == "alt_l" || k == "alt_r" || k == "option") return "alt";
    if (k == "shift" || k == "shift_l" || k == "shift_r") return "shift";
    if (k == "super" || k == "super_l" || k == "super_r" || k == "win" || k == "cmd" || k == "meta" || k == "meta_l" ||
        k == "meta_r")
        return "super";
    if (k == "return" || k == "enter") return "return";
    if (k == "escape" || k == "esc") return "escape";
    if (k == "delete" || k == "del") return "delete";
    return k;
}

bool kind_in(const std::vector<std::string>& kinds, ActionKind kind) {
    return std::find(kinds.begin(), kinds.end(), to_string(kind)) != kinds.end();
}

bool is_screen_capture(ActionKind kind) {
    return kind == ActionKind::Screenshot || kind == ActionKind::Zoom;
}

// A class pattern matches either half of WM_CLASS ("xterm" / "XTerm").
bool class_matches(const Pattern& p, const FocusedWindow& w) {
    return bounded_search(p, w.window_class) || (!w.instance.empty() && bounded_search(p, w.instance));
}

using Result = RuleEvaluation::Result;

// Three-valued: a condition on a known field matches or not; on an absent
// field it does not match; on an unreadable field it cannot be evaluated.
struct Verdict {
    bool failed = false;
    std::string field, why;
    void unreadable(const GateContext& c, const std::string& name) {
        if (field.empty()) {
            field = name;
            why = c.unreadable.at(name);
        }
    }
    RuleEvaluation result() const {
        if (failed) return {Result::NoMatch, {}, {}};
        if (!field.empty()) return {Result::Unreadable, field, why};
        return {Result::Match, {}, {}};
    }
};

void check_window(const WindowPattern& m, const GateContext& c, Verdict& v) {
    if (m.window_class || m.title || m.app) {
        if (!c.readable("window")) return v.unreadable(c, "window");
        if (!c.window) {
            v.failed = true;
            return;
        }
        if (m.window_class && !class_matches(*m.window_class, *c.window)) v.failed = true;
        if (m.title && !bounded_search(*m.title, c.window->title)) v.failed = true;
    }
    if (m.app && !v.failed) {
        if (!c.readable("app")) return v.unreadable(c, "app");
        if (c.window->app.empty() || !bounded_search(*m.app, c.window->app)) v.failed = true;
    }
}

// An observation limit is a deny of its own: it applies when its window
// matches, and also when the window cannot be read.
RuleEvaluation window_evaluation(const WindowPattern& m, const GateContext& c) {
    Verdict v;
    check_window(m, c, v);
    return v.result();
}

std::optional<TargetElement> effective_target(const Action& action, const GateContext& context) {
    if (context.target && context.readable("target")) return context.target;
    // Without grounding, an element action's own literal role/name is the best
    // description of what it aims at.
    if (action.element && !action.element->regex) return TargetElement{action.element->role, action.element->name, {}};
    return std::nullopt;
}

}  // namespace

bool host_matches(const std::string& pattern, const std::string& host) {
    const auto p = HostPattern::parse(pattern, nullptr);
    return p && p->matches(std::string_view(host));
}

bool chord_matches(const std::string& chord, const std::vector<std::string>& keys) {
    std::vector<std::string> want, have;
    std::size_t start = 0;
    while (start <= chord.size()) {
        std::size_t plus = chord.find('+', start);
        // A '+' directly after a separator is the plus key itself ("ctrl++").
        if (plus == start && plus != std::string::npos) plus = chord.find('+', start + 1);
        const std::string part = chord.substr(start, plus == std::string::npos ? std::string::npos : plus - start);
        if (!part.empty()) want.push_back(key_family(part));
        if (plus == std::string::npos) break;
        start = plus + 1;
    }
    for (const auto& k : keys) have.push_back(key_family(k));
    std::sort(want.begin(), want.end());
    std::sort(have.begin(), have.end());
    return !want.empty() && want == have;
}

RuleEvaluation evaluate_rule(const RuleWhen& when, const Action& action, const GateContext& context) {
    // What the action itself says is always known: checked first, so that a
    // rule for other actions never needs the screen at all.
    if (!when.actions.empty() && !kind_in(when.actions, action.kind)) return {Result::NoMatch, {}, {}};
    if (when.text) {
        const bool has_text = action.kind == ActionKind::Type || action.kind == ActionKind::TypeInto;
        if (!has_text || !bounded_search(*when.text, action.text)) return {Result::NoMatch, {}, {}};
    }
    if (!when.keys.empty()) {
        const bool any = std::any_of(when.keys.begin(), when.keys.end(),
                                     [&](const std::string& chord) { return chord_matches(chord, action.keys); });
        if (!any) return {Result::NoMatch, {}, {}};
    }
    Verdict v;
    if (when.window) check_window(*when.window, context, v);
    if (when.target && !v.failed) {
        const auto target = effective_target(action, context);
        if (target) {
            if (when.target->role && !bounded_search(*when.target->role, target->role)) v.failed = true;
            if (when.target->name && !bounded_search(*when.target->name, target->name)) v.failed = true;
        } else if (!context.readable("target")) {
            v.unreadable(context, "target");
        } else {
            v.failed = true;
        }
    }
    if (!when.domains.empty() && !v.failed) {
        if (!context.readable("domain")) {
            v.unreadable(context, "domain");
        } else {
            const bool any = std::any_of(when.domains.begin(), when.domains.end(),
                                         [&](const std::string& d) { return host_matches(d, context.domain); });
            if (!any) v.failed = true;
        }
    }
    return v.result();
}

bool rule_matches(const RuleWhen& when, const Action& action, const GateContext& context) {
    return evaluate_rule(when, action, context).result == Result::Match;
}

Gate::Gate(const Policy& policy, const BudgetLimits& budget, Millis default_approval_timeout, MonotonicClock clock)
    : policy_(policy),
      default_timeout_(default_approval_timeout),
      budgets_(budget, std::move(clock)),
      taint_(policy.taint) {}

GateDecision Gate::from_spec(const DecisionSpec& spec, std::string rule) const {
    GateDecision d;
    d.decision = spec.decision;
    d.rule = std::move(rule);
    if (spec.decision == Decision::Approve) d.approve_timeout = spec.approve_timeout.value_or(default_timeout_);
    return d;
}

namespace {
std::string reason_for(const GateDecision& d) {
    switch (d.decision) {
        case Decision::Allow:
            return "allowed by rule '" + d.rule + "'";
        case Decision::Deny:
            return "denied by rule '" + d.rule + "'";
        case Decision::Approve:
            return "waiting for a reviewer (rule '" + d.rule + "')";
    }
    return {};
}
}  // namespace

void GateContextProvider::lookup_context(const Action& action, ContextDone done) {
    GateContext context;
    std::string error;
    try {
        context = context_for(action);
    } catch (const std::exception& e) {
        error = e.what();
        if (error.empty()) error = "unknown error";
    }
    done(std::move(context), std::move(error));
}

GateDecision Gate::decide(const Action& action, const GateContext& context) {
    std::optional<TaintCause> new_taint = taint_.observe(context.observation_text, "context");
    auto finish = [&](GateDecision d) {
        d.new_taint = std::move(new_taint);
        // The model itself flagged this action (OpenAI pending_safety_checks):
        // acknowledging is a person's decision, so an allow becomes an
        // approval; a deny or an approval stands.
        if (!action.safety_checks.empty() && d.decision == Decision::Allow) {
            d.decision = Decision::Approve;
            d.rule = "openai:safety_check";
            d.approve_timeout = default_timeout_;
            d.reason = "waiting for a reviewer: the model raised safety checks";
            for (const auto& c : action.safety_checks)
                d.reason += (&c == &action.safety_checks.front() ? " (" : "; ") + (c.code.empty() ? c.id : c.code);
            d.reason += ")";
        }
        if (d.reason.empty()) d.reason = reason_for(d);
        return d;
    };

    if (auto refusal = budgets_.charge()) {
        GateDecision d;
        d.decision = Decision::Deny;
        d.rule = refusal->rule;
        d.reason = refusal->reason;
        d.retry_after_ms = refusal->retry_after_ms;
        return finish(std::move(d));
    }

    auto unreadable = [&](const std::string& rule, const RuleEvaluation& e) {
        GateDecision d = from_spec(policy_.on_unreadable, "context:unavailable");
        d.unreadable_field = e.field;
        d.unreadable_rule = rule;
        d.reason = std::string(d.decision == Decision::Approve ? "waiting for a reviewer" : "refused") + ": rule '" +
                   rule + "' needs the " + e.field + ", which deskbox could not read (" + e.why + ")";
        return finish(std::move(d));
    };

    if (is_screen_capture(action.kind)) {
        for (const auto& limit : policy_.observation_limits) {
            const RuleEvaluation e = window_evaluation(limit.window, context);
            if (e.result == Result::Unreadable) return unreadable("observe:" + limit.name, e);
            if (e.result == Result::Match) {
                GateDecision d;
                d.decision = Decision::Deny;
                d.rule = "observe:" + limit.name;
                d.reason = "no screenshots while this window is focused (observation limit '" + limit.name + "')";
                return finish(std::move(d));
            }
        }
    }

    const Rule* matched = nullptr;
    for (const auto& rule : policy_.rules) {
        const RuleEvaluation e = evaluate_rule(rule.when, action, context);
        if (e.result == Result::Unreadable) return unreadable(rule.name, e);
        if (e.result == Result::Match) {
            matched = &rule;
            break;
        }
    }
    if (!matched) return finish(from_spec(policy_.default_decision, "default"));
    if (matched->decision) return finish(from_spec(*matched->decision, matched->name));

    if (!matched->tier) {
        // The policy parser refuses such a rule; a gate that met one anyway denies.
        GateDecision d;
        d.decision = Decision::Deny;
        d.rule = matched->name;
        d.reason = "denied: rule '" + matched->name + "' names neither a decision nor a tier";
        return finish(std::move(d));
    }
    const Tier tier = *matched->tier;
    GateDecision d = from_spec(policy_.tiers.at(tier), matched->name);
    d.tier = tier;
    if (taint_.tainted() && taint_.escalates(tier)) {
        d.taint_escalated = true;
        d.rule += "+taint";
        // Escalation only ever makes a decision stricter: allow < approve < deny.
        const Decision to = taint_.escalate_to();
        if (d.decision == Decision::Allow || to == Decision::Deny) {
            if (to == Decision::Approve && d.decision != Decision::Approve)
                d.approve_timeout = policy_.tiers.at(Tier::High).approve_timeout.value_or(default_timeout_);
            d.decision = to;
        }
        const std::optional<TaintCause>& taint_cause = taint_.cause();
        const std::string cause = taint_cause ? " after observed text matched '" + taint_cause->pattern + "'" : "";
        d.reason = (d.decision == Decision::Deny ? "denied: the session is tainted"
                                                 : "waiting for a reviewer: the session is tainted") +
                   cause + " (rule '" + d.rule + "')";
    }
    return finish(std::move(d));
}

bool is_password_field(const std::optional<TargetElement>& target) {
    if (!target) return false;
    std::string role = target->role;
    std::transform(role.begin(), role.end(), role.begin(), [](unsigned char c) { return std::tolower(c); });
    // GTK, Chromium and Firefox say "password text"; some toolkits only set the protected state.
    return role.find("password") != std::string::npos ||
           std::find(target->states.begin(), target->states.end(), "protected") != target->states.end();
}

}  // namespace deskbox
