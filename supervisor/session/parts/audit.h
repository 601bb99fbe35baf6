// The session's audit log (audit.jsonl in the session dir, kept in the logs
// dir at the end) and the secrets it redacts. Started right after the dirs,
// so it is stopped after everything that writes records: its stop writes
// the teardown record, the log's last.
#pragma once

#include <memory>

#include "supervisor/audit/audit_log.h"
#include "supervisor/manifest/admission.h"
#include "supervisor/session/parts/dirs.h"
#include "supervisor/session/parts/session_part.h"
#include "supervisor/session/secret_store.h"
#include "supervisor/session/session_control.h"

namespace deskbox {

class AuditPart final : public SessionPart {
public:
    // Opens the log and writes session_start (manifest and policy hashes) and admission.
    AuditPart(const Plan& plan, const DirsPart& dirs, SessionControl& control);
    // The teardown record: exit code, reason, the problems of the parts
    // stopped before, the error that ended the session.
    void stop() override;

    AuditLog& log() { return *log_; }
    const SecretStore& secrets() const { return *secrets_; }

private:
    SessionControl& control_;
    std::unique_ptr<SecretStore> secrets_;  // zeroed when the part goes
    std::unique_ptr<AuditLog> log_;
};

}  // namespace deskbox
