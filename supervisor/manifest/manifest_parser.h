// Strict parser for session manifests (schema v1). Errors are InputError with
// file:line:column; the texts are part of the interface and tested word for word.
#pragma once

#include <filesystem>
#include <string>

#include "supervisor/manifest/manifest.h"

namespace deskbox {

Manifest parse_manifest_file(const std::filesystem::path& file);
// `file` names the document in messages and anchors relative paths.
Manifest parse_manifest_text(const std::string& text, const std::filesystem::path& file);

// Session names become directory, cgroup and unit names: [a-z0-9][a-z0-9._-]{0,62}.
bool valid_session_name(const std::string& name);

}  // namespace deskbox
