// What every part of a running session shares with its owner, and nothing
// more: the event loop, why and how the session ends, and a way to say
// "status changed". Parts get it at construction; it outlives them all
// (session_runtime.h), so a late callback that captured it stays safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "supervisor/base/event_loop.h"

namespace deskbox {

class SessionControl {
public:
    // `status_changed` writes status.json again (the runtime's writer; it reads the parts).
    SessionControl(std::string name, std::function<void()> status_changed);
    SessionControl(const SessionControl&) = delete;
    SessionControl& operator=(const SessionControl&) = delete;

    EventLoop& loop() { return loop_; }
    const std::string& name() const { return name_; }

    // Ends the session (from any loop callback): the loop returns and the
    // parts stop. The first reason wins; a later request only counts.
    void request_stop(const std::string& reason, int exit_code = 0);
    // An event-loop callback threw: the session ends through the same
    // teardown, with exit code 1; `what` goes to the teardown record and stderr.
    void fail_internally(const std::string& what);
    bool stopping() const { return stopping_; }
    // How many times a stop was asked for (SIGTERM, `deskbox stop`...), also
    // while already stopping: a change interrupts a running verify command.
    std::uint64_t stop_requests() const { return stop_requests_; }
    const std::string& reason() const { return reason_; }
    void set_reason_if_none(const std::string& reason) {
        if (reason_.empty()) reason_ = reason;
    }
    int exit_code() const { return exit_code_; }
    // Raises the exit code (never lowers a failure to success).
    void fail_with(int exit_code) {
        if (exit_code_ == 0) exit_code_ = exit_code;
    }
    // The callback error that ended the session, "" when none did.
    const std::string& error() const { return error_; }

    // What went wrong while the parts stopped (for the teardown record);
    // each one also fails the session (exit code 1).
    void add_problem(const std::string& problem);
    const std::vector<std::string>& problems() const { return problems_; }

    // A part's state changed: status.json is written again. A failure throws
    // (in a loop callback, it ends the session as an internal error).
    void status_changed();
    // Lines on stderr name the session: "deskbox: session NAME: WHAT".
    void report(const std::string& what) const;

private:
    std::string name_;
    std::function<void()> status_changed_;
    EventLoop loop_;
    bool stopping_ = false;
    std::uint64_t stop_requests_ = 0;
    std::string reason_;
    int exit_code_ = 0;
    std::string error_;
    std::vector<std::string> problems_;
};

}  // namespace deskbox
