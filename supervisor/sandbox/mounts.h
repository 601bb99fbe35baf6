// The sandbox filesystem, built by init inside its new mount namespace:
// a fresh tmpfs root with the host's system folders bound read-only
// (nosuid, nodev), a tmpfs home, /tmp and /run/user/1000, a fresh /proc
// (with /proc/sys and friends read-only), a minimal /dev with its own devpts,
// an empty /etc/resolv.conf, the supervisor's staging folder read-only at
// /run/deskbox, and the manifest's files. Then pivot_root and the old root is
// detached; the root itself is remounted read-only at the end.
//
// Host files the sandbox's ids may not be able to reach (a 0700 session dir,
// root-only files) arrive from the supervisor: copies as an fd it opened, binds
// (root supervisor) as a detached read-only mount made with open_tree() that
// init attaches with move_mount(). An unprivileged supervisor cannot make
// detached mounts; its init has the caller's own ids and binds the path.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "supervisor/base/unique_fd.h"

namespace deskbox::sandbox {

constexpr const char* kAppHome = "/home/agent";
constexpr const char* kStagingInside = "/run/deskbox";

// "~" and "~/x" as the sandbox sees them (kAppHome, kAppHome + "/x"); any other path unchanged.
std::string expand_app_home(const std::string& path);

// A host file or folder to bind read-only: a detached mount (tree >= 0) or a path.
struct HostBind {
    UniqueFd tree;
    std::string path;
};

struct PlacedFile {
    UniqueFd fd;       // copies: the source, opened by the supervisor
    HostBind bind;     // binds
    std::string to;    // absolute path inside the sandbox
    bool copy = true;  // copy (owned by the app user, writable) or bind read-only
};

struct MountPlan {
    std::uint64_t home_size = 512ull << 20;
    std::uint64_t tmp_size = 256ull << 20;
    HostBind staging;  // <session dir>/sandbox, bound at /run/deskbox
    std::vector<PlacedFile> files;
    uid_t app_uid = 1000;
    gid_t app_gid = 1000;
};

// The host folders bound read-only when they exist (symlinks are recreated as symlinks).
const std::vector<std::string>& system_binds();

// Maps "~/x" to "/home/agent/x"; checks that the target lies under the home or
// /tmp (the writable tmpfs areas). Returns an empty string when it does not.
std::string placement_target(const std::string& to);

// Supervisor side: a detached, read-only, nosuid, nodev copy of the mount
// at `path` (open_tree + mount_setattr). Returns -1 when not permitted
// (unprivileged); throws on other errors.
int detached_read_only_tree(const std::string& path);

// Init side, in the new mount (and pid) namespace. Throws deskbox::Error naming the step.
void build_root(MountPlan& plan);

}  // namespace deskbox::sandbox
