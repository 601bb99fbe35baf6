#include "xsession/a11y/loop_lookups.h"

#include <sys/epoll.h>

#include <algorithm>

#include "supervisor/base/error.h"

namespace deskbox::a11y {

namespace {

std::string what_of(std::exception_ptr failure) {
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "unknown error";
    }
}

}  // namespace

LoopLookups::LoopLookups(EventLoop& loop, A11yClient& client) : loop_(loop), client_(client) {
    client_.set_busy_hook([this] { settle_for_blocking_call(); });
}

LoopLookups::~LoopLookups() {
    client_.set_busy_hook({});
    unwatch();
}

template <class T>
void LoopLookups::enqueue(std::function<void()> begin, std::function<T()> finish, std::function<void(Looked<T>)> done) {
    Job job;
    job.begin = std::move(begin);
    job.conclude = [finish = std::move(finish), done = std::move(done)](std::exception_ptr failure) {
        Looked<T> got;
        if (failure) {
            got = Looked<T>::failed(what_of(failure));
        } else {
            try {
                got = Looked<T>::of(finish());
            } catch (const Error& e) {
                got = Looked<T>::failed(e.what());
            }
        }
        return std::function<void()>([done, got = std::move(got)]() mutable { done(std::move(got)); });
    };
    queue_.push_back(std::move(job));
    pump();
}

void LoopLookups::find(const ElementTarget& target, Found done) {
    enqueue<FindResult>([this, target] { client_.begin_find(target); }, [this] { return client_.finish_find(); },
                        std::move(done));
}

void LoopLookups::hit_test(Point p, Seen done) {
    enqueue<std::optional<Element>>([this, p] { client_.begin_hit_test(p); },
                                    [this] { return client_.finish_hit_test(); }, std::move(done));
}

void LoopLookups::focused(Seen done) {
    enqueue<std::optional<Element>>([this] { client_.begin_focused(); }, [this] { return client_.finish_focused(); },
                                    std::move(done));
}

void LoopLookups::browser_context(const std::string& app, const std::string& window, Browser done) {
    enqueue<BrowserContext>([this, app, window] { client_.begin_browser_context(app, window); },
                            [this] { return client_.finish_browser_context(); }, std::move(done));
}

void LoopLookups::tree(Walked done) {
    enqueue<Tree>([this] { client_.begin_tree(); }, [this] { return client_.finish_tree(TreeFilter::All); },
                  std::move(done));
}

void LoopLookups::act(const Element& element, ElementAction action, const std::string& text, Acted done) {
    enqueue<std::string>([this, element, action, text] { client_.begin_act(element, action, text); },
                         [this] { return client_.finish_act(); }, std::move(done));
}

void LoopLookups::pump() {
    if (pumping_) return;  // a callback asked again: the loop below takes it
    pumping_ = true;
    while (!current_ && !queue_.empty()) {
        Job job = std::move(queue_.front());
        queue_.pop_front();
        try {
            job.begin();
        } catch (const Error&) {
            // Not sent (the helper is gone, or busy with a request of its own): the lookup failed.
            auto call = job.conclude(std::current_exception());
            try {
                call();
            } catch (...) {
                pumping_ = false;
                throw;
            }
            continue;
        }
        current_ = std::move(job);
        loop_.add_fd(client_.poll_fd(), EPOLLIN, [this](std::uint32_t) { on_ready(); });
        watching_ = true;
        arm_timer();
    }
    pumping_ = false;
}

void LoopLookups::arm_timer() {
    // on_readable() ends the request once the deadline has passed.
    const std::int64_t wait = std::max<std::int64_t>(1, client_.deadline_ms() - monotonic_ms() + 1);
    timer_ = loop_.add_timer(Millis(wait), [this] {
        timer_.reset();
        on_ready();
    });
}

void LoopLookups::unwatch() {
    if (watching_) loop_.remove_fd(client_.poll_fd());
    watching_ = false;
    if (timer_) loop_.cancel_timer(*timer_);
    timer_.reset();
}

void LoopLookups::on_ready() {
    if (!current_) return;
    std::exception_ptr failure;
    try {
        if (!client_.on_readable()) {
            if (!timer_) arm_timer();  // woken early: wait on
            return;
        }
    } catch (const Error&) {
        failure = std::current_exception();
    }
    unwatch();
    Job job = std::move(*current_);
    current_.reset();
    auto call = job.conclude(failure);
    call();
    pump();
}

void LoopLookups::settle_for_blocking_call() {
    if (!current_) return;
    unwatch();
    Job job = std::move(*current_);
    current_.reset();
    std::exception_ptr failure;
    try {
        client_.wait_reply();
    } catch (...) {
        // Abandoned (the wait hook threw) or failed: this lookup is over either way.
        failure = std::current_exception();
    }
    // Decoded now, before the blocking call sends its own request; answered
    // from the loop, never inside the call that needed the client.
    auto call = job.conclude(failure);
    std::weak_ptr<bool> alive = alive_;
    loop_.post([this, alive, call = std::move(call)] {
        if (alive.expired()) return;
        call();
        pump();
    });
}

}  // namespace deskbox::a11y
