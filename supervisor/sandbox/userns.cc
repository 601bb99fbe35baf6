#include "supervisor/sandbox/userns.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "supervisor/base/error.h"

namespace deskbox::sandbox {
namespace {

void write_proc_file(pid_t pid, const char* name, const std::string& text) {
    const std::string path = "/proc/" + std::to_string(pid) + "/" + name;
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) throw_errno("opening " + path);
    if (write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        throw_errno("writing '" + text.substr(0, text.size() - 1) + "' to " + path);
}

// Takes the lock of one slot without blocking. Returns an empty fd when a live
// session holds it. Guards against a lock file unlinked by its previous holder
// between our open and our flock (then we would lock an orphaned inode).
UniqueFd try_lock_file(const std::filesystem::path& path) {
    for (;;) {
        UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!fd) throw_errno("opening id range lock " + path.string());
        if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
            if (errno == EWOULDBLOCK) return {};
            throw_errno("locking " + path.string());
        }
        struct stat held {
        }, now{};
        if (fstat(fd.get(), &held) != 0) throw_errno("checking " + path.string());
        if (stat(path.c_str(), &now) == 0 && now.st_ino == held.st_ino && now.st_dev == held.st_dev) return fd;
    }
}

}  // namespace

std::uint32_t first_id_slot(const std::string& session_name) {
    std::uint32_t hash = 2166136261u;
    for (unsigned char c : session_name) {
        hash ^= c;
        hash *= 16777619u;
    }
    return hash % kIdSlots;
}

IdReservation reserve_id_range(const std::string& session_name, const std::filesystem::path& lock_dir) {
    // The parent (/run/deskbox) may not exist yet on a machine without the tmpfiles.d entry.
    if (mkdir(lock_dir.parent_path().c_str(), 0755) != 0 && errno != EEXIST)
        throw_errno("creating " + lock_dir.parent_path().string());
    if (mkdir(lock_dir.c_str(), 0700) != 0 && errno != EEXIST) throw_errno("creating " + lock_dir.string());
    const std::uint32_t first = first_id_slot(session_name);
    for (std::uint32_t i = 0; i < kIdSlots; ++i) {
        const std::uint32_t slot = (first + i) % kIdSlots;
        const auto path = lock_dir / ("slot-" + std::to_string(slot) + ".lock");
        UniqueFd lock = try_lock_file(path);
        if (!lock) continue;
        IdReservation r;
        r.slot = slot;
        r.lock_path = path;
        r.lock = std::move(lock);
        r.mapping.privileged = true;
        r.mapping.inside_first = 0;
        r.mapping.host_uid = kIdRangeBase + slot * kIdRangeSize;
        r.mapping.host_gid = r.mapping.host_uid;
        r.mapping.count = kIdRangeSize;
        const std::string owner = session_name + "\n";
        if (ftruncate(r.lock.get(), 0) == 0) [[maybe_unused]]
            auto n = write(r.lock.get(), owner.data(), owner.size());
        return r;
    }
    throw Error("reserving a host id range: all " + std::to_string(kIdSlots) + " slots in " + lock_dir.string() +
                " are held by running sessions");
}

void enter_own_user_namespace() {
    const uid_t uid = geteuid();
    const gid_t gid = getegid();
    if (unshare(CLONE_NEWUSER) != 0) throw_errno("creating the supervisor's own user namespace");
    // An unprivileged writer must deny setgroups before writing gid_map.
    for (const auto& [file, text] : {std::pair<const char*, std::string>{"/proc/self/setgroups", "deny\n"},
                                     {"/proc/self/uid_map", id_map_line(uid, uid, 1)},
                                     {"/proc/self/gid_map", id_map_line(gid, gid, 1)}}) {
        UniqueFd fd(open(file, O_WRONLY | O_CLOEXEC));
        if (!fd || write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
            throw_errno(std::string("writing ") + file + " of the supervisor's own user namespace");
    }
}

IdMapping caller_id_mapping() {
    IdMapping m;
    m.privileged = false;
    m.inside_first = kAppUid;
    m.host_uid = geteuid();
    m.host_gid = getegid();
    m.count = 1;
    return m;
}

void release_id_range(IdReservation& reservation) {
    if (!reservation.lock) return;
    unlink(reservation.lock_path.c_str());
    reservation.lock.reset();
}

std::string id_map_line(std::uint32_t inside, std::uint32_t host, std::uint32_t count) {
    return std::to_string(inside) + " " + std::to_string(host) + " " + std::to_string(count) + "\n";
}

void write_id_maps(pid_t child, const IdMapping& m) {
    // An unprivileged writer must deny setgroups before writing gid_map; root
    // keeps setgroups so that init can drop the supervisor's supplementary groups.
    if (!m.privileged) write_proc_file(child, "setgroups", "deny\n");
    write_proc_file(child, "uid_map", id_map_line(m.inside_first, m.host_uid, m.count));
    write_proc_file(child, "gid_map", id_map_line(m.inside_first, m.host_gid, m.count));
}

}  // namespace deskbox::sandbox
