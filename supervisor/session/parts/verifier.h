// The manifest's verify: checks, run on a reviewer's `deskbox verify` and
// once at the end (EndChecksPart, the last part started, so the first to
// stop: the checks see the apps, the files and the accessibility tree as
// the agent left them). Each result is audited.
#pragma once

#include <nlohmann/json.hpp>

#include "supervisor/manifest/admission.h"
#include "supervisor/session/parts/audit.h"
#include "supervisor/session/parts/desktop.h"
#include "supervisor/session/parts/display.h"
#include "supervisor/session/parts/files.h"
#include "supervisor/session/parts/gate.h"
#include "supervisor/session/parts/sandbox.h"
#include "supervisor/session/parts/session_part.h"
#include "supervisor/session/session_control.h"
#include "supervisor/session/verify.h"

namespace deskbox {

struct VerifierParts {
    const Plan& plan;
    AuditPart& audit;
    SandboxPart& sandbox;
    const DisplayPart& display;
    DesktopPart& desktop;
    GatePart& gate;
    const FilesPart& files;
};

class VerifierPart final : public SessionPart {
public:
    VerifierPart(const VerifierParts& parts, SessionControl& control);
    ~VerifierPart() override;

    // Runs the checks now and audits each result (naming the reviewer who
    // asked, when one did). Returns {"passed", "results"} (and "error").
    nlohmann::json verify_now(const nlohmann::json& requested_by);

private:
    VerifyOutcome run_checks();

    VerifierParts parts_;
    SessionControl& control_;
    bool running_ = false;
    // A stop request killed a verify command: no further command is started.
    bool interrupted_ = false;
};

// The checks at the end: its stop runs them; a failure makes the exit code 3
// (the CLI's kExitVerifyFailed, docs/cli.md).
class EndChecksPart final : public SessionPart {
public:
    EndChecksPart(VerifierPart& verifier, SessionControl& control) : verifier_(verifier), control_(control) {}
    void stop() override;

private:
    VerifierPart& verifier_;
    SessionControl& control_;
};

}  // namespace deskbox
