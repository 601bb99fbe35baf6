// A regular expression as written in a policy, kept with its source text so
// that decisions and errors can quote it. "(?i)" at the start means ignore case
// (std::regex has no inline flags).
#pragma once

#include <optional>
#include <regex>
#include <string>

namespace deskbox {

struct Pattern {
    std::string source;
    std::regex re;
    bool matches(const std::string& text) const { return std::regex_search(text, re); }
};

// Returns nullopt and sets `error` when the expression does not compile.
std::optional<Pattern> compile_pattern(const std::string& source, std::string& error);

}  // namespace deskbox
