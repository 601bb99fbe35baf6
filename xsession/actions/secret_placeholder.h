// The {{secret:NAME}} placeholder: how a model that can only emit text asks
// deskbox to type a manifest secret it never sees (docs/credentials.md).
#pragma once

#include <optional>
#include <string>

namespace deskbox {

// NAME when `text` is exactly one placeholder; nullopt when it holds none.
// Throws deskbox::Error when a placeholder is mixed with other text or its
// name is malformed (the agent is told to send it alone).
std::optional<std::string> secret_placeholder(const std::string& text);

}  // namespace deskbox
