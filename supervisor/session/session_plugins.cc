// The parts of Session that other areas plug into (see session_services.h):
// extra app environment, status fields, and reading files of the sandbox.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "supervisor/base/error.h"
#include "supervisor/sandbox/mounts.h"
#include "supervisor/session/session.h"

namespace deskbox {

void Session::add_app_env(const std::vector<std::string>& env) {
    extra_app_env_.insert(extra_app_env_.end(), env.begin(), env.end());
}

std::string Session::staging_child(const std::string& file) const {
    return std::string(sandbox::kStagingInside) + "/" + file;
}

nlohmann::json Session::status_json() const { return status_to_json(status_); }

void Session::set_vnc_description(const std::string& text) {
    status_.vnc = text;
    write_status();
}

void Session::set_sockets(const std::string& agent_socket, const std::string& review_socket) {
    status_.agent_socket = agent_socket;
    status_.review_socket = review_socket;
    write_status();
}

std::string Session::read_sandbox_file(const std::string& path, std::size_t max_bytes) const {
    std::string inside = path;
    if (inside.rfind("~/", 0) == 0) inside = std::string(sandbox::kAppHome) + inside.substr(1);
    if (inside.empty() || inside[0] != '/') throw Error("sandbox path '" + path + "' is not absolute");
    if (!sandbox_) throw Error("reading " + path + ": the sandbox is not running");
    const std::string root = "/proc/" + std::to_string(sandbox_->init_pid()) + "/root";
    UniqueFd root_fd(open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root_fd) throw_errno("opening the sandbox root " + root);
    // RESOLVE_IN_ROOT: ".." and absolute symlinks stay inside the sandbox's
    // root, so an app cannot point the supervisor at a host file.
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    UniqueFd fd(static_cast<int>(syscall(SYS_openat2, root_fd.get(), inside.c_str() + 1, &how, sizeof how)));
    if (!fd) throw_errno("reading " + path + " in the sandbox");
    std::string content;
    char buf[65536];
    for (;;) {
        const ssize_t n = read(fd.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("reading " + path + " in the sandbox");
        }
        if (n == 0) break;
        content.append(buf, static_cast<std::size_t>(n));
        if (content.size() > max_bytes) throw Error("reading " + path + " in the sandbox: larger than " + std::to_string(max_bytes) + " bytes");
    }
    return content;
}

}  // namespace deskbox
