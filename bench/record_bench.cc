// CPU cost of observe.record at 5 fps (bench/README.md): the recorder (what
// runs in the supervisor: XDamage events, MIT-SHM captures of changed
// screens, framing, non-blocking sends) and its ffmpeg encoder, on a private
// 1280x800 Xvfb, over fixed spans, read from /proc/PID/stat. Two screens:
// idle (a still window) and busy (an xterm printing the time every 50 ms, so
// every tick has a change). Xvfb's own CPU is shown apart: it includes the
// drawing of the busy app, not only the captures.
//
//   DESKBOX_BUILD_ROOT=build build/bench/record_bench [--rounds N] [--span SECONDS]
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "bench/screenshot_bench_support.h"
#include "xsession/record/screen_recorder.h"

using namespace deskbox;
using namespace deskbox::bench;

namespace {

// utime + stime of a process, in seconds.
double cpu_seconds(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    if (close == std::string::npos) throw Error("reading /proc/" + std::to_string(pid) + "/stat");
    std::istringstream fields(text.substr(close + 2));
    std::string f;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
        if (i == 14) utime = std::stoull(f);
        if (i == 15) stime = std::stoull(f);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

void run_for(EventLoop& loop, double ms) {
    const double end = now_ms() + ms;
    while (now_ms() < end) loop.run_once(Millis(static_cast<long>(std::max(1.0, end - now_ms()))));
}

void measure(BenchDisplay& d, const char* screen, int rounds, double span_s) {
    const auto file = d.dir / (std::string("record-") + screen + ".webm");
    RecorderOptions options;
    options.output = file;
    options.fps = 5;
    options.env = d.env();
    ScreenRecorder recorder(d.loop, XConnection::open(d.server.display_number, d.server.cookie), options,
                            [](const std::string& what, const std::string& detail) {
                                std::fprintf(stderr, "warning: %s: %s\n", what.c_str(), detail.c_str());
                            });
    run_for(d.loop, 3000);  // the encoder has started and encoded its first frames
    std::vector<double> own, encoder, both, xvfb, fps;
    for (int r = 0; r < rounds; ++r) {
        const double self0 = cpu_seconds(getpid()), enc0 = cpu_seconds(recorder.encoder_pid()),
                     x0 = cpu_seconds(d.server.pid);
        const std::uint64_t frames0 = recorder.frames();
        const double t0 = now_ms();
        run_for(d.loop, span_s * 1000);
        const double wall = (now_ms() - t0) / 1000;
        const double self = (cpu_seconds(getpid()) - self0) / wall * 100;
        const double enc = (cpu_seconds(recorder.encoder_pid()) - enc0) / wall * 100;
        own.push_back(self);
        encoder.push_back(enc);
        both.push_back(self + enc);
        xvfb.push_back((cpu_seconds(d.server.pid) - x0) / wall * 100);
        fps.push_back(static_cast<double>(recorder.frames() - frames0) / wall);
    }
    std::printf("-- %s screen, %d rounds of %.0f s (CPU in %% of one core)\n", screen, rounds, span_s);
    print_row("recorder in the supervisor", own, "%");
    print_row("ffmpeg (VP8 realtime, 1 thread)", encoder, "%");
    print_row("supervisor + ffmpeg", both, "%");
    print_row("Xvfb (apart: includes the app's drawing)", xvfb, "%");
    print_row("frames sent per second", fps, "fps");
    const RecorderSummary summary = recorder.finish(Millis(20'000));
    std::error_code ec;
    std::printf("   %llu frames, %llu dropped, %s, file %llu bytes\n", static_cast<unsigned long long>(summary.frames),
                static_cast<unsigned long long>(summary.dropped), summary.encoder_end.c_str(),
                static_cast<unsigned long long>(std::filesystem::file_size(file, ec)));
}

}  // namespace

int main(int argc, char** argv) {
    int rounds = 5;
    double span = 10;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::atoi(argv[i + 1]);
        if (std::strcmp(argv[i], "--span") == 0) span = std::atof(argv[i + 1]);
    }
    signal(SIGPIPE, SIG_IGN);
    try {
        BenchDisplay d(1280, 800);
        d.start_probe();  // a still window
        measure(d, "idle", rounds, span);
        d.start({"xterm", "-geometry", "120x45+0+0", "-e", "sh", "-c", "while :; do date +%T.%N; sleep 0.05; done"});
        measure(d, "busy", rounds, span);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "record_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
