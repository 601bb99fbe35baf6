#include "supervisor/audit/audit_verify.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "supervisor/audit/audit_record.h"
#include "supervisor/base/error.h"
#include "supervisor/base/unique_fd.h"

namespace deskbox {

namespace {

bool is_hex64(const nlohmann::json& v) {
    if (!v.is_string()) return false;
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// Checks one complete line against the chain; returns the problem or "".
std::string check_record(std::string_view line, std::uint64_t expected_seq, const std::string& prev_hash,
                         std::string& own_hash) {
    if (line.empty()) return "empty line";
    nlohmann::json r = nlohmann::json::parse(line, nullptr, false);
    if (r.is_discarded() || !r.is_object()) return "not a JSON object";
    for (const char* key : {"seq", "time", "type", "prev", "hash", "data"})
        if (!r.contains(key)) return std::string("missing field '") + key + "'";
    if (r.size() != 6) return "unexpected extra fields";
    if (!r["seq"].is_number_unsigned()) return "seq is not a positive integer";
    if (!r["time"].is_string() || !r["type"].is_string()) return "time and type must be strings";
    if (!is_hex64(r["prev"]) || !is_hex64(r["hash"])) return "prev and hash must be 64 hex digits";
    const auto seq = r["seq"].get<std::uint64_t>();
    if (seq != expected_seq)
        return "sequence number " + std::to_string(seq) + ", expected " + std::to_string(expected_seq) +
               " (a record was removed, inserted or reordered)";
    const auto& prev = r["prev"].get_ref<const std::string&>();
    if (prev != prev_hash) return "prev hash does not match the hash of the record before it";
    own_hash = r["hash"].get<std::string>();
    const std::string computed =
        audit_record_hash(seq, r["time"].get<std::string>(), r["type"].get<std::string>(), prev, r["data"]);
    if (computed != own_hash) return "hash does not match the record's content (the record was changed)";
    return {};
}

}  // namespace

AuditVerifyReport verify_audit_text(std::string_view text) {
    AuditVerifyReport report;
    report.last_hash = std::string(kAuditGenesisHash);
    std::size_t pos = 0;
    std::uint64_t line_no = 0;
    while (pos < text.size()) {
        const std::size_t nl = text.find('\n', pos);
        ++line_no;
        if (nl == std::string_view::npos) {
            report.torn_tail = true;
            report.torn_bytes = text.size() - pos;
            break;
        }
        std::string hash;
        const std::string problem =
            check_record(text.substr(pos, nl - pos), report.last_seq + 1, report.last_hash, hash);
        if (!problem.empty()) {
            report.ok = false;
            report.broken_record = line_no;
            report.problem = problem;
            return report;
        }
        ++report.records;
        ++report.last_seq;
        report.last_hash = hash;
        pos = nl + 1;
        report.good_bytes = pos;
    }
    return report;
}

std::string read_audit_file(const std::filesystem::path& file) {
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) throw_errno("opening audit log " + file.string());
    struct stat st {};
    if (fstat(fd.get(), &st) != 0) throw_errno("reading audit log " + file.string());
    if (!S_ISREG(st.st_mode)) throw Error("reading audit log " + file.string() + ": not a regular file");
    std::string text;
    char buf[65536];
    while (true) {
        const ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("reading audit log " + file.string());
        }
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    return text;
}

std::vector<std::string> describe_audit_verification(const std::string& file, const AuditVerifyReport& r) {
    std::vector<std::string> lines;
    if (!r.ok) {
        lines.push_back(file + ": record " + std::to_string(r.broken_record) + " is broken: " + r.problem);
        if (r.records > 0) lines.push_back(file + ": records 1-" + std::to_string(r.records) + " verify");
        return lines;
    }
    std::string line = file + ": " + std::to_string(r.records) + " records, hash chain intact";
    if (r.records > 0)
        line += " (last seq " + std::to_string(r.last_seq) + ", hash " + r.last_hash.substr(0, 16) + "...)";
    lines.push_back(line);
    if (r.torn_tail)
        lines.push_back(file + ": the last line is torn (" + std::to_string(r.torn_bytes) +
                        " bytes without a newline): a write was interrupted by a crash; it is not part of the chain");
    return lines;
}

AuditVerifyReport verify_audit_file(const std::filesystem::path& file) {
    return verify_audit_text(read_audit_file(file));
}

std::vector<AuditLine> parse_audit_lines(std::string_view text) {
    std::vector<AuditLine> out;
    std::size_t pos = 0;
    std::uint64_t n = 0;
    while (pos < text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        AuditLine line;
        line.number = ++n;
        line.record = nlohmann::json::parse(text.substr(pos, nl - pos), nullptr, false);
        line.parsed = !line.record.is_discarded() && line.record.is_object();
        out.push_back(std::move(line));
        pos = nl + 1;
    }
    return out;
}

}  // namespace deskbox
