#include "policy/policy_parser.h"

#include <algorithm>
#include <set>

#include "supervisor/base/strict_yaml.h"

namespace deskbox {

const char* to_string(Decision d) {
    switch (d) {
        case Decision::Allow:
            return "allow";
        case Decision::Deny:
            return "deny";
        case Decision::Approve:
            return "approve";
    }
    return "deny";
}

const char* to_string(Tier t) {
    switch (t) {
        case Tier::Low:
            return "low";
        case Tier::Medium:
            return "medium";
        case Tier::High:
            return "high";
    }
    return "high";
}

namespace {

const std::vector<std::string> kActionKinds = {
    "screenshot",  "tree",         "hit_test",     "cursor_position", "zoom",          "wait",      "mouse_move",
    "click",       "double_click", "triple_click", "mouse_down",      "mouse_up",      "drag",      "scroll",
    "type",        "key",          "key_down",     "key_up",          "click_element", "type_into", "focus_element",
    "type_secret", "done",         "fail",         "upload"};

Decision parse_decision_word(const YamlContext& ctx, const YAML::Node& n, const std::string& where) {
    const std::string w = read_string(ctx, n, where);
    if (w == "allow") return Decision::Allow;
    if (w == "deny") return Decision::Deny;
    if (w == "approve") return Decision::Approve;
    std::string message = where + ": expected one of allow, deny, approve, got '" + w + "'";
    if (auto near = nearest_word(w, {"allow", "deny", "approve"})) message += " (did you mean '" + *near + "'?)";
    ctx.fail(n, message);
}

DecisionSpec parse_decision(const YamlContext& ctx, const YAML::Node& n, const std::string& where) {
    DecisionSpec d;
    if (n.IsMap()) {
        StrictMap m(ctx, n, where);
        YAML::Node approve = m.require("approve");
        d.decision = Decision::Approve;
        if (!approve.IsNull()) {
            StrictMap am(ctx, approve, where + ".approve");
            d.approve_timeout = am.duration("timeout", Millis(300'000), Millis(1000), Millis(86'400'000));
            am.finish();
        }
        m.finish();
        return d;
    }
    d.decision = parse_decision_word(ctx, n, where);
    return d;
}

Tier parse_tier(const YamlContext& ctx, const YAML::Node& n, const std::string& where) {
    const std::string w = read_string(ctx, n, where);
    if (w == "low") return Tier::Low;
    if (w == "medium") return Tier::Medium;
    if (w == "high") return Tier::High;
    ctx.fail(n, where + ": expected one of low, medium, high, got '" + w + "'");
}

Pattern parse_pattern(const YamlContext& ctx, const YAML::Node& n, const std::string& where) {
    const std::string source = read_string(ctx, n, where);
    std::string error;
    auto p = compile_pattern(source, error);
    if (!p) ctx.fail(n, where + ": invalid regular expression '" + source + "': " + error);
    return std::move(*p);
}

std::optional<Pattern> optional_pattern(StrictMap& m, std::string_view key) {
    YAML::Node n = m.get(key);
    if (!n.IsDefined()) return std::nullopt;
    return parse_pattern(m.context(), n, m.path_of(key));
}

// {role: REGEX, name: REGEX}, at least one: a rule's when.target, a redaction region's element.
TargetMatch parse_target_match(const YamlContext& ctx, const YAML::Node& n, const std::string& where) {
    StrictMap m(ctx, n, where);
    TargetMatch target;
    target.role = optional_pattern(m, "role");
    target.name = optional_pattern(m, "name");
    m.finish();
    if (!target.role && !target.name) ctx.fail(n, where + ": expected role or name");
    return target;
}

WindowPattern parse_window(StrictMap m) {
    WindowPattern w;
    w.window_class = optional_pattern(m, "class");
    w.title = optional_pattern(m, "title");
    w.app = optional_pattern(m, "app");
    m.finish();
    if (!w.window_class && !w.title && !w.app) m.context().fail(m.node(), "window match needs class, title or app");
    return w;
}

std::vector<std::string> one_or_many(StrictMap& m, std::string_view key) {
    YAML::Node n = m.get(key);
    if (!n.IsDefined()) return {};
    if (n.IsScalar()) return {n.Scalar()};
    return read_string_list(m.context(), n, m.path_of(key));
}

// One pattern or a list (host_pattern.h), each checked where it is written.
std::vector<std::string> host_patterns(StrictMap& m, std::string_view key) {
    YAML::Node n = m.get(key);
    if (n.IsDefined() && n.IsScalar()) return {read_host_pattern(m.context(), n, m.path_of(key))};
    return m.host_pattern_list(key);
}

Rule parse_rule(const YamlContext& ctx, const YAML::Node& node, std::size_t index) {
    const std::string where = "rules[" + std::to_string(index) + "]";
    StrictMap m(ctx, node, where);
    Rule r;
    r.line = node.Mark().line + 1;
    r.name = m.required_string("name");
    if (YAML::Node when = m.get("when"); when.IsDefined()) {
        StrictMap w(ctx, when, where + ".when");
        r.when.actions = one_or_many(w, "action");
        for (const auto& a : r.when.actions) {
            if (std::find(kActionKinds.begin(), kActionKinds.end(), a) == kActionKinds.end()) {
                std::string message = where + ".when.action: unknown action kind '" + a + "'";
                if (auto near = nearest_word(a, kActionKinds)) message += " (did you mean '" + *near + "'?)";
                ctx.fail(w.get("action"), message);
            }
        }
        if (YAML::Node t = w.get("target"); t.IsDefined())
            r.when.target = parse_target_match(ctx, t, where + ".when.target");
        if (YAML::Node win = w.get("window"); win.IsDefined())
            r.when.window = parse_window(StrictMap(ctx, win, where + ".when.window"));
        r.when.domains = host_patterns(w, "domain");
        r.when.text = optional_pattern(w, "text");
        r.when.keys = one_or_many(w, "keys");
        w.finish();
    }
    YAML::Node decision = m.get("decision");
    YAML::Node tier = m.get("tier");
    if (decision.IsDefined() == tier.IsDefined()) ctx.fail(node, where + ": expected exactly one of decision or tier");
    if (decision.IsDefined()) r.decision = parse_decision(ctx, decision, where + ".decision");
    if (tier.IsDefined()) r.tier = parse_tier(ctx, tier, where + ".tier");
    m.finish();
    return r;
}

std::vector<Pattern> pattern_list(const YamlContext& ctx, const YAML::Node& n, const std::string& where) {
    if (!n.IsSequence()) ctx.fail(n, where + ": expected a list of regular expressions, got " + describe_node(n));
    std::vector<Pattern> out;
    for (std::size_t i = 0; i < n.size(); ++i)
        out.push_back(parse_pattern(ctx, n[i], where + "[" + std::to_string(i) + "]"));
    return out;
}

// One of observe.redact_regions: {name, element: {role, name}} or
// {name, rect: {x, y, width, height}} (screen pixels).
ScreenRedaction parse_screen_redaction(const YamlContext& ctx, const YAML::Node& n, const std::string& where) {
    StrictMap m(ctx, n, where);
    ScreenRedaction r;
    r.name = m.required_string("name");
    if (YAML::Node e = m.get("element"); e.IsDefined()) r.element = parse_target_match(ctx, e, where + ".element");
    if (YAML::Node b = m.get("rect"); b.IsDefined()) {
        StrictMap bm(ctx, b, where + ".rect");
        for (const char* key : {"x", "y", "width", "height"})
            if (!bm.has(key)) ctx.fail(b, where + ".rect: expected x, y, width and height (" + key + " is missing)");
        ScreenRedaction::Box box;
        box.x = static_cast<int>(bm.integer("x", 0, 0, 65535));
        box.y = static_cast<int>(bm.integer("y", 0, 0, 65535));
        box.width = static_cast<int>(bm.integer("width", 0, 1, 65535));
        box.height = static_cast<int>(bm.integer("height", 0, 1, 65535));
        bm.finish();
        r.rect = box;
    }
    if (r.element.has_value() == r.rect.has_value()) ctx.fail(n, where + ": expected exactly one of element or rect");
    m.finish();
    return r;
}

}  // namespace

Policy parse_policy_text(const std::string& text, const std::string& display_name) {
    const YamlContext ctx{display_name};
    YAML::Node doc = load_yaml_text(text, display_name);
    if (!doc.IsDefined() || doc.IsNull())
        throw InputError(display_name, 1, 1, "empty policy: expected a mapping with default and rules");
    StrictMap top(ctx, doc, "");
    Policy p;
    p.source = display_name;
    top.integer("version", 1, 1, 1);
    p.default_decision = parse_decision(ctx, top.require("default"), "default");

    // Tier defaults: low runs, medium runs, high waits for a reviewer.
    p.tiers[Tier::Low] = {Decision::Allow, std::nullopt};
    p.tiers[Tier::Medium] = {Decision::Allow, std::nullopt};
    p.tiers[Tier::High] = {Decision::Approve, std::nullopt};
    if (YAML::Node t = top.get("tiers"); t.IsDefined()) {
        StrictMap tm(ctx, t, "tiers");
        for (Tier tier : {Tier::Low, Tier::Medium, Tier::High})
            if (YAML::Node n = tm.get(to_string(tier)); n.IsDefined())
                p.tiers[tier] = parse_decision(ctx, n, std::string("tiers.") + to_string(tier));
        tm.finish();
    }
    if (YAML::Node u = top.get("on_unreadable"); u.IsDefined()) {
        p.on_unreadable = parse_decision(ctx, u, "on_unreadable");
        if (p.on_unreadable.decision == Decision::Allow)
            ctx.fail(u, "on_unreadable: must be deny or approve (what deskbox cannot see is never allowed)");
    }
    if (YAML::Node f = top.get("unknown_focus_text"); f.IsDefined()) {
        const std::string w = read_string(ctx, f, "unknown_focus_text");
        if (w == "omit")
            p.unknown_focus_text = UnknownFocusText::Omit;
        else if (w == "record")
            p.unknown_focus_text = UnknownFocusText::Record;
        else
            ctx.fail(f, "unknown_focus_text: expected omit or record, got '" + w + "'");
    }
    if (YAML::Node rules = top.get("rules"); rules.IsDefined()) {
        if (!rules.IsSequence()) ctx.fail(rules, "rules: expected a list of rules, got " + describe_node(rules));
        std::set<std::string> names;
        for (std::size_t i = 0; i < rules.size(); ++i) {
            p.rules.push_back(parse_rule(ctx, rules[i], i));
            if (!names.insert(p.rules.back().name).second)
                ctx.fail(rules[i], "rules[" + std::to_string(i) + "].name: '" + p.rules.back().name +
                                       "' is used by an earlier rule");
        }
    }
    if (YAML::Node t = top.get("taint"); t.IsDefined()) {
        StrictMap tm(ctx, t, "taint");
        p.taint.patterns = pattern_list(ctx, tm.require("patterns"), "taint.patterns");
        if (YAML::Node e = tm.get("escalate"); e.IsDefined()) {
            if (!e.IsSequence()) ctx.fail(e, "taint.escalate: expected a list of tiers, got " + describe_node(e));
            for (const auto& item : e) p.taint.escalate.push_back(parse_tier(ctx, item, "taint.escalate"));
        } else {
            p.taint.escalate = {Tier::Medium, Tier::High};
        }
        if (YAML::Node to = tm.get("to"); to.IsDefined()) {
            p.taint.escalate_to = parse_decision_word(ctx, to, "taint.to");
            if (p.taint.escalate_to == Decision::Allow) ctx.fail(to, "taint.to: must be approve or deny");
        }
        tm.finish();
    }
    if (YAML::Node r = top.get("redact"); r.IsDefined()) p.redact = pattern_list(ctx, r, "redact");
    if (YAML::Node a = top.get("admission"); a.IsDefined()) {
        StrictMap am(ctx, a, "admission");
        p.admission.allowed_domains = am.host_pattern_list("domains");
        p.admission.allow_persistent_profile = am.boolean("persistent_profile", false);
        p.admission.allow_writable_files = am.boolean("writable_files", true);
        p.admission.allow_browser_sandbox = am.boolean("browser_sandbox", true);
        p.admission.allow_host_commands = am.boolean("host_commands", false);
        am.finish();
    }
    if (YAML::Node b = top.get("budget"); b.IsDefined()) {
        StrictMap bm(ctx, b, "budget");
        if (bm.has("steps")) p.budget.steps = static_cast<std::uint32_t>(bm.integer("steps", 0, 1, 1'000'000));
        if (bm.has("wall_clock"))
            p.budget.wall_clock = bm.duration("wall_clock", Millis(0), Millis(1000), Millis(7LL * 86'400'000));
        if (bm.has("actions_per_second")) p.budget.actions_per_second = bm.number("actions_per_second", 0, 0.01, 1000);
        bm.finish({"steps", "wall_clock", "actions_per_second"});
    }
    if (YAML::Node o = top.get("observe"); o.IsDefined()) {
        StrictMap om(ctx, o, "observe");
        if (YAML::Node ns = om.get("no_screenshots"); ns.IsDefined()) {
            if (!ns.IsSequence()) ctx.fail(ns, "observe.no_screenshots: expected a list, got " + describe_node(ns));
            for (std::size_t i = 0; i < ns.size(); ++i) {
                const std::string where = "observe.no_screenshots[" + std::to_string(i) + "]";
                StrictMap lm(ctx, ns[i], where);
                ObservationLimit limit;
                limit.name = lm.required_string("name");
                limit.window = parse_window(StrictMap(ctx, lm.require("window"), where + ".window"));
                lm.finish();
                p.observation_limits.push_back(std::move(limit));
            }
        }
        if (YAML::Node rr = om.get("redact_regions"); rr.IsDefined()) {
            if (!rr.IsSequence()) ctx.fail(rr, "observe.redact_regions: expected a list, got " + describe_node(rr));
            for (std::size_t i = 0; i < rr.size(); ++i)
                p.screen_redactions.push_back(
                    parse_screen_redaction(ctx, rr[i], "observe.redact_regions[" + std::to_string(i) + "]"));
        }
        om.finish();
    }
    top.finish();
    return p;
}

Policy parse_policy_file(const std::filesystem::path& file) {
    return parse_policy_text(read_bounded_file(file, "policy", 1 << 20), file.string());
}

}  // namespace deskbox
