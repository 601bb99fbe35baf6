#include "tests/integration/display/display_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "supervisor/base/error.h"

namespace deskbox::testing {

bool have_program(const std::string& name) {
    try {
        find_program(name, getenv("PATH") ? getenv("PATH") : "");
        return true;
    } catch (const Error&) {
        const char* must = getenv("DESKBOX_MUST_WORK");
        if (must && std::string(must) == "1") BOOST_FAIL(name + " is not installed (DESKBOX_MUST_WORK=1)");
        BOOST_TEST_MESSAGE("skipped: " + name + " is not installed");
        return false;
    }
}

DisplayFixture::DisplayFixture(int width, int height, bool glx) {
    char tmpl[] = "/tmp/deskbox-display-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw_errno("creating a test directory");
    dir = tmpl;
    XvfbOptions options;
    options.width = width;
    options.height = height;
    options.glx = glx;
    options.auth_file_host = (dir / "Xauthority").string();
    options.extra_env = {"PATH=" + std::string(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin")};
    server = start_xvfb(spawner, loop, options);
    x = XConnection::open(server.display_number, server.cookie);
}

DisplayFixture::~DisplayFixture() {
    x = XConnection();
    for (auto& [pid, app] : apps_) {
        if (app->out) loop.remove_fd(app->out.get());
    }
    apps_.clear();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
}

std::vector<std::string> DisplayFixture::app_env() const {
    return {"DISPLAY=:" + std::to_string(server.display_number),
            "XAUTHORITY=" + (dir / "Xauthority").string(),
            "PATH=" + std::string(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin"),
            "HOME=" + dir.string(),
            "XDG_RUNTIME_DIR=" + dir.string(),
            "LANG=C.UTF-8",
            "NO_AT_BRIDGE=1",
            "GDK_BACKEND=x11"};
}

std::string DisplayFixture::probe_path() const {
    const char* build = getenv("DESKBOX_BUILD_ROOT");
    return std::string(build ? build : ".") + "/tests/integration/display/display_probe_app";
}

ProcessId DisplayFixture::start_app(const std::vector<std::string>& argv, const std::string& name) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw_errno("creating a pipe for " + name);
    auto app = std::make_shared<App>();
    app->out.reset(fds[0]);
    UniqueFd write_end(fds[1]);
    SpawnRequest request;
    request.name = name;
    request.argv = argv;
    request.env = app_env();
    request.fds = {{write_end.get(), 1}};
    const ProcessId pid = spawner.spawn(request, [app](int status) { app->result.wait_status = status; });
    const int fd = app->out.get();
    loop.add_fd(fd, EPOLLIN, [this, app, fd](std::uint32_t) {
        char buf[4096];
        for (;;) {
            const ssize_t n = read(fd, buf, sizeof buf);
            if (n > 0) {
                app->result.stdout_text.append(buf, static_cast<std::size_t>(n));
                continue;
            }
            if (n == 0) loop.remove_fd(fd);
            break;
        }
    });
    apps_[pid] = app;
    return pid;
}

std::string DisplayFixture::wait_output(ProcessId pid, const std::function<bool(const std::string&)>& done,
                                        Millis timeout, const std::string& what) {
    auto app = apps_.at(pid);
    const std::int64_t deadline = monotonic_ms() + timeout.count();
    while (!done(app->result.stdout_text)) {
        const std::int64_t left = deadline - monotonic_ms();
        if (left <= 0) {
            throw Error("timed out after " + format_duration(timeout) + " waiting for " + what + "; output so far: '" +
                        app->result.stdout_text + "'");
        }
        if (app->result.wait_status && !app->out) break;
        loop.run_once(Millis(left));
        if (app->result.wait_status) {
            // Exited: take what is left in the pipe, then decide.
            loop.run_once(Millis(0));
            if (!done(app->result.stdout_text)) {
                throw Error(what + ": the app " + describe_wait_status(*app->result.wait_status) + "; output: '" +
                            app->result.stdout_text + "'");
            }
        }
    }
    return app->result.stdout_text;
}

std::string DisplayFixture::wait_line(ProcessId pid, const std::string& line, Millis timeout) {
    return wait_output(
        pid, [&](const std::string& text) { return ("\n" + text).find("\n" + line + "\n") != std::string::npos; },
        timeout, "line '" + line + "'");
}

std::optional<int> DisplayFixture::wait_exit(ProcessId pid, Millis timeout) {
    auto app = apps_.at(pid);
    const std::int64_t deadline = monotonic_ms() + timeout.count();
    while (!app->result.wait_status) {
        const std::int64_t left = deadline - monotonic_ms();
        if (left <= 0) return std::nullopt;
        loop.run_once(Millis(left));
    }
    // Drain the pipe: the output may still be in flight after the exit.
    while (loop.run_once(Millis(0))) {
    }
    return app->result.wait_status;
}

std::string DisplayFixture::output(ProcessId pid) const {
    return apps_.at(pid)->result.stdout_text;
}

std::string DisplayFixture::run_capture(const std::vector<std::string>& argv, Millis timeout) {
    const ProcessId pid = start_app(argv, argv[0]);
    auto status = wait_exit(pid, timeout);
    if (!status) {
        spawner.signal(pid, SIGKILL);
        throw Error(argv[0] + " did not finish within " + format_duration(timeout));
    }
    if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
        throw Error(argv[0] + " " + describe_wait_status(*status));
    }
    return output(pid);
}

}  // namespace deskbox::testing
