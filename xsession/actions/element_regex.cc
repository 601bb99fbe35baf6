#include "xsession/actions/element_regex.h"

#include "supervisor/base/error.h"

namespace deskbox {

Pattern compile_element_regex(std::string_view field, const std::string& source) {
    const std::string where = "field '" + std::string(field) + "'";
    if (source.size() > kMaxElementRegexBytes)
        throw Error(where + ": regular expression longer than " + std::to_string(kMaxElementRegexBytes) + " bytes");
    std::string error;
    auto p = compile_pattern(source, error);
    if (!p) throw Error(where + ": invalid regular expression '" + source + "': " + error);
    return std::move(*p);
}

void check_element_regexes(const ElementTarget& target) {
    if (!target.regex) return;
    const std::pair<const char*, const std::string*> fields[] = {
        {"role", &target.role}, {"name", &target.name}, {"app", &target.app}, {"window", &target.window}};
    for (const auto& [field, source] : fields)
        if (!source->empty()) compile_element_regex(field, *source);
}

}  // namespace deskbox
