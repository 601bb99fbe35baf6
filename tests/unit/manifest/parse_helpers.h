// Manifest text in, Manifest or its error message out, for the parser tests.
#pragma once

#include <string>

#include "supervisor/base/error.h"
#include "supervisor/manifest/manifest_parser.h"

namespace deskbox {

inline Manifest parse(const std::string& text) {
    return parse_manifest_text(text, "/srv/m.yaml");
}

// The parser's message word for word, or "(no error)".
inline std::string error_of(const std::string& text) {
    try {
        parse(text);
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace deskbox
