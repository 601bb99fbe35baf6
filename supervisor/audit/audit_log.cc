#include "supervisor/audit/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "supervisor/audit/audit_record.h"
#include "supervisor/audit/audit_verify.h"
#include "supervisor/base/error.h"

namespace deskbox {

namespace {

bool valid_type(const std::string& type) {
    if (type.empty() || type.size() > 32) return false;
    for (char c : type)
        if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
    return true;
}

void write_all(int fd, const std::string& data, const std::string& what) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno(what);
        }
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace

AuditLog::AuditLog(const std::filesystem::path& file, Redactor redactor)
    : path_(file), redactor_(std::move(redactor)), prev_(kAuditGenesisHash) {
    fd_.reset(::open(file.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd_) throw_errno("opening audit log " + file.string());
    const off_t size = ::lseek(fd_.get(), 0, SEEK_END);
    if (size < 0) throw_errno("opening audit log " + file.string());
    size_ = size;
    if (size == 0) return;

    const AuditVerifyReport report = verify_audit_file(file);
    if (!report.ok)
        throw Error("continuing audit log " + file.string() + ": record " + std::to_string(report.broken_record) +
                    " is broken (" + report.problem + ")");
    seq_ = report.last_seq;
    prev_ = report.last_hash;
    if (report.torn_tail) {
        if (::ftruncate(fd_.get(), static_cast<off_t>(report.good_bytes)) != 0)
            throw_errno("cutting the torn last line of audit log " + file.string());
        size_ = static_cast<off_t>(report.good_bytes);
        append("recovered", {{"torn_bytes", report.torn_bytes}, {"note", "the last line was cut short by a crash"}},
               Durability::Sync);
    }
}

std::uint64_t AuditLog::append(const std::string& type, nlohmann::json data, Durability durability) {
    if (!valid_type(type)) throw Error("audit record type '" + type + "' is not a lower-case word");
    if (!data.is_object()) data = nlohmann::json{{"value", std::move(data)}};
    // Redaction runs outside the lock: it is the slow part and needs no shared state.
    redactor_.redact_json(data);

    std::lock_guard lock(mutex_);
    const std::string time = audit_time_now();  // under the lock: times follow seq order
    const std::uint64_t seq = seq_ + 1;
    const std::string hash = audit_record_hash(seq, time, type, prev_, data);
    std::string line = audit_record_line(seq, time, type, prev_, hash, data);
    line.push_back('\n');
    try {
        write_all(fd_.get(), line, "writing audit log " + path_.string());
    } catch (const Error&) {
        // Never leave half a record behind: the next record would start mid-line.
        if (::ftruncate(fd_.get(), size_) != 0) {
            // Best effort; the write error below is what the caller needs to see.
        }
        throw;
    }
    if (durability == Durability::Sync && ::fdatasync(fd_.get()) != 0)
        throw_errno("syncing audit log " + path_.string());
    seq_ = seq;
    prev_ = hash;
    size_ += static_cast<off_t>(line.size());
    return seq;
}

std::uint64_t AuditLog::last_seq() const {
    std::lock_guard lock(mutex_);
    return seq_;
}

std::string AuditLog::last_hash() const {
    std::lock_guard lock(mutex_);
    return prev_;
}

}  // namespace deskbox
