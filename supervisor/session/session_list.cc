#include "supervisor/session/session_list.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "supervisor/base/error.h"
#include "supervisor/session/paths.h"

namespace deskbox {
namespace {

constexpr const char* kSystemParent = "/run/deskbox";

bool valid_name(const std::string& name) {
    try {
        validate_session_name(name);
        return true;
    } catch (const Error&) {
        return false;
    }
}

// Reads DIR/status.json into `s`, or says why it could not.
void read_status(ListedSession& s) {
    const auto file = s.dir / "status.json";
    std::ifstream in(file);
    if (!in) {
        const int err = errno;
        s.access_denied = err == EACCES;
        s.problem = "status.json: " + errno_text(err);
        return;
    }
    s.status = nlohmann::json::parse(in, nullptr, false);
    if (s.status.is_discarded() || !s.status.is_object()) {
        s.status = nlohmann::json();
        s.problem = "status.json: not valid JSON";
        return;
    }
    s.readable = true;
}

void scan(const std::filesystem::path& parent, std::vector<ListedSession>& out) {
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(parent, ec); !ec && it != std::filesystem::directory_iterator();
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        std::error_code type_ec;
        // The id-range slot locks share /run/deskbox with the sessions (paths.h).
        if (!valid_name(name) || name == "idmap" || !it->is_directory(type_ec)) continue;
        ListedSession s;
        s.name = name;
        s.dir = it->path();
        // A root supervisor's session (its dir is root's), or an ordinary user's.
        struct stat st {};
        s.scope = stat(s.dir.c_str(), &st) == 0 && st.st_uid != 0 ? "user" : "system";
        read_status(s);
        s.lock_held = lock_is_held(parent / (name + ".lock"));
        if (s.readable && s.status.value("supervisor_pid", nlohmann::json(0)).is_number_integer())
            s.supervisor_alive = pid_exists(s.status["supervisor_pid"].get<pid_t>());
        out.push_back(std::move(s));
    }
}

}  // namespace

std::vector<std::filesystem::path> session_parents() {
    if (const char* over = std::getenv("DESKBOX_RUNTIME_DIR"); over && *over) return {over};
    if (geteuid() == 0) return {kSystemParent};
    std::vector<std::filesystem::path> parents;
    if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg)
        parents.push_back(std::filesystem::path(xdg) / "deskbox");
    parents.push_back(kSystemParent);
    return parents;
}

std::vector<ListedSession> list_sessions() {
    std::vector<ListedSession> all;
    for (const auto& parent : session_parents()) scan(parent, all);
    std::stable_sort(all.begin(), all.end(), [](const ListedSession& a, const ListedSession& b) {
        return a.scope != b.scope ? a.scope < b.scope : a.name < b.name;
    });
    return all;
}

bool lock_is_held(const std::filesystem::path& file) {
    struct stat st {};
    if (stat(file.c_str(), &st) != 0) return false;
    // Lines: "1: FLOCK  ADVISORY  WRITE 1234 08:01:56789 0 EOF" (a "->" after the id marks a waiter).
    std::ifstream locks("/proc/locks");
    std::string line;
    while (std::getline(locks, line)) {
        std::istringstream fields(line);
        std::string id, kind, mode, access, pid, where;
        fields >> id >> kind;
        if (kind == "->") continue;  // a blocked waiter holds nothing
        fields >> mode >> access >> pid >> where;
        unsigned maj = 0, min = 0;
        unsigned long long ino = 0;
        if (std::sscanf(where.c_str(), "%x:%x:%llu", &maj, &min, &ino) != 3) continue;
        if (ino == st.st_ino && maj == major(st.st_dev) && min == minor(st.st_dev)) return true;
    }
    return false;
}

bool pid_exists(pid_t pid) {
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

}  // namespace deskbox
