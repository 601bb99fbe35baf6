#include "supervisor/sandbox/cgroup_delegation.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <sstream>

#include "supervisor/base/error.h"
#include "supervisor/sandbox/cgroups.h"

namespace deskbox::sandbox {

bool writable_by_caller(const std::filesystem::path& path) {
    return faccessat(AT_FDCWD, path.c_str(), W_OK, AT_EACCESS) == 0;
}

std::string v2_delegation_problem(const std::filesystem::path& parent, bool root, const WritableCheck& writable) {
    if (root) return {};
    std::string missing;
    // The folder (mkdir of the session cgroup), cgroup.procs (moving
    // processes between our cgroups) and cgroup.subtree_control (enabling
    // the controllers): exactly what systemd chowns when it delegates.
    for (const auto& p : {parent, parent / "cgroup.procs", parent / "cgroup.subtree_control"})
        if (!writable(p)) missing += (missing.empty() ? "" : ", ") + p.string();
    if (missing.empty()) return {};
    return "its cgroup " + parent.string() + " is not delegated to it (not writable: " + missing + ")";
}

std::string v1_delegation_problem(const std::map<std::string, std::filesystem::path>& parents, bool root,
                                  const WritableCheck& writable) {
    if (root) return {};
    std::string missing;
    for (const auto& [controller, dir] : parents)
        if (!writable(dir) || !writable(dir / "cgroup.procs"))
            missing += (missing.empty() ? "" : ", ") + controller + " (" + dir.string() + ")";
    if (missing.empty()) return {};
    return "its cgroup v1 folders are not delegated to it (not writable: " + missing + ")";
}

std::string no_delegation_error(uid_t uid, const std::string& version, const std::string& problem) {
    std::string text = "setting up session cgroups: deskbox runs as uid " + std::to_string(uid) + " and " + problem +
                       ", so it cannot set the session's memory, pids and cpu limits "
                       "(deskbox never runs a session without them). ";
    if (version == "v2")
        text += std::string("Run it in a delegated cgroup: ") + kDelegateHint;
    else
        text += std::string(
                    "On cgroup v1, root must create a cgroup for you in each of the memory, pids and cpu "
                    "hierarchies, chown it (folder and cgroup.procs) to you and move your shell into it; "
                    "on cgroup v2: ") +
                kDelegateHint;
    return text;
}

std::vector<std::string> controller_list(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string c; in >> c;) out.push_back(c);
    return out;
}

std::vector<std::string> missing_controllers(const std::string& enabled, const std::vector<std::string>& wanted) {
    const auto have = controller_list(enabled);
    std::vector<std::string> missing;
    for (const auto& c : wanted)
        if (std::find(have.begin(), have.end(), c) == have.end()) missing.push_back(c);
    return missing;
}

void prepare_v2_parent(const std::filesystem::path& parent, bool hierarchy_root,
                       const std::vector<std::string>& controllers) {
    const auto missing = missing_controllers(read_cgroup_file(parent / "cgroup.subtree_control"), controllers);
    if (missing.empty()) return;
    if (!hierarchy_root) {
        // Leave the parent first: the kernel refuses controllers in the
        // subtree_control of a cgroup that holds processes.
        const auto leaf = parent / kSupervisorLeaf;
        if (mkdir(leaf.c_str(), 0755) != 0 && errno != EEXIST)
            throw_errno("creating the supervisor's cgroup " + leaf.string());
        try {
            write_cgroup_file(leaf / "cgroup.procs", std::to_string(getpid()));
        } catch (const Error& e) {
            throw Error(std::string("moving the supervisor into its own leaf cgroup: ") + e.what());
        }
    }
    std::string enable;
    for (const auto& c : missing) enable += (enable.empty() ? "+" : " +") + c;
    const auto control = parent / "cgroup.subtree_control";
    try {
        write_cgroup_file(control, enable);
    } catch (const Error& e) {
        std::string text = std::string("enabling cgroup v2 controllers for session cgroups: ") + e.what();
        std::string others = read_cgroup_file(parent / "cgroup.procs");
        std::replace(others.begin(), others.end(), '\n', ' ');
        while (!others.empty() && others.back() == ' ') others.pop_back();
        if (!others.empty())
            text += " (processes " + others + " share deskbox's cgroup " + parent.string() +
                    "; start deskbox as the only process of a delegated cgroup: " + kDelegateHint + ")";
        throw Error(text);
    }
}

}  // namespace deskbox::sandbox
