// The clock the gate's budgets and the approval queue read: monotonic
// milliseconds, injectable so that unit tests step time by hand.
#pragma once

#include <cstdint>
#include <functional>

namespace deskbox {

using MonotonicClock = std::function<std::int64_t()>;

// The real clock (supervisor/base/event_loop.h monotonic_ms).
MonotonicClock system_monotonic_clock();

}  // namespace deskbox
