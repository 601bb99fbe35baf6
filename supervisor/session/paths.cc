#include "supervisor/session/paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "supervisor/base/error.h"

namespace deskbox {
namespace {

constexpr const char* kSystemRuntimeParent = "/run/deskbox";

std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

}  // namespace

void validate_session_name(const std::string& name) {
    if (name.empty() || name.size() > 48) throw Error("session name '" + name + "': must be 1 to 48 characters long");
    if (name[0] == '.' || name[0] == '-') throw Error("session name '" + name + "': must not start with '.' or '-'");
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '-' || c == '.';
        if (!ok) throw Error("session name '" + name + "': only letters, digits, '_', '-' and '.' are allowed");
    }
}

std::filesystem::path runtime_parent() {
    if (const std::string over = env_or_empty("DESKBOX_RUNTIME_DIR"); !over.empty()) return over;
    if (geteuid() == 0) return kSystemRuntimeParent;
    const std::string xdg = env_or_empty("XDG_RUNTIME_DIR");
    if (xdg.empty()) throw Error("finding the session dir: XDG_RUNTIME_DIR is not set (and not running as root)");
    return std::filesystem::path(xdg) / "deskbox";
}

std::filesystem::path session_dir(const std::string& name) {
    return runtime_parent() / name;
}

std::filesystem::path find_session_dir(const std::string& name) {
    const std::filesystem::path system_dir = std::filesystem::path(kSystemRuntimeParent) / name;
    if (!env_or_empty("DESKBOX_RUNTIME_DIR").empty() || geteuid() == 0) return session_dir(name);
    const std::string xdg = env_or_empty("XDG_RUNTIME_DIR");
    if (xdg.empty()) return system_dir;  // e.g. under sudo -u / runuser: no user runtime dir, no user sessions
    const std::filesystem::path own = std::filesystem::path(xdg) / "deskbox" / name;
    struct stat st {};
    if (lstat(own.c_str(), &st) == 0) return own;
    if (lstat(system_dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return system_dir;
    return own;
}
std::filesystem::path session_lock_path(const std::string& name) {
    return runtime_parent() / (name + ".lock");
}
std::filesystem::path status_path(const std::string& name) {
    return session_dir(name) / "status.json";
}
std::filesystem::path staging_dir(const std::string& name) {
    return session_dir(name) / "sandbox";
}
// Id ranges are host-wide: a root supervisor keeps their locks in /run/deskbox
// even when DESKBOX_RUNTIME_DIR moves its session dirs (tests beside real sessions).
std::filesystem::path idmap_lock_dir() {
    return geteuid() == 0 ? std::filesystem::path("/run/deskbox/idmap") : runtime_parent() / "idmap";
}

std::filesystem::path logs_dir(const std::string& name) {
    if (const std::string over = env_or_empty("DESKBOX_STATE_DIR"); !over.empty())
        return std::filesystem::path(over) / name;
    if (geteuid() == 0) return std::filesystem::path("/var/lib/deskbox") / name;
    if (const std::string xdg = env_or_empty("XDG_STATE_HOME"); !xdg.empty())
        return std::filesystem::path(xdg) / "deskbox" / name;
    const std::string home = env_or_empty("HOME");
    if (home.empty()) throw Error("finding the logs dir: neither XDG_STATE_HOME nor HOME is set");
    return std::filesystem::path(home) / ".local/state/deskbox" / name;
}

}  // namespace deskbox
