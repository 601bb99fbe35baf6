// Starting the session's X server: Xvfb with a per-session MIT-MAGIC-COOKIE,
// no TCP, and readiness reported by -displayfd (never a sleep).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "supervisor/base/event_loop.h"
#include "supervisor/base/spawner.h"
#include "supervisor/base/units.h"

namespace deskbox {

struct XvfbOptions {
    int width = 1280, height = 800, depth = 24;
    // GLX makes Xvfb load Mesa's software renderer (swrast_dri and libLLVM):
    // ~11 MB more private memory per display and about twice the start time.
    // Off unless an app needs OpenGL through GLX (most toolkits, and Chromium
    // with --disable-gpu, draw without it).
    bool glx = false;
    // Reported screen resolution (Xvfb -dpi). 96 is what toolkits assume for
    // scale 1; without it Xvfb reports 100, so xterm's Xft fonts grew 4%.
    int dpi = 96;
    std::string auth_file_host;   // where the supervisor writes the Xauthority cookie file
    std::string auth_file_child;  // the same file as the child sees it (sandbox: /run/deskbox/Xauthority);
                                  // empty: same as auth_file_host
    std::vector<std::string> extra_env;
    Millis timeout{10000};
    // Called on the loop thread if Xvfb ends after it reported its display.
    std::function<void(int wait_status)> on_exit;
};

struct XvfbServer {
    ProcessId pid = -1;
    int display_number = -1;
    std::string cookie;  // raw 16 bytes
};

// Writes a fresh cookie to auth_file_host (mode 0600), starts Xvfb through the
// spawner with -displayfd on fd 3, and runs `loop` until Xvfb reports its
// display number. Throws deskbox::Error if Xvfb exits first (naming its exit
// status) or does not report within the timeout (then it is killed).
XvfbServer start_xvfb(Spawner& spawner, EventLoop& loop, const XvfbOptions& options);

// An Xauthority file holding one FamilyWild entry (any display, any host) with
// this MIT-MAGIC-COOKIE-1: the format libXau reads.
std::string xauthority_entry(const std::string& cookie);
void write_xauthority(const std::string& path, const std::string& cookie);

// "exited with status 1", "killed by signal 9 (Killed)".
std::string describe_wait_status(int wait_status);

}  // namespace deskbox
