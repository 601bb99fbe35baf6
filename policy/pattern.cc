#include "policy/pattern.h"

namespace deskbox {

std::optional<Pattern> compile_pattern(const std::string& source, std::string& error) {
    std::string body = source;
    auto flags = std::regex::ECMAScript | std::regex::optimize;
    if (body.rfind("(?i)", 0) == 0) {
        body = body.substr(4);
        flags |= std::regex::icase;
    }
    try {
        return Pattern{source, std::regex(body, flags)};
    } catch (const std::regex_error& e) {
        error = e.what();
        return std::nullopt;
    }
}

}  // namespace deskbox
