// The seeds' local test site: the CI-incident example's web app
// (examples/ci-incident/site.py: a CI dashboard on ci.example and an incident
// tracker on ops.incidents.example; its header lists the pages) run as a child
// process on a free port of 127.0.0.1, without its sign-in. Sessions reach it
// through their egress proxy with `resolve:` entries; the test reads what the
// browser did from the requests it served and from its incident records.
#pragma once

#include <string>
#include <vector>

#include "supervisor/cli/example_site.h"

namespace deskbox::test {

class SeedSite {
public:
    SeedSite();

    int port() const { return site_.port(); }
    // "host path" of every request served so far, in order (query strings dropped).
    std::vector<std::string> requests() const { return site_.requests(); }
    bool served(const std::string& host_and_path) const { return site_.served(host_and_path); }
    // Waits until `host_and_path` has been served; false after timeout_ms.
    bool wait_served(const std::string& host_and_path, int timeout_ms) {
        return site_.wait_served(host_and_path, timeout_ms);
    }
    // From now on INC-9's page replaces its button (it polls /incident/9/layout).
    void swap_incident_9() { site_.command("swap-incident-9", "swapped incident 9"); }

private:
    ExampleSite site_;
};

}  // namespace deskbox::test
