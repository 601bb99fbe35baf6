// A small epoll loop: file descriptors, one-shot timers, signals (signalfd) and
// work posted from other threads (eventfd). The supervisor runs one on its main
// thread; nothing in it sleeps, everything waits for an event.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "supervisor/base/unique_fd.h"
#include "supervisor/base/units.h"

namespace deskbox {

class EventLoop {
public:
    using FdCallback = std::function<void(std::uint32_t events)>;
    using TimerId = std::uint64_t;
    using ErrorHandler = std::function<void(const std::string& what)>;

    EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // The fd stays owned by the caller; remove it before closing it.
    void add_fd(int fd, std::uint32_t events, FdCallback callback);
    // Urgent sources (signals, the reviewer's socket: the kill switch) are
    // also served while the loop's thread waits inside a bounded blocking
    // step (an accessibility query), through urgent_fd() + dispatch_urgent().
    void set_urgent(int fd);
    void modify_fd(int fd, std::uint32_t events);
    void remove_fd(int fd);

    TimerId add_timer(Millis after, std::function<void()> callback);
    void cancel_timer(TimerId id);

    // Blocks `signo` for the whole process and delivers it here. Call before
    // starting threads so that they inherit the blocked mask.
    void add_signal(int signo, std::function<void()> callback);

    // Thread-safe: runs `work` on the loop's thread.
    void post(std::function<void()> work);

    // An exception escaping a callback (fd, timer, signal, posted work): by
    // default it leaves run()/run_once() to their caller. With a handler set,
    // the handler gets its text and the loop goes on serving, whichever caller
    // is pumping it (a verify command's wait, an accessibility query's urgent
    // wait): the owner ends the session through its teardown, never skipped.
    void on_callback_error(ErrorHandler handler) { error_handler_ = std::move(handler); }

    // Runs until stop() (or until `done` returns true after an event).
    void run();
    void run_until(const std::function<bool()>& done);
    // Readable when an urgent source has an event; poll it beside the fd a
    // blocking step waits for, then call dispatch_urgent().
    int urgent_fd() const { return urgent_epoll_.get(); }
    // Runs the callbacks of the urgent sources that are ready, without
    // waiting. Only urgent callbacks run, so nothing re-enters the step that
    // waits; in_urgent_wait() is true meanwhile.
    void dispatch_urgent();
    bool in_urgent_wait() const { return urgent_depth_ > 0; }
    // Waits for at most `max_wait` and handles what arrived. Returns false on timeout.
    bool run_once(Millis max_wait);
    void stop() { stopped_ = true; }
    bool stopped() const { return stopped_; }

private:
    Millis next_timer_wait(Millis cap) const;
    void fire_due_timers();

    void dispatch_ready(int epoll_fd, int max_wait_ms);

    UniqueFd epoll_;
    UniqueFd urgent_epoll_;  // urgent fds live here; it is itself a source of epoll_
    UniqueFd wake_;          // eventfd for post()
    UniqueFd signal_;        // signalfd, created on first add_signal
    std::unordered_map<int, FdCallback> fds_;
    std::unordered_map<int, std::uint32_t> interest_;  // fd -> the events it waits for
    std::unordered_set<int> urgent_;
    int urgent_depth_ = 0;
    std::multimap<std::int64_t, std::pair<TimerId, std::function<void()>>> timers_;  // deadline ms -> timer
    TimerId next_timer_ = 1;
    std::map<int, std::function<void()>> signals_;
    std::mutex posted_mutex_;
    std::vector<std::function<void()>> posted_;
    ErrorHandler error_handler_;
    bool stopped_ = false;
};

// Monotonic milliseconds, the clock of timers and budgets.
std::int64_t monotonic_ms();

}  // namespace deskbox
