// Reading and verifying an audit log (audit_record.h gives the format).
// Verification walks the chain and names the first record that is wrong; a
// last line without its newline is a torn write (a crash mid-append), which
// is reported as such and not as tampering.
//
// A hash chain cannot tell that records were cut off the end: compare the
// last record (count and hash) with a copy kept elsewhere for that.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace deskbox {

struct AuditVerifyReport {
    bool ok = true;
    std::uint64_t records = 0;        // complete records that verified
    std::uint64_t broken_record = 0;  // 1-based line number of the first broken record (when !ok)
    std::string problem;              // what is wrong with it
    bool torn_tail = false;           // the last line was cut short
    std::uint64_t torn_bytes = 0;
    std::uint64_t good_bytes = 0;  // bytes up to the end of the last good record
    std::uint64_t last_seq = 0;
    std::string last_hash;  // genesis (64 zeros) for an empty log
};

AuditVerifyReport verify_audit_text(std::string_view text);
// The verdict in words, one line each ("FILE: 12 records, hash chain intact (...)"),
// as `deskbox audit verify` prints it.
std::vector<std::string> describe_audit_verification(const std::string& file, const AuditVerifyReport& report);
// Throws deskbox::Error when the file cannot be read.
AuditVerifyReport verify_audit_file(const std::filesystem::path& file);
std::string read_audit_file(const std::filesystem::path& file);

// One parsed line for readers such as the timeline printer.
struct AuditLine {
    std::uint64_t number = 0;  // 1-based line number
    bool parsed = false;
    nlohmann::json record;  // when parsed
};
std::vector<AuditLine> parse_audit_lines(std::string_view text);

}  // namespace deskbox
