// Where an ordinary user (or a systemd unit with Delegate=yes) may create the
// session's cgroups, and the preparation cgroup v2 needs before it can.
//
// Root may write anywhere, so its session cgroup goes under its own cgroup.
// An ordinary user can only create cgroups in a subtree that was delegated to
// it: a cgroup of its own whose folder and cgroup.procs (v2: also
// cgroup.subtree_control) it may write — what `systemd-run --user --scope -p
// Delegate=yes` and user@.service give on v2, or what root made with mkdir and
// chown on v1. Without one, deskbox refuses to start (never runs without limits).
//
// cgroup v2 forbids processes in a cgroup whose subtree_control enables
// domain controllers ("no internal processes"; the hierarchy root excepted):
// the supervisor first moves itself into a leaf PARENT/supervisor, then
// enables the controllers in PARENT and creates PARENT/deskbox-NAME beside it.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace deskbox::sandbox {

// The command a user runs to get a delegated cgroup (quoted in errors and docs).
inline constexpr const char* kDelegateHint = "systemd-run --user --scope -p Delegate=yes deskbox run MANIFEST";
// Name of the v2 leaf the supervisor moves into.
inline constexpr const char* kSupervisorLeaf = "supervisor";

// May the caller write `path`? (faccessat with the effective ids; a parameter for tests.)
using WritableCheck = std::function<bool(const std::filesystem::path&)>;
bool writable_by_caller(const std::filesystem::path& path);

// Empty when the caller may create session cgroups under `parent` (v2: its
// own cgroup), else why not. Root always may.
std::string v2_delegation_problem(const std::filesystem::path& parent, bool root, const WritableCheck& writable);
// v1: the same per controller folder; names every folder that is not ours.
std::string v1_delegation_problem(const std::map<std::string, std::filesystem::path>& parents, bool root,
                                  const WritableCheck& writable);
// The error text for an ordinary user without delegation (names the fix).
std::string no_delegation_error(uid_t uid, const std::string& version, const std::string& problem);

// "memory pids cpu\n" -> {"memory", "pids", "cpu"}.
std::vector<std::string> controller_list(const std::string& text);
// The controllers of `wanted` missing from the subtree_control text `enabled`.
std::vector<std::string> missing_controllers(const std::string& enabled, const std::vector<std::string>& wanted);

// v2: makes `parent` able to hold the session cgroups with `controllers`:
// unless `parent` is the hierarchy root or already enables them, moves the
// calling process into parent/supervisor (created when missing) and enables
// the controllers in parent/cgroup.subtree_control. Throws Error naming the
// step; on EBUSY the error lists the processes that still share `parent`.
void prepare_v2_parent(const std::filesystem::path& parent, bool hierarchy_root,
                       const std::vector<std::string>& controllers);

}  // namespace deskbox::sandbox
