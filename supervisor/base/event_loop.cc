#include "supervisor/base/event_loop.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>

#include <cerrno>

#include "supervisor/base/error.h"

namespace deskbox {

namespace {

// Runs one callback; with a handler, what it throws goes there instead of up.
template <class F>
void run_callback(const EventLoop::ErrorHandler& handler, F&& callback) {
    if (!handler) {
        callback();
        return;
    }
    try {
        callback();
    } catch (const std::exception& e) {
        handler(e.what());
    } catch (...) {
        handler("unknown exception in an event-loop callback");
    }
}

// Waits on one epoll set and runs the callbacks of what is ready; returns how
// many events there were.
int dispatch_events(int epoll_fd, int max_wait_ms, std::unordered_map<int, EventLoop::FdCallback>& fds,
                    const EventLoop::ErrorHandler& handler) {
    epoll_event events[32];
    const int n = epoll_wait(epoll_fd, events, 32, max_wait_ms);
    if (n < 0) {
        if (errno == EINTR) return 0;
        throw_errno("waiting for events");
    }
    for (int i = 0; i < n; ++i) {
        auto it = fds.find(events[i].data.fd);
        if (it == fds.end()) continue;  // removed by an earlier callback
        auto callback = it->second;     // copy: the callback may remove itself
        const std::uint32_t ready = events[i].events;
        run_callback(handler, [&] { callback(ready); });
    }
    return n;
}

}  // namespace

std::int64_t monotonic_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

EventLoop::EventLoop() {
    epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
    if (!epoll_) throw_errno("creating epoll instance");
    wake_.reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!wake_) throw_errno("creating eventfd");
    urgent_epoll_.reset(epoll_create1(EPOLL_CLOEXEC));
    if (!urgent_epoll_) throw_errno("creating the urgent epoll instance");
    add_fd(urgent_epoll_.get(), EPOLLIN, [this](std::uint32_t) { dispatch_ready(urgent_epoll_.get(), 0); });
    add_fd(wake_.get(), EPOLLIN, [this](std::uint32_t) {
        std::uint64_t count;
        while (read(wake_.get(), &count, sizeof count) > 0) {
        }
        std::vector<std::function<void()>> work;
        {
            std::lock_guard lock(posted_mutex_);
            work.swap(posted_);
        }
        for (auto& w : work) run_callback(error_handler_, w);
    });
}

void EventLoop::add_fd(int fd, std::uint32_t events, FdCallback callback) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) throw_errno("adding fd to epoll");
    fds_[fd] = std::move(callback);
    interest_[fd] = events;
}

void EventLoop::set_urgent(int fd) {
    if (!fds_.count(fd)) throw Error("marking an fd urgent: it is not in the loop");
    if (urgent_.count(fd)) return;
    if (epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr) != 0) throw_errno("moving an fd to the urgent set");
    epoll_event ev{};
    ev.events = interest_[fd];
    ev.data.fd = fd;
    if (epoll_ctl(urgent_epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) throw_errno("adding an fd to the urgent set");
    urgent_.insert(fd);
}

void EventLoop::modify_fd(int fd, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    const bool urgent = urgent_.count(fd) > 0;
    if (epoll_ctl(urgent ? urgent_epoll_.get() : epoll_.get(), EPOLL_CTL_MOD, fd, &ev) != 0)
        throw_errno("modifying fd in epoll");
    interest_[fd] = events;
}

void EventLoop::remove_fd(int fd) {
    if (urgent_.erase(fd))
        epoll_ctl(urgent_epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
    else
        epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
    fds_.erase(fd);
    interest_.erase(fd);
}

void EventLoop::dispatch_ready(int epoll_fd, int max_wait_ms) {
    dispatch_events(epoll_fd, max_wait_ms, fds_, error_handler_);
}

void EventLoop::dispatch_urgent() {
    ++urgent_depth_;
    try {
        dispatch_ready(urgent_epoll_.get(), 0);
    } catch (...) {
        --urgent_depth_;
        throw;
    }
    --urgent_depth_;
}

EventLoop::TimerId EventLoop::add_timer(Millis after, std::function<void()> callback) {
    const TimerId id = next_timer_++;
    timers_.emplace(monotonic_ms() + after.count(), std::make_pair(id, std::move(callback)));
    return id;
}

void EventLoop::cancel_timer(TimerId id) {
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
        if (it->second.first == id) {
            timers_.erase(it);
            return;
        }
    }
}

void EventLoop::add_signal(int signo, std::function<void()> callback) {
    signals_[signo] = std::move(callback);
    sigset_t mask;
    sigemptyset(&mask);
    for (const auto& [s, cb] : signals_) sigaddset(&mask, s);
    if (sigprocmask(SIG_BLOCK, &mask, nullptr) != 0) throw_errno("blocking signals");
    const bool first = !signal_;
    const int fd = signalfd(first ? -1 : signal_.get(), &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (fd < 0) throw_errno("creating signalfd");
    if (!first) return;
    signal_.reset(fd);
    add_fd(signal_.get(), EPOLLIN, [this](std::uint32_t) {
        signalfd_siginfo info;
        while (read(signal_.get(), &info, sizeof info) == sizeof info) {
            auto it = signals_.find(static_cast<int>(info.ssi_signo));
            if (it != signals_.end()) run_callback(error_handler_, it->second);
        }
    });
    set_urgent(signal_.get());  // SIGTERM is systemd's kill switch
}

void EventLoop::post(std::function<void()> work) {
    {
        std::lock_guard lock(posted_mutex_);
        posted_.push_back(std::move(work));
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] auto n = write(wake_.get(), &one, sizeof one);
}

Millis EventLoop::next_timer_wait(Millis cap) const {
    if (timers_.empty()) return cap;
    const std::int64_t wait = timers_.begin()->first - monotonic_ms();
    if (wait <= 0) return Millis(0);
    return Millis(std::min<std::int64_t>(wait, cap.count()));
}

void EventLoop::fire_due_timers() {
    const std::int64_t now = monotonic_ms();
    while (!timers_.empty() && timers_.begin()->first <= now) {
        auto callback = std::move(timers_.begin()->second.second);
        timers_.erase(timers_.begin());
        run_callback(error_handler_, callback);
    }
}

bool EventLoop::run_once(Millis max_wait) {
    const int n =
        dispatch_events(epoll_.get(), static_cast<int>(next_timer_wait(max_wait).count()), fds_, error_handler_);
    const bool had_timers = !timers_.empty() && timers_.begin()->first <= monotonic_ms();
    fire_due_timers();
    return n > 0 || had_timers;
}

void EventLoop::run() {
    stopped_ = false;
    while (!stopped_) run_once(Millis(60'000));
}

void EventLoop::run_until(const std::function<bool()>& done) {
    stopped_ = false;
    while (!stopped_ && !done()) run_once(Millis(60'000));
}

}  // namespace deskbox
