// A regular expression as written in a policy, kept with its source text so
// that decisions and errors can quote it. RE2 syntax (linear-time matching,
// no backreferences or lookaround, so page text of any length cannot make the
// gate slow); "(?i)" at the start means ignore case.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace deskbox {

struct Pattern {
    std::string source;
    std::shared_ptr<const re2::RE2> re;  // shared: policies are copied into plans
    bool matches(std::string_view text) const;
};

// Returns nullopt and sets `error` when the expression does not compile.
std::optional<Pattern> compile_pattern(const std::string& source, std::string& error);

}  // namespace deskbox
