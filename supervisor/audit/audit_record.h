// The audit record format, shared by the writer and the verifier.
//
// One JSON object per line:
//   {"seq":N,"time":"2026-11-22T08:01:44.123Z","type":"decision","prev":"<64 hex>","hash":"<64 hex>","data":{...}}
// `hash` is SHA-256 (hex) over the canonical JSON of the record without
// `hash`: keys sorted, no whitespace, UTF-8 (invalid bytes replaced). `prev`
// is the previous record's hash (64 zeros for the first), so changing,
// removing or reordering any record breaks the chain from there on.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace deskbox {

inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

std::string sha256_hex_of(std::string_view data);

struct FileDigest {
    std::string sha256;  // hex
    std::uint64_t bytes = 0;
};
// Read in pieces (a recording can be large). Throws deskbox::Error when unreadable.
FileDigest sha256_of_file(const std::filesystem::path& file);

// Keys sorted (nlohmann::json objects are ordered maps), compact, invalid
// UTF-8 replaced by U+FFFD.
std::string canonical_json(const nlohmann::json& value);

// The record's hash: over canonical_json of {seq,time,type,prev,data}.
std::string audit_record_hash(std::uint64_t seq, const std::string& time, const std::string& type,
                              const std::string& prev, const nlohmann::json& data);

// The line as written (without the trailing newline), fields in reading order.
std::string audit_record_line(std::uint64_t seq, const std::string& time, const std::string& type,
                              const std::string& prev, const std::string& hash, const nlohmann::json& data);

// "2026-11-22T08:01:44.123Z" for the current wall-clock time.
std::string audit_time_now();
// The same for a wall-clock time in milliseconds since the epoch.
std::string audit_time(std::int64_t unix_ms);

}  // namespace deskbox
