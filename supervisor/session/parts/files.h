// Files in and out of the sandbox: the agent's uploads (manifest uploads:),
// the manifest's collect: files on a reviewer's request and at the end
// (its stop collects, after the sockets closed and before the apps stop,
// while the home still exists).
#pragma once

#include <memory>

#include "supervisor/manifest/admission.h"
#include "supervisor/session/collect.h"
#include "supervisor/session/parts/audit.h"
#include "supervisor/session/parts/desktop.h"
#include "supervisor/session/parts/gate.h"
#include "supervisor/session/parts/sandbox.h"
#include "supervisor/session/parts/session_part.h"
#include "supervisor/session/sandbox_files.h"
#include "supervisor/session/session_control.h"

namespace deskbox {

class FilesPart final : public SessionPart {
public:
    FilesPart(const Plan& plan, SandboxPart& sandbox, DesktopPart& desktop, GatePart& gate, AuditPart& audit,
              SessionControl& control);
    ~FilesPart() override;
    void stop() override;

    // The home or /tmp, no link followed (sandbox_files.h).
    const SandboxFiles& files() const { return *files_; }

private:
    DesktopPart& desktop_;
    GatePart& gate_;
    std::unique_ptr<SandboxFiles> files_;
    std::unique_ptr<Collector> collector_;
};

}  // namespace deskbox
