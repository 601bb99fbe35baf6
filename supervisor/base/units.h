// Human units used by manifests and policies: sizes ("512M", "2G") and
// durations ("90s", "15m"). Parsers return nullopt on bad input so that the
// caller can report the file position.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace deskbox {

using Millis = std::chrono::milliseconds;

// Binary multiples: K=1024, M, G, T; a bare number is bytes. "512M", "2G", "64k", "4096".
std::optional<std::uint64_t> parse_size(std::string_view text);
// "250ms", "90s", "15m", "2h", "1d"; a bare number is seconds. Fractions allowed ("1.5s").
std::optional<Millis> parse_duration(std::string_view text);

std::string format_size(std::uint64_t bytes);
std::string format_duration(Millis d);

}  // namespace deskbox
