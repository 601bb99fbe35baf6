// "Observe when settled": XDamage tells us whenever anything on the screen is
// drawn; the screen is settled once nothing has been drawn for a quiet period.
// A cap bounds the wait (animations, blinking cursors). Never a fixed sleep.
#pragma once

#include <X11/Xlib.h>
#include <X11/extensions/Xdamage.h>

#include <cstdint>

#include "supervisor/base/units.h"

namespace deskbox {

struct SettleOptions {
    Millis quiet{200};  // no drawing for this long = settled
    Millis cap{3000};   // give up waiting (animations, blinking cursors)
    // After input, an app often takes a moment before it draws anything (a
    // dialog's process starting): wait this long for the first change before
    // calling an unchanged screen settled.
    Millis first_change{1000};
};

struct SettleResult {
    bool settled = false;  // false: the cap was reached while the screen kept changing
    Millis waited{0};
    std::uint64_t damage_events = 0;
};

class SettleWatcher {
public:
    // Throws deskbox::Error when the server lacks DAMAGE.
    explicit SettleWatcher(Display* display);
    ~SettleWatcher();
    SettleWatcher(const SettleWatcher&) = delete;
    SettleWatcher& operator=(const SettleWatcher&) = delete;

    // Waits until no damage for options.quiet, at most options.cap. With
    // `expect_change` (input was just sent) the quiet period only counts once
    // something changed, or once options.first_change passed without change.
    // Other events read from the connection on the way are put back in the queue.
    SettleResult wait(const SettleOptions& options, bool expect_change = false);
    // Counts and clears damage that is already queued; returns how much was seen.
    std::uint64_t drain();

private:
    Display* display_;
    Damage damage_ = 0;
    int event_base_ = 0;
};

}  // namespace deskbox
