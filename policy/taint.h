// Taint: once observation text (accessibility tree, page text) has matched one
// of the policy's untrusted-instruction patterns, the session is tainted for
// good and the gate escalates the tiers the policy names (policy.taint).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "policy/policy.h"

namespace deskbox {

struct TaintCause {
    std::string pattern;  // the policy pattern that matched, as written
    std::string source;   // where the text came from: "tree", "page_text", "context", ...
    std::string excerpt;  // the matching text, bounded (callers redact before writing it anywhere)
};

class TaintTracker {
public:
    explicit TaintTracker(const TaintSpec& spec) : spec_(spec) {}

    // Scans `text`; returns the cause when this call tainted the session
    // (nullopt when it was already tainted or nothing matched).
    std::optional<TaintCause> observe(std::string_view text, const std::string& source);

    bool tainted() const { return cause_.has_value(); }
    const std::optional<TaintCause>& cause() const { return cause_; }
    // Does the policy escalate this tier while tainted?
    bool escalates(Tier tier) const;
    Decision escalate_to() const { return spec_.escalate_to; }

private:
    const TaintSpec& spec_;
    std::optional<TaintCause> cause_;
};

// Unanchored search; sets `where`/`length` to the leftmost match. RE2 runs in
// time linear in the text and without recursion, so any length is safe.
bool bounded_search(const Pattern& pattern, std::string_view text, std::size_t* where = nullptr,
                    std::size_t* length = nullptr);

}  // namespace deskbox
