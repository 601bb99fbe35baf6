// A child process that talks in lines: started with posix_spawn, one of its
// outputs read on a thread into a list of lines, commands written to its
// stdin. `deskbox demo` runs the example site and the session this way.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "supervisor/base/unique_fd.h"

namespace deskbox {

class LineProcess {
public:
    enum class Output { Stdout, Stderr };
    // argv[0] is looked up in PATH. `read` is the output collected as lines;
    // the other one is inherited. Throws Error when it cannot start.
    LineProcess(const std::vector<std::string>& argv, Output read);
    // Still running: SIGTERM and reap.
    ~LineProcess();
    LineProcess(const LineProcess&) = delete;
    LineProcess& operator=(const LineProcess&) = delete;

    // Calls `on_line` for every line from now on, on the reader thread (lines already read are replayed first).
    void follow(std::function<void(const std::string&)> on_line);
    // Waits until `match` holds for the lines read so far (from the first); true, or false
    // when the output ended or timeout_ms passed first.
    bool wait_until(const std::function<bool(const std::vector<std::string>&)>& match, int timeout_ms);
    bool wait_line_starting(const std::string& prefix, int timeout_ms);
    std::vector<std::string> lines() const;
    void write_line(const std::string& line);
    void signal(int signo);
    // Waits for its exit; the exit code, 128+signal, or -1 after timeout_ms.
    int wait_exit(int timeout_ms);
    const std::string& program() const { return program_; }

private:
    void read_output();

    std::string program_;
    pid_t pid_ = -1;
    UniqueFd pidfd_, stdin_, output_;
    int exit_code_ = -1;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> lines_;
    std::function<void(const std::string&)> on_line_;
    bool ended_ = false;
    std::thread reader_;
};

}  // namespace deskbox
