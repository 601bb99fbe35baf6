#include "supervisor/session/parts/audit.h"

#include "policy/redact.h"
#include "supervisor/base/error.h"

namespace deskbox {

AuditPart::AuditPart(const Plan& plan, const DirsPart& dirs, SessionControl& control)
    : control_(control), secrets_(std::make_unique<SecretStore>(plan.manifest.secrets)) {
    Redactor redactor(secrets_->values_for_redaction(), plan.policy.redact);
    log_ = std::make_unique<AuditLog>(dirs.session_dir() / "audit.jsonl", std::move(redactor));
    log_->append("session_start",
                 {{"session", control.name()},
                  {"manifest", plan.manifest.source.string()},
                  {"manifest_sha256", plan.manifest_sha256},
                  {"policy", plan.policy.source},
                  {"policy_sha256", plan.policy_sha256}},
                 Durability::Sync);
    log_->append(
        "admission",
        {{"admitted", plan.verdict.admitted}, {"reasons", plan.verdict.reasons}, {"notes", plan.verdict.notes}},
        Durability::Sync);
}

void AuditPart::stop() {
    nlohmann::json record = {{"exit_code", control_.exit_code()}, {"reason", control_.reason()}};
    if (!control_.problems().empty()) record["problems"] = control_.problems();
    if (!control_.error().empty()) record["error"] = control_.error();
    try {
        log_->append("teardown", record, Durability::Sync);
    } catch (const Error& e) {
        control_.add_problem(std::string("the teardown record could not be written: ") + e.what());
    }
}

}  // namespace deskbox
