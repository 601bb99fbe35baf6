#include "supervisor/session/app_ready.h"

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
        wait_for_window(x.get(), match, app.ready.timeout, app.name);
    }
}

}  // namespace deskbox
