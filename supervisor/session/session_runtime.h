// One session, start to end: the runtime owns every part of it, in start
// order, and nothing else does (docs/session.md, docs/ARCHITECTURE.md).
//
//   run_session(plan):
//     check_session_can_start(plan)            nothing privileged before it
//     session dir + lock → audit log → sandbox → display → session bus →
//     egress proxy (allowlist only) → apps → desktop (X, a11y, executor) →
//     gate → files → verifier → [setup steps] → reviewers' VNC → sockets →
//     recording (observe.record) → end checks
//     serve the loop until a stop is asked for (signal, reviewer, budget,
//     the apps' end, an error in a callback)
//     stop the parts, last started first: the end checks run, the video
//     ends, the sockets close, files are collected, the apps get SIGTERM,
//     the proxy stops, the sandbox goes, the audit log writes its teardown
//     record, the session dir goes and the lock is released.
//
// A failed start and an exception end the same way: the parts started so far
// stop in reverse order. Data flows one way: the plan and the earlier parts
// go into a part at construction; a part reaches its owner only through
// SessionControl (request a stop, say that status changed), and status.json
// is read from the parts each time it is written.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "supervisor/manifest/admission.h"
#include "supervisor/session/ordered_parts.h"
#include "supervisor/session/session_control.h"
#include "supervisor/session/status.h"

namespace deskbox {

class SessionRuntime {
public:
    explicit SessionRuntime(Plan plan);
    ~SessionRuntime();
    SessionRuntime(const SessionRuntime&) = delete;
    SessionRuntime& operator=(const SessionRuntime&) = delete;

    // Starts, serves and ends the session. Returns the exit code (3: a verify
    // check failed); a failed start ends what started, then throws.
    int run();

private:
    // Starts the part, then writes status.json with what it added.
    template <class T, class... Args>
    T& start_part(std::string name, Args&&... args) {
        T& part = parts_.template start<T>(std::move(name), std::forward<Args>(args)...);
        write_status();
        return part;
    }
    void start();
    void serve();
    void end();
    void refresh_status();
    SessionStatus status() const;
    nlohmann::json status_json() const { return status_to_json(status()); }
    void write_status();
    void announce_stopping();

    Plan plan_;
    SessionStatus own_;            // the session's own fields; the parts add theirs
    SessionStatus stopped_parts_;  // what the parts that stopped said last
    SessionControl control_;
    OrderedParts parts_;           // last member: its parts go before what they were given
    nlohmann::json written_gate_;  // the gate's status as status.json last showed it
    bool ended_ = false;
};

// deskbox run. Returns the exit code.
int run_session(Plan plan);

}  // namespace deskbox
