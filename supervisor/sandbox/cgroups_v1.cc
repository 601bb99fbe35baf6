// cgroup v1: one folder per controller hierarchy (memory, pids, cpu).
#include <cstdlib>
#include <filesystem>

#include "supervisor/base/error.h"
#include "supervisor/sandbox/cgroups.h"

namespace deskbox::sandbox {

void CgroupV1::create(const CgroupLimits& limits) {
    for (const auto& [controller, dir] : dirs_) make_cgroup_dir(dir);
    const auto& memory = dirs_.at("memory");
    write_cgroup_file(memory / "memory.limit_in_bytes", std::to_string(limits.memory));
    // Swap off: memory+swap capped at the same value where swap accounting exists.
    if (std::filesystem::exists(memory / "memory.memsw.limit_in_bytes"))
        write_cgroup_file(memory / "memory.memsw.limit_in_bytes", std::to_string(limits.memory));
    if (std::filesystem::exists(memory / "memory.swappiness")) {
        try {
            write_cgroup_file(memory / "memory.swappiness", "0");
        } catch (const Error&) {
            // not settable on every kernel (root cgroup only on some): the memsw cap above is the real one
        }
    }
    write_cgroup_file(dirs_.at("pids") / "pids.max", std::to_string(limits.pids));
    const auto quota = static_cast<std::uint64_t>(limits.cpu * 100000.0);
    write_cgroup_file(dirs_.at("cpu") / "cpu.cfs_period_us", "100000");
    write_cgroup_file(dirs_.at("cpu") / "cpu.cfs_quota_us", std::to_string(quota));
}

void CgroupV1::add_process(pid_t pid) {
    for (const auto& [controller, dir] : dirs_) write_cgroup_file(dir / "cgroup.procs", std::to_string(pid));
}

CgroupEvents CgroupV1::events() const {
    CgroupEvents e;
    const auto& memory = dirs_.at("memory");
    e.memory_max = std::strtoull(read_cgroup_file(memory / "memory.failcnt").c_str(), nullptr, 10);
    e.oom_kill = keyed_value(read_cgroup_file(memory / "memory.oom_control"), "oom_kill");
    e.pids_max = keyed_value(read_cgroup_file(dirs_.at("pids") / "pids.events"), "max");
    return e;
}

void CgroupV1::destroy() {
    for (const auto& [controller, dir] : dirs_) remove_cgroup_dir(dir);
}

std::vector<std::filesystem::path> CgroupV1::folders() const {
    std::vector<std::filesystem::path> out;
    for (const auto& [c, dir] : dirs_) out.push_back(dir);
    return out;
}

}  // namespace deskbox::sandbox
