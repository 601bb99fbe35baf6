// A private session for accessibility tests: Xvfb, the session bus and the
// AT-SPI bus (start_session_bus), apps with accessibility switched on, and the
// deskbox-a11y helper through A11yClient. Everything is started with
// HostSpawner (no sandbox; the lead's session tests run the same code inside one).
#pragma once

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "supervisor/base/event_loop.h"
#include "supervisor/base/host_spawner.h"
#include "supervisor/base/unique_fd.h"
#include "xsession/a11y/a11y_client.h"
#include "xsession/a11y/session_bus.h"
#include "xsession/display/xvfb.h"

namespace deskbox::testing {

// True when `program` is installed; under DESKBOX_MUST_WORK=1 a missing one fails the test.
bool a11y_prerequisite(const std::string& program);

class A11ySession {
public:
    explicit A11ySession(int width = 1280, int height = 800);
    ~A11ySession();

    std::vector<std::string> env() const;  // base + accessibility environment for apps
    // Starts an app with its stdout captured.
    ProcessId start_app(const std::vector<std::string>& argv, const std::string& name);
    // Runs the event loop until the app exits; nullopt at the timeout.
    std::optional<int> wait_exit(ProcessId app, Millis timeout);
    std::string output(ProcessId app);
    // Runs a program to completion (xdotool); throws when it fails.
    void run(const std::vector<std::string>& argv, Millis timeout = Millis(20000));
    // Clicks with the real pointer (XTest through xdotool) at a screen point.
    void click_at(Point p);

    a11y::A11yClient& client();  // started on first use
    a11y::HelperOptions helper_options() const;

    EventLoop loop;
    HostSpawner spawner{loop};
    std::filesystem::path dir;
    XvfbServer server;
    a11y::SessionBus bus;

private:
    struct App {
        UniqueFd out;
        std::string text;
        std::optional<int> status;
    };
    std::map<ProcessId, std::shared_ptr<App>> apps_;
    std::unique_ptr<a11y::A11yClient> client_;
    std::shared_ptr<std::set<std::string>> bus_exited_ = std::make_shared<std::set<std::string>>();
};

}  // namespace deskbox::testing
