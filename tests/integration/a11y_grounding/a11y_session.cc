#include "tests/integration/a11y_grounding/a11y_session.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cstdlib>

#include "supervisor/base/error.h"

namespace deskbox::testing {

namespace {

std::string path_env() {
    return getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin";
}

}  // namespace

bool a11y_prerequisite(const std::string& program) {
    try {
        find_program(program, path_env());
        return true;
    } catch (const Error&) {
        const char* must = getenv("DESKBOX_MUST_WORK");
        if (must && std::string(must) == "1") BOOST_FAIL(program + " is not installed (DESKBOX_MUST_WORK=1)");
        BOOST_TEST_MESSAGE("skipped: " + program + " is not installed");
        return false;
    }
}

A11ySession::A11ySession(int width, int height) {
    char tmpl[] = "/tmp/deskbox-a11y-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw_errno("creating a test directory");
    dir = tmpl;
    XvfbOptions options;
    options.width = width;
    options.height = height;
    options.auth_file_host = (dir / "Xauthority").string();
    options.extra_env = {"PATH=" + path_env()};
    server = start_xvfb(spawner, loop, options);
    const std::vector<std::string> base = {"PATH=" + path_env(),
                                           "HOME=" + dir.string(),
                                           "XDG_RUNTIME_DIR=" + dir.string(),
                                           "DISPLAY=:" + std::to_string(server.display_number),
                                           "XAUTHORITY=" + (dir / "Xauthority").string(),
                                           "LANG=C.UTF-8"};
    auto exited = bus_exited_;
    bus = a11y::start_session_bus(spawner, base, Millis(10000),
                                  [exited](const std::string& name, int) { exited->insert(name); });
}

A11ySession::~A11ySession() {
    client_.reset();
    // The bus launcher owns the accessibility bus daemon, a grandchild that the
    // spawner's final SIGKILL would miss: let the launcher take it down first.
    try {
        const std::int64_t deadline = monotonic_ms() + 5000;
        spawner.signal(bus.bus_launcher, SIGTERM);
        while (!bus_exited_->count("at-spi-bus-launcher") && monotonic_ms() < deadline)
            loop.run_once(Millis(deadline - monotonic_ms()));
    } catch (const Error&) {
        // Already gone.
    }
    for (auto& [pid, app] : apps_)
        if (app->out) loop.remove_fd(app->out.get());
    apps_.clear();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
}

std::vector<std::string> A11ySession::env() const {
    std::vector<std::string> env = {"PATH=" + path_env(),
                                    "HOME=" + dir.string(),
                                    "XDG_RUNTIME_DIR=" + dir.string(),
                                    "DISPLAY=:" + std::to_string(server.display_number),
                                    "XAUTHORITY=" + (dir / "Xauthority").string(),
                                    "LANG=C.UTF-8",
                                    "GDK_BACKEND=x11"};
    env.insert(env.end(), bus.app_env.begin(), bus.app_env.end());
    return env;
}

a11y::HelperOptions A11ySession::helper_options() const {
    a11y::HelperOptions o;
    const char* build = getenv("DESKBOX_BUILD_ROOT");
    o.helper_path = std::string(build ? build : ".") + "/xsession/a11y/helper/deskbox-a11y";
    o.env = env();
    o.reply_timeout = Millis(15000);
    return o;
}

a11y::A11yClient& A11ySession::client() {
    if (!client_) client_ = std::make_unique<a11y::A11yClient>(spawner, helper_options());
    return *client_;
}

ProcessId A11ySession::start_app(const std::vector<std::string>& argv, const std::string& name) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw_errno("creating a pipe for " + name);
    auto app = std::make_shared<App>();
    app->out.reset(fds[0]);
    UniqueFd write_end(fds[1]);
    SpawnRequest request;
    request.name = name;
    request.argv = argv;
    request.env = env();
    request.fds = {{write_end.get(), 1}};
    const ProcessId pid = spawner.spawn(request, [app](int status) { app->status = status; });
    const int fd = app->out.get();
    loop.add_fd(fd, EPOLLIN, [this, app, fd](std::uint32_t) {
        char buf[4096];
        for (;;) {
            const ssize_t n = read(fd, buf, sizeof buf);
            if (n > 0) {
                app->text.append(buf, static_cast<std::size_t>(n));
                continue;
            }
            if (n == 0) {
                loop.remove_fd(fd);
                app->out.reset();
            }
            break;
        }
    });
    apps_[pid] = app;
    return pid;
}

std::optional<int> A11ySession::wait_exit(ProcessId pid, Millis timeout) {
    auto app = apps_.at(pid);
    const std::int64_t deadline = monotonic_ms() + timeout.count();
    while (!app->status) {
        const std::int64_t left = deadline - monotonic_ms();
        if (left <= 0) return std::nullopt;
        loop.run_once(Millis(left));
    }
    while (app->out && loop.run_once(Millis(0))) {
    }
    return app->status;
}

std::string A11ySession::output(ProcessId pid) {
    while (loop.run_once(Millis(0))) {
    }
    return apps_.at(pid)->text;
}

void A11ySession::run(const std::vector<std::string>& argv, Millis timeout) {
    const ProcessId pid = start_app(argv, argv[0]);
    auto status = wait_exit(pid, timeout);
    if (!status) throw Error(argv[0] + " did not finish within " + format_duration(timeout));
    if (*status != 0) throw Error(argv[0] + " " + describe_wait_status(*status));
}

void A11ySession::click_at(Point p) {
    run({"xdotool", "mousemove", "--sync", std::to_string(p.x), std::to_string(p.y), "click", "1"});
}

}  // namespace deskbox::testing
