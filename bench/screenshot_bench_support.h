// Shared by the display benchmarks (screenshot, click, settle): a private
// Xvfb with the probe client from the display tests, a way to time an
// external tool (process start to exit, as a user's script would run it),
// and medians with spread.
#pragma once

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "supervisor/base/error.h"
#include "supervisor/base/event_loop.h"
#include "supervisor/base/host_spawner.h"
#include "xsession/display/x_connection.h"
#include "xsession/display/xvfb.h"

namespace deskbox::bench {

inline double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Stats {
    double median = 0, p10 = 0, p90 = 0, min = 0, max = 0;
};

inline Stats stats(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    auto at = [&](double q) { return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5)]; };
    return {at(0.5), at(0.1), at(0.9), v.front(), v.back()};
}

inline void print_row(const char* name, const std::vector<double>& samples, const char* unit = "ms") {
    const Stats s = stats(samples);
    std::printf("%-44s median %9.3f %s  (p10 %.3f, p90 %.3f, min %.3f, max %.3f, n=%zu)\n", name, s.median, unit, s.p10,
                s.p90, s.min, s.max, samples.size());
}

struct BenchDisplay {
    EventLoop loop;
    HostSpawner spawner{loop};
    std::filesystem::path dir;
    XvfbServer server;
    XConnection x;

    BenchDisplay(int width, int height) {
        char tmpl[] = "/tmp/deskbox-bench-XXXXXX";
        if (!mkdtemp(tmpl)) throw_errno("creating a bench directory");
        dir = tmpl;
        XvfbOptions options;
        options.width = width;
        options.height = height;
        options.auth_file_host = (dir / "Xauthority").string();
        server = start_xvfb(spawner, loop, options);
        x = XConnection::open(server.display_number, server.cookie);
    }
    ~BenchDisplay() {
        x = XConnection();
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
    }
    std::vector<std::string> env() const {
        return {"DISPLAY=:" + std::to_string(server.display_number),
                "XAUTHORITY=" + (dir / "Xauthority").string(),
                "PATH=" + std::string(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin"),
                "HOME=" + dir.string(),
                "LANG=C.UTF-8",
                "NO_AT_BRIDGE=1"};
    }
    // Starts a process; returns its id.
    ProcessId start(const std::vector<std::string>& argv, int* status_out = nullptr, bool* done_out = nullptr) {
        SpawnRequest request;
        request.name = argv[0];
        request.argv = argv;
        request.env = env();
        return spawner.spawn(request, [status_out, done_out](int status) {
            if (status_out) *status_out = status;
            if (done_out) *done_out = true;
        });
    }
    // Runs a tool to completion; returns wall milliseconds from spawn to exit.
    double time_tool(const std::vector<std::string>& argv) {
        int status = 0;
        bool done = false;
        const double t0 = now_ms();
        start(argv, &status, &done);
        while (!done) loop.run_once(Millis(60000));
        const double t1 = now_ms();
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            throw Error(argv[0] + " failed: " + describe_wait_status(status));
        }
        return t1 - t0;
    }
    // The probe client from the display tests; waits until its window is drawn.
    void start_probe(const std::vector<std::string>& extra = {}) {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) throw_errno("creating a pipe");
        UniqueFd read_end(fds[0]), write_end(fds[1]);
        fcntl(read_end.get(), F_SETPIPE_SZ, 1 << 20);  // room for the events it prints while nobody reads
        SpawnRequest request;
        request.name = "probe";
        request.argv = {probe_path(), "deskbox probe"};
        request.argv.insert(request.argv.end(), extra.begin(), extra.end());
        request.env = env();
        request.fds = {{write_end.get(), 1}};
        spawner.spawn(request, nullptr);
        write_end.reset();
        // Blocking read is fine here: the probe prints "ready" once drawn.
        std::string text;
        char buf[64];
        while (text.find("ready\n") == std::string::npos) {
            const ssize_t n = read(read_end.get(), buf, sizeof buf);
            if (n <= 0) throw Error("the probe client ended before it was ready");
            text.append(buf, static_cast<std::size_t>(n));
        }
        probe_output_ = std::move(read_end);  // kept open: the probe keeps printing events
    }

private:
    static std::string probe_path() {
        const char* build = getenv("DESKBOX_BUILD_ROOT");
        return std::string(build ? build : ".") + "/tests/integration/display/display_probe_app";
    }
    UniqueFd probe_output_;
};

}  // namespace deskbox::bench
