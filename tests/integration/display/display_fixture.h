// A private Xvfb per test (i3's habit) started with HostSpawner, plus helpers
// to run apps on it and wait for their output by event. No sandbox here: the
// lead's session tests run the same code inside one.
#pragma once

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/base/event_loop.h"
#include "supervisor/base/host_spawner.h"
#include "supervisor/base/unique_fd.h"
#include "xsession/display/x_connection.h"
#include "xsession/display/xvfb.h"

namespace deskbox::testing {

// True when the program is on PATH. When it is not: fails the test under
// DESKBOX_MUST_WORK=1, otherwise says why the test is skipped.
bool have_program(const std::string& name);

struct AppOutput {
    std::string stdout_text;
    std::optional<int> wait_status;  // set once it exited
};

class DisplayFixture {
public:
    explicit DisplayFixture(int width = 1280, int height = 800, bool glx = false);
    ~DisplayFixture();

    std::vector<std::string> app_env() const;
    // Starts an app on the display with its stdout captured.
    ProcessId start_app(const std::vector<std::string>& argv, const std::string& name);
    // Runs the loop until the app's stdout satisfies `done` (or it exits, or the timeout).
    // Returns the output; throws on timeout naming what was awaited.
    std::string wait_output(ProcessId app, const std::function<bool(const std::string&)>& done, Millis timeout,
                            const std::string& what);
    std::string wait_line(ProcessId app, const std::string& line, Millis timeout = Millis(20000));
    std::optional<int> wait_exit(ProcessId app, Millis timeout = Millis(20000));
    std::string output(ProcessId app) const;
    // Runs a program to completion and returns its stdout (for import, xwd...).
    std::string run_capture(const std::vector<std::string>& argv, Millis timeout = Millis(30000));
    std::string probe_path() const;

    EventLoop loop;
    HostSpawner spawner{loop};
    std::filesystem::path dir;
    XvfbServer server;
    XConnection x;

private:
    struct App {
        UniqueFd out;
        AppOutput result;
    };
    std::map<ProcessId, std::shared_ptr<App>> apps_;
};

}  // namespace deskbox::testing
