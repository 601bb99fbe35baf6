// Strict parser for policy files (schema v1), with file:line:column errors.
#pragma once

#include <filesystem>
#include <string>

#include "policy/policy.h"

namespace deskbox {

Policy parse_policy_file(const std::filesystem::path& file);
Policy parse_policy_text(const std::string& text, const std::string& display_name);

}  // namespace deskbox
