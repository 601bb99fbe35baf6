#include "policy/budgets.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "supervisor/base/event_loop.h"

namespace deskbox {

MonotonicClock system_monotonic_clock() {
    return [] { return monotonic_ms(); };
}

namespace {
double bucket_capacity(double rate) {
    return std::max(1.0, rate);
}
}  // namespace

Budgets::Budgets(const BudgetLimits& limits, MonotonicClock clock)
    : limits_(limits), clock_(std::move(clock)), started_ms_(clock_()) {
    tokens_ = bucket_capacity(limits_.actions_per_second);
    refilled_ms_ = started_ms_;
}

std::int64_t Budgets::elapsed_ms() const {
    return clock_() - started_ms_;
}

std::optional<BudgetRefusal> Budgets::charge() {
    const std::int64_t now = clock_();
    if (limits_.wall_clock.count() > 0 && now - started_ms_ >= limits_.wall_clock.count())
        return BudgetRefusal{"budget:wall_clock", "the session's wall-clock budget of " +
                                                      format_duration(limits_.wall_clock) + " is used up"};
    if (limits_.steps > 0 && steps_used_ >= limits_.steps)
        return BudgetRefusal{"budget:steps",
                             "the session's budget of " + std::to_string(limits_.steps) + " steps is used up"};
    if (limits_.actions_per_second > 0) {
        const double rate = limits_.actions_per_second;
        tokens_ = std::min(bucket_capacity(rate), tokens_ + static_cast<double>(now - refilled_ms_) * rate / 1000.0);
        refilled_ms_ = now;
        if (tokens_ < 1.0) {
            char text[64];
            std::snprintf(text, sizeof text, "%g", rate);
            BudgetRefusal refusal{
                "budget:rate", std::string("more than ") + text + " actions per second; slow down and propose again"};
            refusal.retry_after_ms = static_cast<std::int64_t>(std::ceil((1.0 - tokens_) * 1000.0 / rate));
            return refusal;
        }
        tokens_ -= 1.0;
    }
    ++steps_used_;
    return std::nullopt;
}

}  // namespace deskbox
