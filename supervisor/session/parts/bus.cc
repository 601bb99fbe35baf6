#include "supervisor/session/parts/bus.h"

#include "xsession/a11y/session_bus.h"

namespace deskbox {

BusPart::BusPart(SandboxPart& sandbox, const DisplayPart& display, SessionControl& control) {
    const a11y::SessionBus bus = a11y::start_session_bus(
        sandbox.spawner(), display.env(), Millis(15'000), [&control](const std::string& name, int status) {
            if (!control.stopping()) control.report(name + " ended (status " + std::to_string(status) + ")");
        });
    app_env_ = bus.app_env;
}

}  // namespace deskbox
