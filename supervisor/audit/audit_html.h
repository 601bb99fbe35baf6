// `deskbox audit show --html FILE`: one self-contained HTML page for an
// incident ticket: the hash-chain verdict, the verify checks' results, the
// recordings (name, size, sha256, and whether the file beside the log still
// matches), and the timeline in words with kept screenshots embedded as data:
// URIs and each record's offset in the video.
//
// The log holds text an attacker controls (page text, window titles, typed
// text): every piece of it goes through html_escape, and the page forbids
// scripts and outside loads (Content-Security-Policy) in case anything slips.
// File names from the log are used only when they have the shape deskbox
// writes (a hash for screenshots, a stamp for recordings), so a doctored log
// cannot make the report read other files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace deskbox {

// & < > " ' as character references; everything else as is.
std::string html_escape(std::string_view text);

// "2026-11-22T08:01:44.123Z" as milliseconds since the epoch; empty when it is not that shape.
std::optional<std::int64_t> parse_audit_time(std::string_view time);

// `log_file` names the log (its folder holds screenshots/ and recordings/);
// `text` is its content.
void write_audit_html(const std::filesystem::path& log_file, std::string_view text, std::ostream& out);

}  // namespace deskbox
