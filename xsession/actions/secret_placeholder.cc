#include "xsession/actions/secret_placeholder.h"

#include <algorithm>
#include <cctype>

#include "supervisor/base/error.h"

namespace deskbox {

std::optional<std::string> secret_placeholder(const std::string& text) {
    static const std::string open = "{{secret:";
    const auto at = text.find(open);
    if (at == std::string::npos) return std::nullopt;
    const auto close = text.find("}}", at);
    if (at != 0 || close == std::string::npos || close + 2 != text.size())
        throw Error("a {{secret:NAME}} placeholder must be the whole text of a type action");
    std::string name = text.substr(open.size(), close - open.size());
    if (name.empty() || name.size() > 128 || !std::all_of(name.begin(), name.end(), [](unsigned char ch) {
            return std::isalnum(ch) || ch == '_' || ch == '-' || ch == '.';
        }))
        throw Error("a {{secret:NAME}} placeholder needs a secret name of letters, digits, '_', '-' or '.'");
    return name;
}

}  // namespace deskbox
