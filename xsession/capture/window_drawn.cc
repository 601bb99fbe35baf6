#include "xsession/capture/window_drawn.h"

#include <X11/Xutil.h>
#include <X11/extensions/Xdamage.h>
#include <poll.h>

#include <algorithm>

#include "supervisor/base/error.h"
#include "xsession/display/x_error.h"

namespace deskbox {
namespace {

constexpr int kSampleStep = 4;           // every 4th pixel of every 4th row
constexpr std::int64_t kQuietMs = 2000;  // no further paint after a one-colour one: it is meant so
// (LibreOffice clears its new window to black and paints the UI up to a second later)

std::int64_t now_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

}  // namespace

bool window_is_uniform(Display* display, Window window) {
    XErrorTrap trap(display);
    XWindowAttributes attributes{};
    if (!XGetWindowAttributes(display, window, &attributes) || attributes.map_state != IsViewable ||
        attributes.width <= 0 || attributes.height <= 0)
        return false;
    XImage* image = XGetImage(display, window, 0, 0, static_cast<unsigned>(attributes.width),
                              static_cast<unsigned>(attributes.height), AllPlanes, ZPixmap);
    if (!trap.sync_and_get().empty() || !image) {
        if (image) XDestroyImage(image);
        return false;
    }
    const unsigned long first = XGetPixel(image, 0, 0);
    bool uniform = true;
    for (int y = 0; y < attributes.height && uniform; y += kSampleStep)
        for (int x = 0; x < attributes.width; x += kSampleStep)
            if (XGetPixel(image, x, y) != first) {
                uniform = false;
                break;
            }
    XDestroyImage(image);
    return uniform;
}

bool wait_until_drawn(Display* display, Window window, Millis timeout) {
    int event_base = 0, error_base = 0;
    if (!XDamageQueryExtension(display, &event_base, &error_base)) return !window_is_uniform(display, window);
    XErrorTrap trap(display);
    const Damage damage = XDamageCreate(display, window, XDamageReportNonEmpty);
    const std::int64_t deadline = now_ms() + timeout.count();
    bool painted_once = false;  // it drew, and what it drew is one colour (so far)
    bool drawn = false;
    for (;;) {
        // Clear what is recorded, then look: anything drawn after the look
        // makes the region non-empty again and sends an event.
        XDamageSubtract(display, damage, None, None);
        XSync(display, False);
        if (!window_is_uniform(display, window)) {
            drawn = true;
            break;
        }
        // Until the first paint: up to the deadline. After a paint that left the
        // window one colour: a quiet period; an app painting in stages draws
        // again within it, a window that is meant to be one colour does not.
        const std::int64_t until = painted_once ? std::min(deadline, now_ms() + kQuietMs) : deadline;
        bool damaged = false;
        while (!damaged) {
            while (XPending(display) > 0) {
                XEvent event;
                XNextEvent(display, &event);
                if (event.type == event_base + XDamageNotify &&
                    reinterpret_cast<XDamageNotifyEvent*>(&event)->damage == damage)
                    damaged = true;
            }
            if (damaged) break;
            const std::int64_t left = until - now_ms();
            if (left <= 0) break;
            pollfd p{ConnectionNumber(display), POLLIN, 0};
            poll(&p, 1, static_cast<int>(left));
        }
        if (!damaged) {
            drawn = painted_once;  // quiet after a one-colour paint: that is what it shows
            break;
        }
        painted_once = true;
    }
    XDamageDestroy(display, damage);
    trap.sync_and_get();  // a window that vanished meanwhile is not an error here
    return drawn;
}

}  // namespace deskbox
