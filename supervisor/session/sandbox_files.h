// Files into and out of a running sandbox, as the supervisor (host root or
// the invoking user) reaches them through /proc/<init>/root: `upload` writes
// one, `collect` copies one out. The app controls everything inside its home,
// so nothing here follows a symbolic link or leaves the tmpfs a path names:
// the home or /tmp is opened first (openat2 RESOLVE_IN_ROOT, no symlinks),
// and the rest of the path is resolved beneath it (RESOLVE_BENEATH |
// RESOLVE_NO_SYMLINKS), so a planted link or ".." is refused, never followed.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/base/unique_fd.h"
#include "supervisor/manifest/sandbox_path.h"

namespace deskbox {

struct FileDigest {
    std::uint64_t size = 0;
    std::string sha256;  // hex
};

class SandboxFiles {
public:
    // `init_pid`: the sandbox's init as the host sees it; the owner is the
    // host uid/gid of the sandbox's app user (what uploaded files belong to).
    SandboxFiles(pid_t init_pid, uid_t owner_uid, gid_t owner_gid)
        : init_pid_(init_pid), owner_uid_(owner_uid), owner_gid_(owner_gid) {}

    // Creates or replaces a regular file (mode 0644, owned by the app user).
    // The parent folder must exist; a symlink or a file of another owner at
    // the path is refused.
    FileDigest write(const std::string& path, std::string_view data) const;
    // Copies a regular file out to `dest` (created 0600, must not exist), at
    // most `max_bytes` (a larger file is refused and nothing is left behind).
    FileDigest copy_out(const std::string& path, const std::filesystem::path& dest, std::uint64_t max_bytes) const;
    // Opens a regular file for reading (O_RDONLY), refusing links and escapes.
    UniqueFd open_regular(const std::string& path) const;
    // A regular file's content, refusing one larger than max_bytes.
    std::string read(const std::string& path, std::size_t max_bytes) const;
    // The names in a folder (no "." or ".."), sorted.
    std::vector<std::string> list_folder(const std::string& path) const;

private:
    UniqueFd open_mount(const SandboxPath& p, const std::string& path) const;
    pid_t init_pid_;
    uid_t owner_uid_;
    gid_t owner_gid_;
};

}  // namespace deskbox
