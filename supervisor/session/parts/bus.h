// The session D-Bus and the AT-SPI bus, inside the sandbox: what gives the
// apps an accessibility tree. Its processes end with the sandbox.
#pragma once

#include <string>
#include <vector>

#include "supervisor/session/parts/display.h"
#include "supervisor/session/parts/sandbox.h"
#include "supervisor/session/parts/session_part.h"
#include "supervisor/session/session_control.h"

namespace deskbox {

class BusPart final : public SessionPart {
public:
    BusPart(SandboxPart& sandbox, const DisplayPart& display, SessionControl& control);
    // What apps and the accessibility helper add to their environment
    // (DBUS_SESSION_BUS_ADDRESS, the toolkits' accessibility switches).
    const std::vector<std::string>& app_env() const { return app_env_; }

private:
    std::vector<std::string> app_env_;
};

}  // namespace deskbox
