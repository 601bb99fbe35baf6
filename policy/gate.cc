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
    if (k == "super" || k == "super_l" || k == "super_r" || k == "win" || k == "cmd" || k == "meta" ||
        k == "meta_l" || k == "meta_r")
        return "super";
    if (k == "return" || k == "enter") return "return";
    if (k == "escape" || k == "esc") return "escape";
    if (k == "delete" || k == "del") return "delete";
    return k;
}

bool kind_in(const std::vector<std::string>& kinds, ActionKind kind) {
    return std::find(kinds.begin(), kinds.end(), to_string(kind)) != kinds.end();
}

bool is_screen_capture(ActionKind kind) { return kind == ActionKind::Screenshot || kind == ActionKind::Zoom; }

bool window_matches(const WindowPattern& m, const std::optional<FocusedWindow>& w) {
    if (!w) return false;
    if (m.window_class && !bounded_search(*m.window_class, w->window_class)) return false;
    if (m.title && !bounded_search(*m.title, w->title)) return false;
    return true;
}

std::optional<TargetElement> effective_target(const Action& action, const GateContext& context) {
    if (context.target) return context.target;
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

bool rule_matches(const RuleWhen& when, const Action& action, const GateContext& context) {
    if (!when.actions.empty() && !kind_in(when.actions, action.kind)) return false;
    if (when.target) {
        const auto target = effective_target(action, context);
        if (!target) return false;
        if (when.target->role && !bounded_search(*when.target->role, target->role)) return false;
        if (when.target->name && !bounded_search(*when.target->name, target->name)) return false;
    }
    if (when.window && !window_matches(*when.window, context.window)) return false;
    if (!when.domains.empty()) {
        const bool any = std::any_of(when.domains.begin(), when.domains.end(),
                                     [&](const std::string& d) { return host_matches(d, context.domain); });
        if (!any) return false;
    }
    if (when.text) {
        const bool has_text = action.kind == ActionKind::Type || action.kind == ActionKind::TypeInto;
        if (!has_text || !bounded_search(*when.text, action.text)) return false;
    }
    if (!when.keys.empty()) {
        const bool any = std::any_of(when.keys.begin(), when.keys.end(),
                                     [&](const std::string& chord) { return chord_matches(chord, action.keys); });
        if (!any) return false;
    }
    return true;
}

Gate::Gate(const Policy& policy, const BudgetLimits& budget, Millis default_approval_timeout, MonotonicClock clock)
    : policy_(policy), default_timeout_(default_approval_timeout), budgets_(budget, std::move(clock)),
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
        case Decision::Allow: return "allowed by rule '" + d.rule + "'";
        case Decision::Deny: return "denied by rule '" + d.rule + "'";
        case Decision::Approve: return "waiting for a reviewer (rule '" + d.rule + "')";
    }
    return {};
}
}  // namespace

GateDecision Gate::decide(const Action& action, const GateContext& context) {
    std::optional<TaintCause> new_taint = taint_.observe(context.observation_text, "context");
    auto finish = [&](GateDecision d) {
        d.new_taint = std::move(new_taint);
        if (d.reason.empty()) d.reason = reason_for(d);
        return d;
    };

    if (auto refusal = budgets_.charge()) {
        GateDecision d;
        d.decision = Decision::Deny;
        d.rule = refusal->rule;
        d.reason = refusal->reason;
        return finish(std::move(d));
    }

    if (is_screen_capture(action.kind)) {
        for (const auto& limit : policy_.observation_limits) {
            if (window_matches(limit.window, context.window)) {
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
        if (rule_matches(rule.when, action, context)) {
            matched = &rule;
            break;
        }
    }
    if (!matched) return finish(from_spec(policy_.default_decision, "default"));
    if (matched->decision) return finish(from_spec(*matched->decision, matched->name));

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
        const std::string cause = taint_.cause() ? " after observed text matched '" + taint_.cause()->pattern + "'" : "";
        d.reason = (d.decision == Decision::Deny ? "denied: the session is tainted" : "waiting for a reviewer: the session is tainted") +
                   cause + " (rule '" + d.rule + "')";
    }
    return finish(std::move(d));
}

}  // namespace deskbox
