// cgroup layout detection from /proc texts, and the v2 path's file writes
// against a temp folder (this machine has no v2 hierarchy with controllers;
// the v1 path runs for real in the security and integration suites).
#include "supervisor/sandbox/cgroups.h"

#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

using namespace deskbox::sandbox;

namespace {

const char* kHybridMountinfo =
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
const char* kHybridSelf = "8:pids:/\n4:memory:/process_api/abc\n1:cpu:/\n0::/\n";

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        char tmpl[] = "/tmp/deskbox-cgroup-test-XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

BOOST_AUTO_TEST_CASE(hybrid_machine_uses_v1_under_our_own_cgroups) {
    const CgroupLayout layout = cgroup_layout(kHybridMountinfo, kHybridSelf, "");
    BOOST_TEST(layout.version == "v1");
    BOOST_TEST(layout.v1_parents.at("memory") == "/sys/fs/cgroup/memory/process_api/abc");
    BOOST_TEST(layout.v1_parents.at("pids") == "/sys/fs/cgroup/pids");
    BOOST_TEST(layout.v1_parents.at("cpu") == "/sys/fs/cgroup/cpu");
}

// podman on cgroup v1 mounts only the container's cgroup, while /proc/self/cgroup
// (the host's cgroup namespace) names its full path.
BOOST_AUTO_TEST_CASE(a_container_mount_of_its_own_cgroup_is_the_parent) {
    const char* mountinfo =
        "700 690 0:29 /libpod_parent/libpod-1f /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
        "701 690 0:32 /libpod_parent/libpod-1f /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
        "702 690 0:36 /libpod_parent/libpod-1f /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n";
    const CgroupLayout layout = cgroup_layout(
        mountinfo,
        "8:pids:/libpod_parent/libpod-1f\n4:memory:/libpod_parent/libpod-1f/sub\n1:cpu:/libpod_parent/libpod-1f\n", "");
    BOOST_TEST(layout.version == "v1");
    BOOST_TEST(layout.v1_parents.at("cpu") == "/sys/fs/cgroup/cpu");
    BOOST_TEST(layout.v1_parents.at("memory") == "/sys/fs/cgroup/memory/sub");
    // A cgroup outside the mounted part cannot be reached: said, not guessed.
    const CgroupLayout outside = cgroup_layout(mountinfo, "8:pids:/other\n4:memory:/other\n1:cpu:/other\n", "");
    BOOST_TEST(outside.version == "");
    BOOST_TEST(outside.problem.find("cgroup v1 lacks memory, pids, cpu") != std::string::npos, outside.problem);
}

BOOST_AUTO_TEST_CASE(delegated_v2_is_preferred) {
    const char* mountinfo = "30 23 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n";
    const CgroupLayout layout =
        cgroup_layout(mountinfo, "0::/system.slice/deskbox@a.service\n", "cpuset cpu io memory pids\n");
    BOOST_TEST(layout.version == "v2");
    BOOST_TEST(layout.v2_parent == "/sys/fs/cgroup/system.slice/deskbox@a.service");
}

BOOST_AUTO_TEST_CASE(v2_without_controllers_and_no_v1_is_an_error_that_says_why) {
    const char* mountinfo = "30 23 0:27 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
    const CgroupLayout layout = cgroup_layout(mountinfo, "0::/user.slice\n", "cpu io\n");
    BOOST_TEST(layout.version == "");
    BOOST_TEST(layout.problem.find("cgroup v1 lacks memory, pids, cpu") != std::string::npos, layout.problem);
}

BOOST_AUTO_TEST_CASE(v2_writes_limits_and_reads_events) {
    TempDir tmp;
    const auto dir = tmp.path / "deskbox-s";
    std::filesystem::create_directory(dir);  // as the kernel would, with its files
    for (const char* f : {"memory.max", "memory.swap.max", "pids.max", "cpu.max", "cgroup.procs"})
        std::ofstream(dir / f);
    std::ofstream(dir / "memory.events") << "low 0\nhigh 0\nmax 7\noom 2\noom_kill 2\noom_group_kill 0\n";
    std::ofstream(dir / "pids.events") << "max 13\n";
    CgroupV2 cg(dir);
    cg.create({256ull << 20, 64, 0.5});
    BOOST_TEST(slurp(dir / "memory.max") == "268435456");
    BOOST_TEST(slurp(dir / "memory.swap.max") == "0");
    BOOST_TEST(slurp(dir / "pids.max") == "64");
    BOOST_TEST(slurp(dir / "cpu.max") == "50000 100000");
    cg.add_process(4242);
    BOOST_TEST(slurp(dir / "cgroup.procs") == "4242");
    const CgroupEvents e = cg.events();
    BOOST_TEST(e.memory_max == 7u);
    BOOST_TEST(e.oom_kill == 2u);
    BOOST_TEST(e.pids_max == 13u);
}

BOOST_AUTO_TEST_CASE(keyed_values) {
    BOOST_TEST(keyed_value("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n", "oom_kill") == 3u);
    BOOST_TEST(keyed_value("max 0\n", "oom_kill") == 0u);
}
