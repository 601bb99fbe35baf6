// A11yLookups on the session's event loop, through the client's non-blocking
// form: begin_*() sends the question, the loop watches poll_fd() and a timer
// at the reply deadline, finish_*() decodes the answer and the callback runs
// on the loop. Meanwhile the loop serves everything else (other agents, the
// reviewer socket). The helper answers one request at a time, in order, so
// lookups wait in a FIFO queue and go out one after another.
//
// The blocking calls of the same client (tree, element actions, verify
// checks) may come while a lookup is out: the client's busy hook then waits
// for that lookup's reply first (serving the kill switch, as every blocking
// call does) and its callback runs later, from the loop.
#pragma once

#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>

#include "supervisor/base/event_loop.h"
#include "xsession/a11y/a11y_lookups.h"

namespace deskbox::a11y {

class LoopLookups : public A11yLookups {
public:
    LoopLookups(EventLoop& loop, A11yClient& client);
    // Stops watching; callbacks of lookups still queued or out do not run.
    ~LoopLookups() override;
    LoopLookups(const LoopLookups&) = delete;
    LoopLookups& operator=(const LoopLookups&) = delete;

    void find(const ElementTarget& target, Found done) override;
    void hit_test(Point screen_point, Seen done) override;
    void focused(Seen done) override;
    void browser_context(const std::string& app, const std::string& window, Browser done) override;

    // Beyond the gate's questions, what an agent's action asks (the executor's
    // answer-later form): the whole tree, and an action on one element.
    using Walked = std::function<void(Looked<Tree>)>;
    using Acted = std::function<void(Looked<std::string>)>;  // how it was done ("action", "grab_focus"...)
    void tree(Walked done);
    void act(const Element& element, ElementAction action, const std::string& text, Acted done);

    std::size_t queued() const { return queue_.size() + (current_ ? 1 : 0); }

private:
    // One lookup: `begin` sends it; `conclude` takes the reply (or the error
    // that ended it) from the client and returns the call of its callback.
    struct Job {
        std::function<void()> begin;
        std::function<std::function<void()>(std::exception_ptr failure)> conclude;
    };
    template <class T>
    void enqueue(std::function<void()> begin, std::function<T()> finish, std::function<void(Looked<T>)> done);
    void pump();      // sends the next queued lookup when none is out
    void on_ready();  // the fd is readable or the deadline came
    void arm_timer();
    void unwatch();
    void settle_for_blocking_call();  // the client's busy hook

    EventLoop& loop_;
    A11yClient& client_;
    std::deque<Job> queue_;
    std::optional<Job> current_;
    bool watching_ = false;
    std::optional<EventLoop::TimerId> timer_;
    bool pumping_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace deskbox::a11y
