#include "supervisor/session/session_control.h"

#include <iostream>

#include "supervisor/base/error.h"

namespace deskbox {

SessionControl::SessionControl(std::string name, std::function<void()> status_changed)
    : name_(std::move(name)), status_changed_(std::move(status_changed)) {
    // Whichever step pumps the loop (the run loop, a verify command's wait,
    // an accessibility query's urgent wait, a start step), an exception in a
    // callback ends the session through its teardown.
    loop_.on_callback_error([this](const std::string& what) { fail_internally(what); });
}

void SessionControl::request_stop(const std::string& reason, int exit_code) {
    ++stop_requests_;
    if (stopping_) return;
    stopping_ = true;
    reason_ = reason;
    fail_with(exit_code);
    loop_.stop();
}

void SessionControl::fail_internally(const std::string& what) {
    ++stop_requests_;
    fail_with(1);
    if (!error_.empty() || stopping_) {
        // The session already ends for an earlier reason: this error is only reported.
        report("internal error: " + what);
        if (error_.empty()) error_ = what;
        return;
    }
    error_ = what;
    stopping_ = true;
    reason_ = "internal error: " + what;
    loop_.stop();
}

void SessionControl::add_problem(const std::string& problem) {
    problems_.push_back(problem);
    fail_with(1);
}

void SessionControl::status_changed() {
    status_changed_();
}

void SessionControl::report(const std::string& what) const {
    std::cerr << "deskbox: session " << name_ << ": " << what << "\n";
}

}  // namespace deskbox
