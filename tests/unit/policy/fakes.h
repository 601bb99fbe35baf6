// Test doubles for the policy area: a hand-stepped clock and timers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <ostream>

#include "policy/approvals.h"
#include "policy/clock.h"
#include "policy/policy.h"

namespace deskbox {
// Boost.Test prints values of failed comparisons.
inline std::ostream& operator<<(std::ostream& out, Decision d) {
    return out << to_string(d);
}
inline std::ostream& operator<<(std::ostream& out, Tier t) {
    return out << to_string(t);
}
}  // namespace deskbox

namespace deskbox::test {

struct ManualClock {
    std::int64_t now = 1'000'000;
    MonotonicClock clock() {
        return [this] { return now; };
    }
};

// Timers fire only when the test advances time.
class ManualTimers : public TimerPort {
public:
    explicit ManualTimers(ManualClock& clock) : clock_(clock) {}
    std::uint64_t schedule(Millis after, std::function<void()> callback) override {
        const std::uint64_t id = next_++;
        timers_[id] = {clock_.now + after.count(), std::move(callback)};
        return id;
    }
    void cancel(std::uint64_t id) override { timers_.erase(id); }
    void advance(Millis by) {
        clock_.now += by.count();
        for (auto it = timers_.begin(); it != timers_.end();) {
            if (it->second.first <= clock_.now) {
                auto callback = std::move(it->second.second);
                it = timers_.erase(it);
                callback();
            } else {
                ++it;
            }
        }
    }
    std::size_t armed() const { return timers_.size(); }

private:
    ManualClock& clock_;
    std::uint64_t next_ = 1;
    std::map<std::uint64_t, std::pair<std::int64_t, std::function<void()>>> timers_;
};

}  // namespace deskbox::test
