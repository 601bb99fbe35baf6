// The CI-incident example's web app (examples/ci-incident/site.py) as a child
// process: its stdout is the request log ("served HOST PATH"), commands go to
// its stdin. Used by `deskbox demo` and, through tests/integration/seed_site.h,
// by the tests.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "supervisor/cli/line_process.h"

namespace deskbox {

struct ExampleSiteOptions {
    std::filesystem::path script;  // examples/ci-incident/site.py
    int port = 0;                  // 0: any free port
    bool login = false;            // the CI pages need a sign-in with user and password below
    std::string user, password;
    int start_timeout_ms = 60'000;
};

class ExampleSite {
public:
    // Starts the server and waits for its "listening on" line; throws Error
    // naming the script and what it said when it ends or times out first.
    explicit ExampleSite(const ExampleSiteOptions& options);

    int port() const { return port_; }
    // "host path" of every request served so far, in order (query strings dropped).
    std::vector<std::string> requests() const;
    bool served(const std::string& host_and_path) const;
    // Waits until `host_and_path` has been served; false after timeout_ms.
    bool wait_served(const std::string& host_and_path, int timeout_ms);
    // Writes one command line and waits for the server's `answer` line; throws Error after timeout_ms.
    void command(const std::string& line, const std::string& answer, int timeout_ms = 30'000);

private:
    std::string script_;
    LineProcess process_;
    int port_ = 0;
};

}  // namespace deskbox
