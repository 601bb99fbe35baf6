#include "xsession/display/xvfb.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "supervisor/base/error.h"
#include "supervisor/base/random.h"
#include "supervisor/base/unique_fd.h"

namespace deskbox {
namespace {

void append_counted(std::string& out, const std::string& field) {
    out.push_back(static_cast<char>((field.size() >> 8) & 0xff));
    out.push_back(static_cast<char>(field.size() & 0xff));
    out += field;
}

std::string random_cookie() {
    std::string cookie(16, '\0');
    fill_random(cookie.data(), cookie.size(), "generating the X authorization cookie");
    return cookie;
}

// Shared between start_xvfb and the spawner's exit callback, which may outlive it.
struct XvfbStartState {
    bool exited = false;
    int wait_status = 0;
    bool reported = false;
    std::function<void(int)> on_exit;
};

}  // namespace

std::string xauthority_entry(const std::string& cookie) {
    std::string entry;
    entry.push_back('\xff');  // FamilyWild (0xffff), big-endian
    entry.push_back('\xff');
    append_counted(entry, "");  // address: any
    append_counted(entry, "");  // display number: any
    append_counted(entry, "MIT-MAGIC-COOKIE-1");
    append_counted(entry, cookie);
    return entry;
}

void write_xauthority(const std::string& path, const std::string& cookie) {
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) throw_errno("writing the X authority file " + path);
    const std::string entry = xauthority_entry(cookie);
    if (write(fd.get(), entry.data(), entry.size()) != static_cast<ssize_t>(entry.size())) {
        throw_errno("writing the X authority file " + path);
    }
}

std::string describe_wait_status(int wait_status) {
    if (WIFEXITED(wait_status)) return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
    if (WIFSIGNALED(wait_status)) {
        const int sig = WTERMSIG(wait_status);
        const char* name = strsignal(sig);
        return "killed by signal " + std::to_string(sig) + " (" + (name ? name : "?") + ")";
    }
    return "ended with wait status " + std::to_string(wait_status);
}

XvfbServer start_xvfb(Spawner& spawner, EventLoop& loop, const XvfbOptions& options) {
    if (options.auth_file_host.empty()) throw Error("starting Xvfb: no X authority file given");
    if (options.width < 16 || options.height < 16 || options.width > 8192 || options.height > 8192) {
        throw Error("starting Xvfb: display size " + std::to_string(options.width) + "x" +
                    std::to_string(options.height) + " is out of range");
    }
    XvfbServer server;
    server.cookie = random_cookie();
    write_xauthority(options.auth_file_host, server.cookie);
    const std::string auth_child = options.auth_file_child.empty() ? options.auth_file_host : options.auth_file_child;

    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw_errno("starting Xvfb: creating the -displayfd pipe");
    UniqueFd read_end(fds[0]), write_end(fds[1]);

    SpawnRequest request;
    request.name = "Xvfb";
    request.argv = {
        "Xvfb",
        "-displayfd",
        "3",
        "-nolisten",
        "tcp",
        "-auth",
        auth_child,
        "-noreset",
        "-screen",
        "0",
        std::to_string(options.width) + "x" + std::to_string(options.height) + "x" + std::to_string(options.depth),
        "-dpi",
        std::to_string(options.dpi)};
    if (!options.glx) {
        request.argv.push_back("-extension");
        request.argv.push_back("GLX");
    }
    request.env = options.extra_env;
    request.fds = {{write_end.get(), 3}};

    auto state = std::make_shared<XvfbStartState>();
    state->on_exit = options.on_exit;
    server.pid = spawner.spawn(request, [state](int status) {
        state->exited = true;
        state->wait_status = status;
        if (state->reported && state->on_exit) state->on_exit(status);
    });
    write_end.reset();  // only Xvfb holds the write end now: EOF means it closed or died

    std::string text;
    bool eof = false;
    const int rfd = read_end.get();
    // The callback refers to this frame's locals and to read_end's number:
    // it leaves the loop on every way out of here, a throw included.
    struct Unwatch {
        EventLoop& loop;
        int fd;
        ~Unwatch() { loop.remove_fd(fd); }
    } unwatch{loop, rfd};
    loop.add_fd(rfd, EPOLLIN, [&](std::uint32_t) {
        char buf[64];
        for (;;) {
            const ssize_t n = read(rfd, buf, sizeof buf);
            if (n > 0) {
                text.append(buf, static_cast<std::size_t>(n));
                if (text.size() > 32) eof = true;  // nonsense, stop reading
                continue;
            }
            if (n == 0) eof = true;
            break;
        }
    });
    const std::int64_t deadline = monotonic_ms() + options.timeout.count();
    auto done = [&] { return text.find('\n') != std::string::npos || state->exited; };
    while (!done()) {
        const std::int64_t left = deadline - monotonic_ms();
        if (left <= 0) break;
        if (eof) {
            // Xvfb closed the pipe without a number: only its exit is left to wait for.
            loop.remove_fd(rfd);
        }
        loop.run_once(Millis(left));
    }
    loop.remove_fd(rfd);

    if (text.find('\n') != std::string::npos) {
        try {
            std::size_t used = 0;
            server.display_number = std::stoi(text, &used);
            if (server.display_number < 0 || used == 0) throw std::invalid_argument(text);
        } catch (const std::exception&) {
            spawner.signal(server.pid, SIGKILL);
            throw Error("starting Xvfb: it reported a bad display number '" + text + "'");
        }
        if (!state->exited) {
            state->reported = true;
            return server;
        }
    }
    if (state->exited) {
        throw Error("starting Xvfb: it " + describe_wait_status(state->wait_status) +
                    " before reporting a display number");
    }
    spawner.signal(server.pid, SIGKILL);
    throw Error("starting Xvfb: no display number within " + format_duration(options.timeout));
}

}  // namespace deskbox
