// Starting processes, behind an interface: the sandbox implements it by asking
// its init (PID 1 inside the session) to start the process as the sandbox user;
// HostSpawner starts plain host processes (tests and benchmarks of the X side
// without a sandbox). Display, VNC and accessibility code only see this.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace deskbox {

struct SpawnRequest {
    std::string name;               // for logs and status ("Xvfb", "app editor")
    std::vector<std::string> argv;  // argv[0] is looked up in PATH
    std::vector<std::string> env;   // the complete environment, "NAME=value"
    std::string cwd;                // empty: the (sandbox) home
    // Descriptors handed to the child: (fd in this process, fd number in the child).
    // The caller keeps ownership of its fds; everything else is closed in the child.
    std::vector<std::pair<int, int>> fds;
    bool browser_sandbox = false;  // seccomp allows user namespaces for this process
};

// Opaque handle of a spawned process (its pid as the spawner sees it).
using ProcessId = int;

class Spawner {
public:
    virtual ~Spawner() = default;
    // Starts the process. `on_exit` is called once, on the event loop thread, with
    // the wait status when it ends. Throws deskbox::Error when it cannot start.
    virtual ProcessId spawn(const SpawnRequest& request, std::function<void(int wait_status)> on_exit) = 0;
    virtual void signal(ProcessId id, int signo) = 0;
};

}  // namespace deskbox
