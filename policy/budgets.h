// Session budgets the gate enforces before any rule: a step count, a wall
// clock since the session started, and an actions-per-second rate limit
// (token bucket). Exceeding one refuses the proposal; nothing is queued.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "policy/clock.h"
#include "supervisor/base/units.h"

namespace deskbox {

struct BudgetLimits {
    std::uint32_t steps = 0;        // 0: unlimited
    Millis wall_clock{0};           // 0: unlimited
    double actions_per_second = 0;  // 0: unlimited
};

struct BudgetRefusal {
    std::string rule;    // "budget:steps", "budget:wall_clock", "budget:rate"
    std::string reason;  // for the agent and the audit log
    // budget:rate: when the bucket holds a whole token again (a client waits
    // this long instead of guessing; the other budgets never come back).
    std::optional<std::int64_t> retry_after_ms;
};

class Budgets {
public:
    // The wall clock starts now (at construction).
    Budgets(const BudgetLimits& limits, MonotonicClock clock);

    // Charges one step for a proposal. Returns the refusal when a budget is
    // exhausted (a refused proposal consumes nothing).
    std::optional<BudgetRefusal> charge();

    std::uint32_t steps_used() const { return steps_used_; }
    std::int64_t elapsed_ms() const;
    const BudgetLimits& limits() const { return limits_; }

private:
    BudgetLimits limits_;
    MonotonicClock clock_;
    std::int64_t started_ms_;
    std::uint32_t steps_used_ = 0;
    // Token bucket: capacity max(1, rate), refilled at `rate` per second.
    double tokens_ = 0;
    std::int64_t refilled_ms_ = 0;
};

}  // namespace deskbox
