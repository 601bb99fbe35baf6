// Delegation checks (with a fake "writable" answer) and, for real on this
// machine's cgroup v2 hierarchy, the supervisor's move into its own leaf
// before it enables controllers ("no internal processes"), including the
// EBUSY case of a process that still shares the parent.
#include "supervisor/sandbox/cgroup_delegation.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "supervisor/base/error.h"
#include "supervisor/sandbox/cgroups.h"

using namespace deskbox::sandbox;
namespace fs = std::filesystem;

namespace {

WritableCheck only(std::set<fs::path> writable) {
    return [writable](const fs::path& p) { return writable.count(p) > 0; };
}

bool must_work() {
    const char* v = std::getenv("DESKBOX_MUST_WORK");
    return v && std::string(v) == "1";
}

// The cgroup2 mount and the first controller its root offers ("" when none).
std::pair<fs::path, std::string> v2_hierarchy() {
    std::ifstream in("/proc/self/mountinfo");
    for (std::string line; std::getline(in, line);) {
        const auto dash = line.find(" - ");
        if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0) continue;
        std::istringstream left(line.substr(0, dash));
        std::string id, parent, devno, root, mount_point;
        left >> id >> parent >> devno >> root >> mount_point;
        const auto controllers = controller_list(read_cgroup_file(fs::path(mount_point) / "cgroup.controllers"));
        return {mount_point, controllers.empty() ? "" : controllers.front()};
    }
    return {};
}

std::string v2_cgroup_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("0::", 0) == 0) return line.substr(3);
    return "";
}

// A test cgroup under the v2 root that is offered `controller` (the root
// enables it for its children if it did not; undone afterwards), emptied
// into the root and removed at the end.
struct TestCgroup {
    fs::path mount, dir;
    std::string enabled_here;
    TestCgroup(const fs::path& m, const std::string& controller)
        : mount(m), dir(m / ("deskbox-unit-" + std::to_string(getpid()))) {
        if (!missing_controllers(read_cgroup_file(mount / "cgroup.subtree_control"), {controller}).empty()) {
            write_cgroup_file(mount / "cgroup.subtree_control", "+" + controller);
            enabled_here = controller;
        }
        fs::create_directory(dir);
    }
    ~TestCgroup() {
        for (const auto& d : {dir / kSupervisorLeaf, dir}) {
            std::istringstream procs(read_cgroup_file(d / "cgroup.procs"));
            for (pid_t p; procs >> p;) {
                try {
                    write_cgroup_file(mount / "cgroup.procs", std::to_string(p));
                } catch (const deskbox::Error&) {
                }
            }
        }
        std::ofstream(dir / "cgroup.subtree_control") << "";
        rmdir((dir / kSupervisorLeaf).c_str());
        rmdir(dir.c_str());
        if (!enabled_here.empty()) std::ofstream(mount / "cgroup.subtree_control") << "-" << enabled_here;
    }
};

// Forks a child that joins `cg`, runs prepare_v2_parent, and writes what
// happened ("OK <its cgroup>" or "ERR <message>") to the returned text.
std::string prepare_in_child(const fs::path& cg, const std::string& controller) {
    int pipefd[2];
    BOOST_REQUIRE(pipe(pipefd) == 0);
    const pid_t pid = fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        close(pipefd[0]);
        std::string out;
        try {
            write_cgroup_file(cg / "cgroup.procs", std::to_string(getpid()));
            prepare_v2_parent(cg, false, {controller});
            out = "OK " + v2_cgroup_of(getpid());
        } catch (const std::exception& e) {
            out = std::string("ERR ") + e.what();
        }
        [[maybe_unused]] auto n = write(pipefd[1], out.data(), out.size());
        _exit(0);
    }
    close(pipefd[1]);
    std::string text;
    char buf[1024];
    for (ssize_t n; (n = read(pipefd[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
    close(pipefd[0]);
    waitpid(pid, nullptr, 0);
    return text;
}

bool real_v2_available(std::pair<fs::path, std::string>& h) {
    h = v2_hierarchy();
    if (geteuid() == 0 && !h.first.empty() && !h.second.empty()) return true;
    const std::string why = geteuid() != 0 ? "needs root" : "no cgroup v2 hierarchy with a controller at its root";
    if (must_work()) BOOST_FAIL("real cgroup v2 test: " + why + " (DESKBOX_MUST_WORK=1)");
    BOOST_TEST_MESSAGE("skipped: " + why);
    return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(root_needs_no_delegation) {
    BOOST_TEST(v2_delegation_problem("/sys/fs/cgroup/user.slice", true, only({})).empty());
    BOOST_TEST(v1_delegation_problem({{"pids", "/sys/fs/cgroup/pids"}}, true, only({})).empty());
}

BOOST_AUTO_TEST_CASE(v2_delegated_scope_is_accepted) {
    const fs::path scope = "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope";
    const auto ok = only({scope, scope / "cgroup.procs", scope / "cgroup.subtree_control"});
    BOOST_TEST(v2_delegation_problem(scope, false, ok).empty());
}

BOOST_AUTO_TEST_CASE(v2_without_delegation_names_what_is_not_writable_and_the_fix) {
    const fs::path session = "/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope";
    // A plain session scope: systemd leaves it to root.
    const std::string problem = v2_delegation_problem(session, false, only({}));
    BOOST_TEST(problem.find("session-2.scope/cgroup.subtree_control") != std::string::npos, problem);
    const std::string error = no_delegation_error(1000, "v2", problem);
    BOOST_TEST(error.find("uid 1000") != std::string::npos, error);
    BOOST_TEST(error.find("systemd-run --user --scope -p Delegate=yes deskbox run") != std::string::npos, error);
    BOOST_TEST(error.find("never runs a session without them") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(v1_needs_every_controller_folder_and_names_the_missing_ones) {
    const std::map<std::string, fs::path> parents = {
        {"memory", "/sys/fs/cgroup/memory/u"}, {"pids", "/sys/fs/cgroup/pids/u"}, {"cpu", "/sys/fs/cgroup/cpu"}};
    auto writable = only({"/sys/fs/cgroup/memory/u", "/sys/fs/cgroup/memory/u/cgroup.procs", "/sys/fs/cgroup/pids/u",
                          "/sys/fs/cgroup/pids/u/cgroup.procs"});
    const std::string problem = v1_delegation_problem(parents, false, writable);
    BOOST_TEST(problem.find("cpu (/sys/fs/cgroup/cpu)") != std::string::npos, problem);
    BOOST_TEST(problem.find("memory") == std::string::npos, problem);
    BOOST_TEST(no_delegation_error(1000, "v1", problem).find("chown") != std::string::npos);
    // cgroup.procs alone is not enough: the session's folders are made with mkdir.
    writable =
        only({"/sys/fs/cgroup/cpu/cgroup.procs", "/sys/fs/cgroup/memory/u", "/sys/fs/cgroup/memory/u/cgroup.procs",
              "/sys/fs/cgroup/pids/u", "/sys/fs/cgroup/pids/u/cgroup.procs"});
    BOOST_TEST(!v1_delegation_problem(parents, false, writable).empty());
}

BOOST_AUTO_TEST_CASE(controller_lists) {
    BOOST_TEST(controller_list("cpuset cpu io memory pids\n").size() == 5u);
    const auto missing = missing_controllers("cpu memory\n", {"memory", "pids", "cpu"});
    BOOST_TEST(missing.size() == 1u);
    BOOST_TEST(missing.at(0) == "pids");
    BOOST_TEST(missing_controllers("", {"memory"}).size() == 1u);
}

BOOST_AUTO_TEST_CASE(real_v2_supervisor_moves_into_a_leaf_then_enables_controllers) {
    std::pair<fs::path, std::string> h;
    if (!real_v2_available(h)) return;
    TestCgroup cg(h.first, h.second);
    const std::string result = prepare_in_child(cg.dir, h.second);
    const std::string rel = "/" + cg.dir.filename().string() + "/" + kSupervisorLeaf;
    BOOST_TEST(result == "OK " + rel);
    BOOST_TEST(controller_list(read_cgroup_file(cg.dir / "cgroup.subtree_control")) ==
               std::vector<std::string>{h.second});
    // The session cgroup beside the leaf gets the controller.
    fs::create_directory(cg.dir / "deskbox-s");
    BOOST_TEST(controller_list(read_cgroup_file(cg.dir / "deskbox-s" / "cgroup.controllers")) ==
               std::vector<std::string>{h.second});
    rmdir((cg.dir / "deskbox-s").c_str());
}

BOOST_AUTO_TEST_CASE(real_v2_other_process_in_the_parent_gives_a_clear_error) {
    std::pair<fs::path, std::string> h;
    if (!real_v2_available(h)) return;
    TestCgroup cg(h.first, h.second);
    // Another process (a shell would be one) shares the parent.
    int hold[2];
    BOOST_REQUIRE(pipe(hold) == 0);
    const pid_t other = fork();
    BOOST_REQUIRE(other >= 0);
    if (other == 0) {
        close(hold[1]);
        char c;
        [[maybe_unused]] auto n = read(hold[0], &c, 1);  // until the test ends
        _exit(0);
    }
    close(hold[0]);
    write_cgroup_file(cg.dir / "cgroup.procs", std::to_string(other));
    const std::string result = prepare_in_child(cg.dir, h.second);
    BOOST_TEST(result.find("ERR enabling cgroup v2 controllers") == 0u, result);
    BOOST_TEST(result.find("Device or resource busy") != std::string::npos, result);
    BOOST_TEST(result.find("processes " + std::to_string(other)) != std::string::npos, result);
    BOOST_TEST(result.find("systemd-run") != std::string::npos, result);
    close(hold[1]);
    waitpid(other, nullptr, 0);
}
