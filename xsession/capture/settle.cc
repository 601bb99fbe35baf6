#include "xsession/capture/settle.h"

#include <poll.h>

#include <algorithm>
#include <vector>

#include "supervisor/base/error.h"
#include "supervisor/base/event_loop.h"

namespace deskbox {

SettleWatcher::SettleWatcher(Display* display) : display_(display) {
    int error_base = 0;
    if (!XDamageQueryExtension(display_, &event_base_, &error_base)) {
        throw Error("the X server has no DAMAGE extension: cannot wait for the screen to settle");
    }
    // NonEmpty: one event when the accumulated damage becomes non-empty; we
    // subtract it to re-arm. The root's damage includes everything drawn on screen.
    damage_ = XDamageCreate(display_, DefaultRootWindow(display_), XDamageReportNonEmpty);
    XSync(display_, False);
}

SettleWatcher::~SettleWatcher() {
    if (damage_) {
        XDamageDestroy(display_, damage_);
        XSync(display_, False);
    }
}

std::uint64_t SettleWatcher::drain() {
    std::uint64_t seen = 0;
    std::vector<XEvent> others;
    while (XPending(display_) > 0) {
        XEvent event;
        XNextEvent(display_, &event);
        if (event.type == event_base_ + XDamageNotify) {
            ++seen;
        } else {
            others.push_back(event);
        }
    }
    if (seen > 0) XDamageSubtract(display_, damage_, None, None);
    // Put back what belongs to others, in order.
    for (auto it = others.rbegin(); it != others.rend(); ++it) XPutBackEvent(display_, &*it);
    return seen;
}

SettleResult SettleWatcher::wait(const SettleOptions& options, bool expect_change) {
    SettleResult result;
    const std::int64_t start = monotonic_ms();
    const std::int64_t deadline = start + options.cap.count();
    std::int64_t last_change = start;
    bool changed = false;
    // Damage already queued (from the action itself) counts as a change now.
    XSync(display_, False);
    for (;;) {
        const std::uint64_t seen = drain();
        const std::int64_t now = monotonic_ms();
        if (seen > 0) {
            result.damage_events += seen;
            last_change = now;
            changed = true;
            XFlush(display_);  // the re-arming subtract
        }
        std::int64_t settle_at = last_change + options.quiet.count();
        if (expect_change && !changed) settle_at = std::max(settle_at, start + options.first_change.count());
        if (now >= settle_at) {
            result.settled = true;
            break;
        }
        if (now >= deadline) break;
        const std::int64_t wake = std::min(settle_at, deadline);
        pollfd pfd{ConnectionNumber(display_), POLLIN, 0};
        poll(&pfd, 1, static_cast<int>(std::max<std::int64_t>(1, wake - now)));
    }
    result.waited = Millis(monotonic_ms() - start);
    return result;
}

}  // namespace deskbox
