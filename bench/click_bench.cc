// Click round trip: a click through the Desktop (XTest + XSync, as the agent
// socket runs it) against `xdotool mousemove X Y click 1`, on the same display.
// Both are checked to have reached the client: the probe prints its events.
//
//   click_bench [ROUNDS]
#include <cstdio>

#include "bench/screenshot_bench_support.h"
#include "xsession/desktop/desktop.h"

using namespace deskbox;
using namespace deskbox::bench;

int main(int argc, char** argv) {
    try {
        const int rounds = argc > 1 ? std::atoi(argv[1]) : 100;
        BenchDisplay display(1280, 800);
        display.start_probe();
        Desktop desktop(display.x, DesktopOptions{Point{1024, 640}});
        std::vector<double> ours, xdotool;
        for (int i = 0; i < rounds; ++i) {
            Action click;
            click.kind = ActionKind::Click;
            click.point = Point{100 + i % 500, 200 + i % 300};
            double t = now_ms();
            const ActionResult r = desktop.execute(click, CaptureOptions{});
            ours.push_back(now_ms() - t);
            if (!r.ok) throw Error(r.error);
            xdotool.push_back(display.time_tool(
                {"xdotool", "mousemove", std::to_string(100 + i % 500), std::to_string(200 + i % 300), "click", "1"}));
        }
        print_row("deskbox click (XTest + XSync)", ours);
        print_row("xdotool mousemove X Y click 1", xdotool);
        std::printf("ratio (median): %.4f (goal <= 0.02)\n", stats(ours).median / stats(xdotool).median);
        return 0;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "click_bench: %s\n", error.what());
        return 1;
    }
}
