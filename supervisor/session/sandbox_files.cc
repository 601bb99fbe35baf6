#include "supervisor/session/sandbox_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>

#include "supervisor/base/error.h"
#include "supervisor/sandbox/mounts.h"

namespace deskbox {
namespace {

constexpr std::uint64_t kLinkResolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;

int openat2_fd(int dir, const std::string& path, std::uint64_t flags, std::uint64_t resolve, mode_t mode = 0) {
    open_how how{};
    how.flags = flags;
    how.mode = mode;
    how.resolve = resolve;
    for (;;) {
        const long fd = syscall(SYS_openat2, dir, path.c_str(), &how, sizeof how);
        if (fd >= 0 || errno != EAGAIN) return static_cast<int>(fd);  // EAGAIN: a rename raced; try again
    }
}

// Why a sandbox path could not be opened, in the words of the refusal.
[[noreturn]] void refuse(const std::string& what, const std::string& path) {
    const int err = errno;
    if (err == ELOOP) throw Error(what + " " + path + ": a symbolic link is on the way (links are not followed)");
    if (err == EXDEV) throw Error(what + " " + path + ": the path leads out of the sandbox folder");
    throw_errno(what + " " + path, err);
}

// The file-system identity of this thread switched to the app user for the
// length of a scope (setfsuid/setfsgid act on the calling thread only, and
// drop the file capabilities while they differ from 0).
class AppUser {
public:
    AppUser(uid_t uid, gid_t gid)
        : old_gid_(static_cast<gid_t>(syscall(SYS_setfsgid, gid))),
          old_uid_(static_cast<uid_t>(syscall(SYS_setfsuid, uid))) {}
    ~AppUser() {
        syscall(SYS_setfsuid, old_uid_);
        syscall(SYS_setfsgid, old_gid_);
    }
    AppUser(const AppUser&) = delete;
    AppUser& operator=(const AppUser&) = delete;

private:
    gid_t old_gid_;
    uid_t old_uid_;
};

class Sha256 {
public:
    Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
        if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
            throw Error("starting a SHA-256 digest");
    }
    void update(const char* data, std::size_t size) { EVP_DigestUpdate(ctx_.get(), data, size); }
    std::string hex() {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_DigestFinal_ex(ctx_.get(), digest, &len);
        std::string out(len * 2, '0');
        for (unsigned int i = 0; i < len; ++i) std::snprintf(&out[i * 2], 3, "%02x", digest[i]);
        return out;
    }

private:
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

void write_all(int fd, const char* data, std::size_t size, const std::string& what) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno(what);
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
}

std::string read_bounded_fd(int fd, std::size_t max_bytes, const std::string& what) {
    std::string content;
    char buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno(what);
        }
        if (n == 0) return content;
        content.append(buf, static_cast<std::size_t>(n));
        if (content.size() > max_bytes) throw Error(what + ": larger than " + std::to_string(max_bytes) + " bytes");
    }
}

}  // namespace

UniqueFd SandboxFiles::open_mount(const SandboxPath& p, const std::string& path) const {
    const std::string root = "/proc/" + std::to_string(init_pid_) + "/root";
    UniqueFd root_fd(open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!root_fd) throw_errno("opening the sandbox root " + root);
    const std::string mount_path = p.in_home ? std::string(sandbox::kAppHome) : "/tmp";
    UniqueFd mount(openat2_fd(root_fd.get(), mount_path.substr(1), O_PATH | O_DIRECTORY | O_CLOEXEC,
                              RESOLVE_IN_ROOT | kLinkResolve));
    if (!mount) refuse("opening the folder of", path);
    return mount;
}

UniqueFd SandboxFiles::open_regular(const std::string& path) const {
    const SandboxPath p = split_sandbox_path(path);
    UniqueFd mount = open_mount(p, path);
    UniqueFd fd(openat2_fd(mount.get(), p.relative, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
                           RESOLVE_BENEATH | kLinkResolve));
    if (!fd) refuse("opening", path);
    struct stat st {};
    if (fstat(fd.get(), &st) != 0) throw_errno("stat of " + path);
    if (!S_ISREG(st.st_mode)) throw Error("opening " + path + ": not a regular file");
    return fd;
}

std::string SandboxFiles::read(const std::string& path, std::size_t max_bytes) const {
    return read_bounded_fd(open_regular(path).get(), max_bytes, "reading " + path + " in the sandbox");
}

std::vector<std::string> SandboxFiles::list_folder(const std::string& path) const {
    const SandboxPath p = split_sandbox_path(path);
    UniqueFd mount = open_mount(p, path);
    UniqueFd fd(
        openat2_fd(mount.get(), p.relative, O_RDONLY | O_DIRECTORY | O_CLOEXEC, RESOLVE_BENEATH | kLinkResolve));
    if (!fd) refuse("listing", path);
    DIR* dir = fdopendir(fd.get());
    if (!dir) throw_errno("listing " + path);
    fd.release();  // the DIR owns it now
    std::vector<std::string> names;
    while (const dirent* e = readdir(dir)) {
        const std::string name = e->d_name;
        if (name != "." && name != "..") names.push_back(name);
    }
    closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
}

FileDigest SandboxFiles::write(const std::string& path, std::string_view data) const {
    const SandboxPath p = split_sandbox_path(path);
    UniqueFd mount = open_mount(p, path);
    const auto slash = p.relative.rfind('/');
    UniqueFd dir = slash == std::string::npos
                       ? std::move(mount)
                       : UniqueFd(openat2_fd(mount.get(), p.relative.substr(0, slash), O_PATH | O_DIRECTORY | O_CLOEXEC,
                                             RESOLVE_BENEATH | kLinkResolve));
    if (!dir) refuse("opening the folder of", path);
    const std::string name = slash == std::string::npos ? p.relative : p.relative.substr(slash + 1);
    // Created as the app user (fsuid/fsgid of this thread only): the home is a
    // tmpfs of the sandbox's user namespace, where the supervisor's own uid may
    // have no mapping (EOVERFLOW), and the file must be the app's anyway.
    // O_EXCL first; an existing file must be a regular file the app user owns
    // (never a link: O_NOFOLLOW).
    bool created = true;
    UniqueFd fd;
    {
        const AppUser as_app(owner_uid_, owner_gid_);
        fd = UniqueFd(openat(dir.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
        if (!fd && errno == EEXIST) {
            created = false;
            fd = UniqueFd(openat(dir.get(), name.c_str(), O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
        }
        if (fd && created && fchmod(fd.get(), 0644) != 0) throw_errno("setting the mode of " + path);
    }
    if (!fd) refuse("writing", path);
    struct stat st {};
    if (fstat(fd.get(), &st) != 0) throw_errno("stat of " + path);
    if (!S_ISREG(st.st_mode)) throw Error("writing " + path + ": not a regular file");
    if (st.st_uid != owner_uid_) throw Error("writing " + path + ": the existing file is not the app user's");
    if (!created && ftruncate(fd.get(), 0) != 0) throw_errno("truncating " + path);
    write_all(fd.get(), data.data(), data.size(), "writing " + path);
    Sha256 sha;
    sha.update(data.data(), data.size());
    return {data.size(), sha.hex()};
}

FileDigest SandboxFiles::copy_out(const std::string& path, const std::filesystem::path& dest,
                                  std::uint64_t max_bytes) const {
    UniqueFd in = open_regular(path);
    struct stat st {};
    if (fstat(in.get(), &st) == 0 && static_cast<std::uint64_t>(st.st_size) > max_bytes)
        throw Error("collecting " + path + ": " + std::to_string(st.st_size) + " bytes, more than the " +
                    std::to_string(max_bytes) + " allowed");
    UniqueFd out(open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out) throw_errno("creating " + dest.string());
    FileDigest digest;
    Sha256 sha;
    try {
        char buf[65536];
        for (;;) {
            const ssize_t n = ::read(in.get(), buf, sizeof buf);
            if (n < 0) {
                if (errno == EINTR) continue;
                throw_errno("reading " + path + " in the sandbox");
            }
            if (n == 0) break;
            digest.size += static_cast<std::uint64_t>(n);
            // The file may grow while it is copied: the cap holds for what is read.
            if (digest.size > max_bytes)
                throw Error("collecting " + path + ": more than the " + std::to_string(max_bytes) + " bytes allowed");
            sha.update(buf, static_cast<std::size_t>(n));
            write_all(out.get(), buf, static_cast<std::size_t>(n), "writing " + dest.string());
        }
        if (fsync(out.get()) != 0) throw_errno("syncing " + dest.string());
    } catch (...) {
        unlink(dest.c_str());
        throw;
    }
    digest.sha256 = sha.hex();
    return digest;
}

}  // namespace deskbox
