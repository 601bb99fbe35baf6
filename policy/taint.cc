#include "policy/taint.h"

#include <re2/re2.h>

#include <algorithm>

namespace deskbox {

namespace {
constexpr std::size_t kExcerpt = 200;
}  // namespace

bool bounded_search(const Pattern& pattern, std::string_view text, std::size_t* where, std::size_t* length) {
    if (!pattern.re) return false;
    re2::StringPiece input(text.data(), text.size());
    re2::StringPiece match;
    if (!pattern.re->Match(input, 0, input.size(), RE2::UNANCHORED, &match, 1)) return false;
    if (where) *where = static_cast<std::size_t>(match.data() - text.data());
    if (length) *length = match.size();
    return true;
}

std::optional<TaintCause> TaintTracker::observe(std::string_view text, const std::string& source) {
    if (cause_ || text.empty()) return std::nullopt;
    for (const auto& p : spec_.patterns) {
        std::size_t at = 0, len = 0;
        if (bounded_search(p, text, &at, &len)) {
            cause_ = TaintCause{p.source, source, std::string(text.substr(at, std::min(len, kExcerpt)))};
            return cause_;
        }
    }
    return std::nullopt;
}

bool TaintTracker::escalates(Tier tier) const {
    return std::find(spec_.escalate.begin(), spec_.escalate.end(), tier) != spec_.escalate.end();
}

}  // namespace deskbox
