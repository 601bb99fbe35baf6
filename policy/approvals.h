// The queue of proposals waiting for a reviewer. Each gets a short id ("A1",
// "A2", ...); a reviewer approves or denies it (who and a note are kept), and
// one not answered in time is denied. Single-threaded: everything runs on the
// session's event loop thread (the review server calls in from there too).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "policy/clock.h"
#include "supervisor/base/error.h"
#include "supervisor/base/units.h"

namespace deskbox {

// approve / deny of an id that is not (or no longer) pending.
class ApprovalNotFound : public Error {
public:
    using Error::Error;
};

class EventLoop;

// One-shot timers: the event loop in the supervisor, a hand-stepped fake in tests.
class TimerPort {
public:
    virtual ~TimerPort() = default;
    virtual std::uint64_t schedule(Millis after, std::function<void()> callback) = 0;
    virtual void cancel(std::uint64_t id) = 0;
};

class EventLoopTimers : public TimerPort {
public:
    explicit EventLoopTimers(EventLoop& loop) : loop_(loop) {}
    std::uint64_t schedule(Millis after, std::function<void()> callback) override;
    void cancel(std::uint64_t id) override;

private:
    EventLoop& loop_;
};

// Who acted, from the reviewer socket's SO_PEERCRED (or "timeout"/"session").
struct Reviewer {
    std::int64_t uid = -1;
    std::int64_t pid = -1;
    std::string user;  // login name of uid, or a role such as "timeout"
    // A person the peer speaks for, and through what: the web console
    // (supervisor/console) connects as its own user and names the reviewer
    // who logged in ("alice" via "console"). Empty for the CLI.
    std::string reviewer;
    std::string via;
};

struct ApprovalResolution {
    bool approved = false;
    bool timed_out = false;
    Reviewer by;
    std::string note;
    std::int64_t at_ms = 0;  // monotonic
};

struct PendingApproval {
    std::string id;
    std::string rule;       // the rule that asked for approval
    nlohmann::json detail;  // redacted proposal summary shown to reviewers
    std::int64_t created_ms = 0;
    std::int64_t deadline_ms = 0;
};

class ApprovalQueue {
public:
    using Done = std::function<void(const PendingApproval&, const ApprovalResolution&)>;

    ApprovalQueue(TimerPort& timers, MonotonicClock clock);
    ~ApprovalQueue();
    ApprovalQueue(const ApprovalQueue&) = delete;
    ApprovalQueue& operator=(const ApprovalQueue&) = delete;

    // Parks a proposal; `done` runs exactly once (approve, deny, timeout or
    // deny_all), after the entry left the queue.
    std::string add(std::string rule, nlohmann::json detail, Millis timeout, Done done);

    // The id the next add() will return (so that the decision record that
    // precedes the add can name it).
    std::string next_id() const { return "A" + std::to_string(next_id_); }

    std::vector<PendingApproval> list() const;  // oldest first
    std::size_t size() const { return pending_.size(); }
    std::int64_t now() const { return clock_(); }

    // Throw ApprovalNotFound "no pending approval 'A7'" for an unknown id.
    void approve(const std::string& id, const Reviewer& by, const std::string& note);
    void deny(const std::string& id, const Reviewer& by, const std::string& note);
    // Denies everything pending (the session stops).
    void deny_all(const Reviewer& by, const std::string& note);

private:
    struct Entry {
        PendingApproval info;
        Done done;
        std::uint64_t timer = 0;
    };
    void resolve(const std::string& id, ApprovalResolution resolution, bool cancel_timer);

    TimerPort& timers_;
    MonotonicClock clock_;
    std::uint64_t next_id_ = 1;
    std::map<std::uint64_t, Entry> pending_;  // by number, so that list() is in arrival order
};

}  // namespace deskbox
