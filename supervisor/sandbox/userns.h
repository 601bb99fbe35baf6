// User namespace: which host ids the sandbox's ids stand for.
//
// Root supervisor (systemd): sandbox ids 0..65535 map to a 65536-id host range
// chosen per session, never containing host 0. The range is slot N:
// host ids 0x10000000 + N*65536, N in [0, kIdSlots). The session name hashes to
// a first slot; a flock'ed lock file per slot (idmap/slot-N.lock) tells whether
// another live session holds it, and the next slot is tried (linear probing).
// Ordinary user: an unprivileged user namespace can map only the caller's own
// uid/gid, so sandbox uid/gid 1000 (the app user) is the caller.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "supervisor/base/unique_fd.h"

namespace deskbox::sandbox {

constexpr uid_t kAppUid = 1000;  // "agent", home /home/agent
constexpr gid_t kAppGid = 1000;
constexpr std::uint32_t kIdRangeBase = 0x10000000;
constexpr std::uint32_t kIdRangeSize = 65536;
constexpr std::uint32_t kIdSlots = 4096;

struct IdMapping {
    bool privileged = false;  // root supervisor: a full 65536-id range
    uid_t inside_first = 0;   // first sandbox id of the range
    uid_t host_uid = 0;       // host id for inside_first
    gid_t host_gid = 0;
    std::uint32_t count = 0;
    // The id init runs as inside (0 with a range, the app id otherwise).
    uid_t init_uid() const { return privileged ? 0 : kAppUid; }
    // Host uid of a sandbox uid (for chown of host-side files, and tests).
    uid_t host_uid_of(uid_t inside) const { return host_uid + (inside - inside_first); }
    gid_t host_gid_of(gid_t inside) const { return host_gid + (inside - inside_first); }
};

// A reserved id range; the slot lock is held for as long as this lives.
struct IdReservation {
    IdMapping mapping;
    std::uint32_t slot = 0;
    std::filesystem::path lock_path;
    UniqueFd lock;
};

// The slot a session name tries first (FNV-1a of the name, mod kIdSlots).
std::uint32_t first_id_slot(const std::string& session_name);
// Root: reserves a free slot under `lock_dir` (created 0700). Throws when every slot is taken.
IdReservation reserve_id_range(const std::string& session_name, const std::filesystem::path& lock_dir);
// Ordinary user, once, while single-threaded: moves the supervisor into a
// user namespace of its own that maps only its own uid/gid to themselves. It
// keeps its identity (files, signals, cgroups, getuid()), gains the
// CAP_SYS_ADMIN there that setns() into the sandbox's network namespace
// needs besides ownership of the sandbox's user namespace (base/netns.h),
// and the sandbox's user namespace becomes a child of it.
void enter_own_user_namespace();
// Ordinary user: maps kAppUid/kAppGid to the caller.
IdMapping caller_id_mapping();
// Releases the slot: unlinks its lock file while still holding it.
void release_id_range(IdReservation& reservation);

// The uid_map/gid_map line ("1000 4242 1\n").
std::string id_map_line(std::uint32_t inside, std::uint32_t host, std::uint32_t count);
// Parent side: writes setgroups/uid_map/gid_map of `child` (before it builds anything).
void write_id_maps(pid_t child, const IdMapping& mapping);

}  // namespace deskbox::sandbox
