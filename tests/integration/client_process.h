// A client program run by a test (vncsnapshot, a VNC viewer, its Xvfb) with
// stdout and stderr captured, waited for by pidfd with a timeout, never by
// sleeping. Failures are Errors naming the command and carrying its output.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "supervisor/base/unique_fd.h"

namespace deskbox::test {

class ClientProcess {
public:
    // argv[0] is searched in PATH. `display`: DISPLAY for it (empty: none);
    // `fd3`: becomes its fd 3 (-1: none).
    explicit ClientProcess(const std::vector<std::string>& argv, const std::string& display = "", int fd3 = -1,
                           int timeout_ms = 60'000);
    // Still running (a viewer, its Xvfb): SIGTERM, so that Xvfb removes its
    // socket and lock; SIGKILL if it is not gone within 10 s.
    ~ClientProcess();
    ClientProcess(const ClientProcess&) = delete;
    ClientProcess& operator=(const ClientProcess&) = delete;

    // Reads its output until `needle` appears; throws when it ends or the timeout passes first.
    void read_until(const std::string& needle);
    // Reads its output to the end, then waits for the exit; throws unless it exited 0 within the timeout.
    void wait();
    const std::string& output() const { return output_; }
    std::string command() const;

private:
    std::vector<std::string> argv_;
    int timeout_ms_;
    pid_t pid_ = -1;
    UniqueFd out_, pidfd_;
    std::string output_;
};

}  // namespace deskbox::test
