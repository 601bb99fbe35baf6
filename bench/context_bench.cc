// The gate's X-only context cost per action: which client window is under a
// pointer action's point (client_window_at) and which window gets the keys
// (keyboard_window), with WM_CLASS, title and the owner's pid, against the
// tool a user would otherwise run (`xdotool getmouselocation`, which names the
// window under the pointer). Real Xvfb, a real xterm, no window manager.
//
//   context_bench [ROUNDS]     (DESKBOX_BUILD_ROOT=build dir)
#include <cstdio>

#include "bench/screenshot_bench_support.h"
#include "xsession/display/window_identity.h"
#include "xsession/display/windows.h"

using namespace deskbox;
using namespace deskbox::bench;

int main(int argc, char** argv) {
    try {
        const int rounds = argc > 1 ? std::atoi(argv[1]) : 200;
        BenchDisplay display(1280, 800);
        display.start({"xterm", "-geometry", "80x24+0+0", "-title", "bench-term"});
        wait_for_window(display.x.get(), WindowMatch{"", "bench-term"}, Millis(30000), "xterm");
        std::vector<double> under_point, keyboard, xdotool_point;
        for (int i = 0; i < rounds; ++i) {
            double t = now_ms();
            const auto w = client_window_at(display.x.get(), 50 + i % 300, 50 + i % 200);
            under_point.push_back((now_ms() - t) * 1000);
            if (!w || w->wm_class != "XTerm" || w->pid <= 0) throw Error("the xterm was not found under the point");
            t = now_ms();
            const KeyboardTarget k = keyboard_window(display.x.get());
            keyboard.push_back((now_ms() - t) * 1000);
            (void)k;
        }
        for (int i = 0; i < rounds / 10; ++i) {
            xdotool_point.push_back(display.time_tool({"xdotool", "getmouselocation"}) * 1000);
        }
        print_row("deskbox window under the point (class, title, pid)", under_point, "us");
        print_row("deskbox keyboard window (focus or pointer)", keyboard, "us");
        print_row("xdotool getmouselocation (process per call)", xdotool_point, "us");
        std::printf("goal: X-only context <= 300 us median\n");
        return 0;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "context_bench: %s\n", error.what());
        return 1;
    }
}
