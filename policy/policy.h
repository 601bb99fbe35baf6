// A session policy: what the gate decides for each proposed action, and the
// ceilings admission enforces on manifests. Parsed strictly (policy_parser.h);
// the reference is policy/README.md.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/base/regex_pattern.h"
#include "supervisor/base/units.h"

namespace deskbox {

enum class Decision { Allow, Deny, Approve };
enum class Tier { Low, Medium, High };

const char* to_string(Decision d);
const char* to_string(Tier t);

struct DecisionSpec {
    Decision decision = Decision::Deny;
    std::optional<Millis> approve_timeout;  // for Approve; else the manifest's review.approval_timeout
};

struct TargetMatch {
    std::optional<Pattern> role, name;
};
struct WindowPattern {
    std::optional<Pattern> window_class, title;
    std::optional<Pattern> app;  // the manifest app (apps[].name) whose processes own the window
};

struct RuleWhen {
    std::vector<std::string> actions;  // normalized action kinds; empty: any
    std::optional<TargetMatch> target;
    std::optional<WindowPattern> window;
    std::vector<std::string> domains;  // host patterns ("ci.example", "*.example"); empty: any
    std::optional<Pattern> text;       // typed text
    std::vector<std::string> keys;     // normalized chords, e.g. "ctrl+alt+Delete"
};

struct Rule {
    std::string name;
    RuleWhen when;
    std::optional<DecisionSpec> decision;  // exactly one of decision / tier
    std::optional<Tier> tier;
    int line = 0;
};

struct TaintSpec {
    std::vector<Pattern> patterns;  // untrusted-instruction patterns in observations
    std::vector<Tier> escalate;     // tiers that escalate while tainted
    Decision escalate_to = Decision::Approve;
};

struct AdmissionLimits {
    std::vector<std::string> allowed_domains;  // empty: no network allowed at all
    bool allow_persistent_profile = false;
    bool allow_writable_files = true;  // manifest files with mode: copy (writable in the sandbox)
    bool allow_browser_sandbox = true;
    bool allow_host_commands = false;  // verify: command checks run on the host
};

struct BudgetCaps {
    std::optional<std::uint32_t> steps;
    std::optional<Millis> wall_clock;
    std::optional<double> actions_per_second;
};

struct ObservationLimit {
    std::string name;
    WindowPattern window;  // no screenshots while a matching window is focused
};

// A part of the screen blacked out of the picture a reviewer decides on
// (observe.redact_regions), beside the password fields that always are:
// accessible elements matching `element` (role/name regular expressions, as a
// rule's target), or a fixed rectangle of the screen in pixels.
struct ScreenRedaction {
    std::string name;
    std::optional<TargetMatch> element;
    struct Box {
        int x = 0, y = 0, width = 0, height = 0;
    };
    std::optional<Box> rect;
};

// Text typed where deskbox cannot tell what the focused element is (an app
// without accessibility, or focus that could not be read).
enum class UnknownFocusText { Omit, Record };

struct Policy {
    std::string source;  // file path
    DecisionSpec default_decision;
    // A rule whose `when` needs a context field deskbox could not read: refused
    // (deny, the default) or sent to a reviewer (approve). Never allowed.
    DecisionSpec on_unreadable{Decision::Deny, std::nullopt};
    UnknownFocusText unknown_focus_text = UnknownFocusText::Omit;
    std::map<Tier, DecisionSpec> tiers;  // all three present after parsing
    std::vector<Rule> rules;             // first match wins
    TaintSpec taint;
    std::vector<Pattern> redact;  // extra redaction patterns for the audit log
    AdmissionLimits admission;
    BudgetCaps budget;
    std::vector<ObservationLimit> observation_limits;
    std::vector<ScreenRedaction> screen_redactions;
};

}  // namespace deskbox
