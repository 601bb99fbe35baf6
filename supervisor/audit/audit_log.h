// The session's audit log writer: JSON lines with a SHA-256 hash chain
// (audit_record.h), redacted before anything is written (policy/redact.h).
//
// append() is thread-safe (the gate on the event loop thread and the egress
// proxy's threads share one log). Each record goes to the file in one write(),
// so a crash can tear at most the last line; Durability::Sync also fdatasync()s
// before returning, which is what the gate uses for decisions: a decision is on
// disk before the action it allows reaches the display.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "policy/redact.h"
#include "supervisor/base/unique_fd.h"

namespace deskbox {

enum class Durability { Written, Sync };

class AuditLog {
public:
    // Creates the file (0600) or continues an existing log: the existing chain
    // is verified first (a broken one is an Error), a torn last line is cut
    // off and a "recovered" record notes it.
    explicit AuditLog(const std::filesystem::path& file, Redactor redactor = {});
    AuditLog(const AuditLog&) = delete;
    AuditLog& operator=(const AuditLog&) = delete;

    // Appends one record of `type` (lower-case word: "decision", "network", ...)
    // with `data` (a JSON object), redacted. Returns the record's seq.
    // Throws deskbox::Error when the write or sync fails.
    std::uint64_t append(const std::string& type, nlohmann::json data, Durability durability = Durability::Written);

    const std::filesystem::path& path() const { return path_; }
    std::uint64_t last_seq() const;
    std::string last_hash() const;
    const Redactor& redactor() const { return redactor_; }

private:
    std::filesystem::path path_;
    Redactor redactor_;
    UniqueFd fd_;
    mutable std::mutex mutex_;
    std::uint64_t seq_ = 0;
    std::string prev_;
    off_t size_ = 0;  // end of the last complete record
};

}  // namespace deskbox
