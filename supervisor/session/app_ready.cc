#include "supervisor/session/app_ready.h"

#include <chrono>
#include <iostream>

#include "xsession/capture/window_drawn.h"
#include "xsession/display/windows.h"
#include "xsession/display/x_connection.h"

namespace deskbox {

void wait_for_app_windows(int display_number, const std::string& cookie, int netns_fd,
                          const std::vector<AppSpec>& apps) {
    XConnection x;
    for (const auto& app : apps) {
        // a11y_app readiness belongs to the accessibility helper, not started here.
        if (app.ready.wm_class.empty() && app.ready.title.empty()) continue;
        if (!x) x = XConnection::open(display_number, cookie, netns_fd);
        WindowMatch match;
        match.wm_class = app.ready.wm_class;
        match.title = app.ready.title;
        const auto started = std::chrono::steady_clock::now();
        const WindowInfo window = wait_for_window(x.get(), match, app.ready.timeout, app.name);
        // Ready means visible: a window that has not painted yet (all one
        // colour, black under Xvfb) is not ready; wait for it to draw.
        const auto spent = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started);
        if (!wait_until_drawn(x.get(), window.id, std::max(Millis(0), app.ready.timeout - spent)))
            std::cerr << "deskbox: app '" << app.name << "': its window is still one colour after "
                      << app.ready.timeout.count() / 1000 << "s; taking it as drawn\n";
    }
}

}  // namespace deskbox
