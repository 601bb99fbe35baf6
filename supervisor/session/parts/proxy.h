// network.mode allowlist: the egress proxy, listening on 127.0.0.1:3128
// inside the session's network namespace, the apps' only way out; every
// request is audited. Stopped (its threads joined) before the audit log's
// teardown record.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "supervisor/manifest/admission.h"
#include "supervisor/session/parts/audit.h"
#include "supervisor/session/parts/sandbox.h"
#include "supervisor/session/parts/session_part.h"

namespace deskbox {

class EgressProxy;

class ProxyPart final : public SessionPart {
public:
    ProxyPart(const NetworkSpec& network, SandboxPart& sandbox, AuditPart& audit);
    ~ProxyPart() override;
    void stop() override;

    // HTTP_PROXY and friends for the apps.
    std::vector<std::string> app_env() const;
    // For a browser's flags.
    std::string url() const;

private:
    std::unique_ptr<EgressProxy> proxy_;
};

}  // namespace deskbox
