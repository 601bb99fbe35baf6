// Standard base64 (RFC 4648, with padding), for images in replies.
#pragma once

#include <string>
#include <string_view>

namespace deskbox {

std::string base64_encode(std::string_view bytes);
// Returns false on characters outside the alphabet or bad padding.
bool base64_decode(std::string_view text, std::string& out);

}  // namespace deskbox
