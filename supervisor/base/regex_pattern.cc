#include "supervisor/base/regex_pattern.h"

#include <re2/re2.h>

namespace deskbox {

std::optional<Pattern> compile_pattern(const std::string& source, std::string& error) {
    RE2::Options options;
    options.set_log_errors(false);
    options.set_max_mem(8 << 20);
    auto re = std::make_shared<const RE2>(source, options);
    if (!re->ok()) {
        error = re->error();
        return std::nullopt;
    }
    return Pattern{source, std::move(re)};
}

bool Pattern::matches(std::string_view text) const {
    return re && RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re);
}

}  // namespace deskbox
