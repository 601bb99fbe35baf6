#include "xsession/vnc/vnc_server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "supervisor/base/error.h"
#include "supervisor/base/unique_fd.h"
#include "xsession/display/xvfb.h"
#include "xsession/vnc/vnc_password.h"

namespace deskbox {
namespace {

struct VncStartState {
    bool exited = false;
    int wait_status = 0;
    bool ready = false;
    std::function<void(int)> on_exit;
    std::string text;  // its output until ready
    UniqueFd output;   // x11vnc's stdout; kept open and drained so it never blocks on a full pipe
};

}  // namespace

VncServer::VncServer(Spawner& spawner, ProcessId pid, std::unique_ptr<VncForwarder> forwarder, VncEndpoint endpoint)
    : spawner_(spawner), pid_(pid), forwarder_(std::move(forwarder)), endpoint_(std::move(endpoint)) {}

VncServer::~VncServer() {
    forwarder_.reset();
    try {
        spawner_.signal(pid_, SIGTERM);
    } catch (const Error&) {
        // Already gone.
    }
}

std::unique_ptr<VncServer> start_vnc(Spawner& spawner, EventLoop& loop, const VncOptions& options) {
    if (options.display_number < 0) throw Error("starting x11vnc: no display");
    if (options.password_file_host.empty()) throw Error("starting x11vnc: no password file location");
    if (options.socket_path.empty() && !options.host_port) {
        throw Error("starting x11vnc: neither a socket nor a host port to reach it");
    }
    const std::string password = options.password.empty() ? random_vnc_password() : options.password;
    write_vnc_password_file(options.password_file_host, password, options.password_file_owner);
    const std::string reviewer_file =
        options.reviewer_password_file.empty() ? options.password_file_host : options.reviewer_password_file;
    if (reviewer_file != options.password_file_host) write_vnc_password_file(reviewer_file, password);
    const std::string password_child =
        options.password_file_child.empty() ? options.password_file_host : options.password_file_child;

    int fds[2];
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw_errno("starting x11vnc: creating its output pipe");
    auto state = std::make_shared<VncStartState>();
    state->output.reset(fds[0]);
    UniqueFd write_end(fds[1]);
    state->on_exit = options.on_exit;

    SpawnRequest request;
    request.name = "x11vnc";
    request.argv = {"x11vnc",
                    "-display",
                    ":" + std::to_string(options.display_number),
                    "-auth",
                    options.auth_file_child,
                    "-rfbport",
                    std::to_string(options.rfb_port),
                    "-localhost",
                    "-noipv6",
                    "-rfbauth",
                    password_child,
                    "-forever",
                    "-nopw",
                    "-norc",
                    "-quiet",
                    "-noxdamage"};
    if (options.single_viewer) {
        // Without -shared x11vnc would disconnect the viewer for a newcomer; this refuses the newcomer.
        request.argv.insert(request.argv.end(), {"-nevershared", "-dontdisconnect"});
    } else {
        request.argv.push_back("-shared");
    }
    if (options.view_only) request.argv.push_back("-viewonly");
    request.env = options.extra_env;
    request.fds = {{write_end.get(), 1}};
    const int output_fd = state->output.get();
    EventLoop* loop_ptr = &loop;
    const ProcessId pid = spawner.spawn(request, [state, loop_ptr](int status) {
        state->exited = true;
        state->wait_status = status;
        if (state->output) {
            loop_ptr->remove_fd(state->output.get());
            state->output.reset();
        }
        if (state->ready && state->on_exit) state->on_exit(status);
    });
    write_end.reset();

    const std::string& text = state->text;
    loop.add_fd(output_fd, EPOLLIN, [state, loop_ptr, output_fd](std::uint32_t) {
        char buf[512];
        for (;;) {
            const ssize_t n = read(output_fd, buf, sizeof buf);
            if (n > 0) {
                if (!state->ready && state->text.size() < 8192) state->text.append(buf, static_cast<std::size_t>(n));
                continue;
            }
            if (n == 0) {
                loop_ptr->remove_fd(output_fd);  // closed: nothing more will come
            }
            break;
        }
    });
    const std::string needle = "PORT=" + std::to_string(options.rfb_port);
    const std::int64_t deadline = monotonic_ms() + options.timeout.count();
    while (text.find(needle) == std::string::npos && !state->exited) {
        const std::int64_t left = deadline - monotonic_ms();
        if (left <= 0) break;
        loop.run_once(Millis(left));
    }
    if (state->exited) {
        throw Error("starting x11vnc: it " + describe_wait_status(state->wait_status) + " before listening");
    }
    if (text.find(needle) == std::string::npos) {
        spawner.signal(pid, SIGKILL);
        throw Error("starting x11vnc: it did not listen on port " + std::to_string(options.rfb_port) + " within " +
                    format_duration(options.timeout));
    }
    state->ready = true;

    VncForwarderOptions forward;
    forward.socket_path = options.socket_path;
    forward.tcp = options.host_port;
    forward.tcp_port = options.host_port_number;
    forward.netns_fd = options.netns_fd;
    forward.target_port = options.rfb_port;
    forward.socket_owner = options.socket_owner;
    std::unique_ptr<VncForwarder> forwarder;
    try {
        forwarder = std::make_unique<VncForwarder>(loop, forward);
    } catch (...) {
        spawner.signal(pid, SIGKILL);
        throw;
    }
    VncEndpoint endpoint;
    endpoint.socket_path = options.socket_path;
    endpoint.port = forwarder->tcp_port();
    endpoint.password_file = reviewer_file;
    return std::make_unique<VncServer>(spawner, pid, std::move(forwarder), endpoint);
}

std::string describe_vnc_endpoint(const VncEndpoint& endpoint) {
    std::string text;
    if (endpoint.port > 0) {
        text += "vncviewer -passwd " + endpoint.password_file + " 127.0.0.1::" + std::to_string(endpoint.port);
    }
    if (!endpoint.socket_path.empty()) {
        if (!text.empty()) text += "; or ";
        text += "xtigervncviewer -passwd " + endpoint.password_file + " " + endpoint.socket_path;
    }
    return text;
}

}  // namespace deskbox
