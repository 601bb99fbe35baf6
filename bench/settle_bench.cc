// From a click that opens a dialog to an observation that shows it: deskbox's
// settled screenshot (XDamage quiet period) against the fixed 2 s sleep
// anchors use. A settled observation counts as complete when a second
// settled screenshot taken after the dialog's window is known to exist shows
// exactly the same pixels (neither stale nor half-drawn).
//
//   settle_bench [ROUNDS [FIRST_CHANGE_MS [QUIET_MS]]]
#include <cstdio>

#include "bench/screenshot_bench_support.h"
#include "xsession/capture/codecs.h"
#include "xsession/desktop/desktop.h"
#include "xsession/display/windows.h"

using namespace deskbox;
using namespace deskbox::bench;

int main(int argc, char** argv) {
    try {
        const int rounds = argc > 1 ? std::atoi(argv[1]) : 10;
        BenchDisplay display(1280, 800);
        display.start_probe({"--dialog-on-click"});
        DesktopOptions options;
        if (argc > 2) options.settle.first_change = Millis(std::atoi(argv[2]));
        if (argc > 3) options.settle.quiet = Millis(std::atoi(argv[3]));
        Desktop desktop(display.x, options);
        std::printf("settle: quiet %lld ms, first change within %lld ms, cap %lld ms\n",
                    static_cast<long long>(options.settle.quiet.count()),
                    static_cast<long long>(options.settle.first_change.count()),
                    static_cast<long long>(options.settle.cap.count()));
        Action click;
        click.kind = ActionKind::Click;
        click.point = Point{40, 40};
        Action shot;
        shot.kind = ActionKind::Screenshot;
        CaptureOptions settled;
        settled.settle = true;
        std::vector<double> settle_t, sleep_t;
        int complete = 0, sleep_complete = 0;
        Action close = click;
        close.button = MouseButton::Right;
        for (int i = 1; i <= 2 * rounds; ++i) {
            const bool use_sleep = i % 2 == 0;  // alternate the two methods
            // Close the previous dialog and let the screen settle: only the new dialog is measured.
            if (!desktop.execute(close, CaptureOptions{}).ok) throw Error("right click failed");
            desktop.execute(shot, settled);
            const double t = now_ms();
            if (!desktop.execute(click, CaptureOptions{}).ok) throw Error("click failed");
            ActionResult first;
            if (use_sleep) {
                Action wait;
                wait.kind = ActionKind::Wait;
                wait.duration = Millis(2000);
                desktop.execute(wait, CaptureOptions{});
                first = desktop.execute(shot, CaptureOptions{});
                sleep_t.push_back(now_ms() - t);
            } else {
                first = desktop.execute(shot, settled);
                settle_t.push_back(now_ms() - t);
            }
            // The reference: the dialog's window exists and the screen is quiet.
            wait_for_window(display.x.get(), {"", "deskbox dialog " + std::to_string(i)}, Millis(30000), "zenity");
            CaptureOptions quiet = settled;
            const ActionResult reference = desktop.execute(shot, quiet);
            const bool same = first.image->bytes == reference.image->bytes;
            (use_sleep ? sleep_complete : complete) += same ? 1 : 0;
        }
        print_row("click -> settled screenshot (XDamage)", settle_t);
        print_row("click -> 2 s sleep -> screenshot", sleep_t);
        std::printf("complete observations: settled %d/%d, fixed sleep %d/%d\n", complete, rounds, sleep_complete,
                    rounds);
        return 0;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "settle_bench: %s\n", error.what());
        return 1;
    }
}
