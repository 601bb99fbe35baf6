// What acts on and looks at the session's screen: the supervisor's X
// connection (in the session's network namespace), the Desktop (XTest input,
// screenshots), the accessibility helper inside the sandbox (when it starts;
// without it the session works by pixels), and the executor that runs the
// agent's actions on them.
#pragma once

#include <memory>

#include "supervisor/manifest/admission.h"
#include "supervisor/session/parts/apps.h"
#include "supervisor/session/parts/audit.h"
#include "supervisor/session/parts/bus.h"
#include "supervisor/session/parts/dirs.h"
#include "supervisor/session/parts/display.h"
#include "supervisor/session/parts/sandbox.h"
#include "supervisor/session/parts/session_part.h"
#include "supervisor/session/session_control.h"
#include "supervisor/session/session_executor.h"
#include "xsession/a11y/a11y_client.h"
#include "xsession/desktop/desktop.h"
#include "xsession/display/x_connection.h"

namespace deskbox {

struct DesktopParts {
    const Plan& plan;
    const DirsPart& dirs;
    AuditPart& audit;
    SandboxPart& sandbox;
    const DisplayPart& display;
    const BusPart& bus;
    const AppsPart& apps;
};

class DesktopPart final : public SessionPart {
public:
    DesktopPart(const DesktopParts& parts, SessionControl& control);
    ~DesktopPart() override;

    Display* x() const { return x_.get(); }
    Desktop& desktop() { return *desktop_; }
    // nullptr when the helper did not start (a warning was audited).
    a11y::A11yClient* a11y() const { return a11y_.get(); }
    SessionExecutor& executor() { return *executor_; }

private:
    XConnection x_;
    std::unique_ptr<Desktop> desktop_;
    std::unique_ptr<a11y::A11yClient> a11y_;
    std::unique_ptr<SessionExecutor> executor_;
};

}  // namespace deskbox
