// The manifest's apps, as the sandbox user on the session display: started
// once the window manager runs, waited for until the windows named by their
// `ready:` show, restarted on failure when the manifest says so. When every
// app has ended, the session stops. Its stop is the processes' orderly end
// (SIGTERM, a grace period), while the proxy, the buses and the display they
// use are still there.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "supervisor/manifest/admission.h"
#include "supervisor/session/parts/display.h"
#include "supervisor/session/parts/sandbox.h"
#include "supervisor/session/parts/session_part.h"
#include "supervisor/session/session_control.h"

namespace deskbox {

struct SetupStep;

// What the apps get from the session's other parts: environment (the session
// bus and AT-SPI, the egress proxy) and the proxy's URL for a browser's flags
// ("" without a proxy).
struct AppLaunch {
    std::vector<std::string> env;
    std::string proxy_url;
};

class AppsPart final : public SessionPart {
public:
    AppsPart(const Plan& plan, SandboxPart& sandbox, const DisplayPart& display, AppLaunch launch,
             SessionControl& control);
    ~AppsPart() override;
    void stop() override;
    void describe(SessionStatus& status) const override;

    // The manifest app (apps[].name) whose process tree holds the session pid
    // `pid`; "" when none does (Xvfb, the helper). Throws deskbox::Error when
    // the session's /proc cannot be read.
    std::string app_of_pid(int pid) const;
    // A setup step's process (setup_runner.h): `open` starts the named app's
    // exec again with the URL or file appended (a running browser or office
    // suite hands it to its first process); `launch` starts its own exec.
    // Not an app: its exit is logged, never restarted, and ends nothing.
    void spawn_setup_process(const SetupStep& step);

private:
    void start_app(std::size_t index);
    void on_app_exit(std::size_t index, int wait_status);
    void check_all_apps_done();

    const Plan& plan_;
    SandboxPart& sandbox_;
    const DisplayPart& display_;
    SessionControl& control_;
    AppLaunch launch_;
    // Apps are known by their index in the manifest, their state only here
    // (what status.json shows).
    std::vector<AppStatus> apps_;
    // Exit callbacks stay with the spawner: after this part is gone they do nothing.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace deskbox
