#include "supervisor/sandbox/mounts.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "supervisor/base/error.h"
#include "supervisor/base/unique_fd.h"

namespace deskbox::sandbox {
namespace {

// Everything is built under this tmpfs (host /tmp is hidden by it in our
// namespace only), then it becomes the root.
constexpr const char* kNewRoot = "/tmp";

std::string in_root(const std::string& inside) {
    return std::string(kNewRoot) + inside;
}

void do_mount(const char* source, const std::string& target, const char* type, unsigned long flags,
              const std::string& data, const std::string& step) {
    if (mount(source, target.c_str(), type, flags, data.empty() ? nullptr : data.c_str()) != 0) throw_errno(step);
}

void make_dir(const std::string& path, mode_t mode) {
    if (mkdir(path.c_str(), mode) != 0 && errno != EEXIST) throw_errno("creating " + path);
}

void make_dirs(const std::string& path, mode_t mode) {
    for (std::size_t pos = 1; pos != std::string::npos;) {
        pos = path.find('/', pos + 1);
        make_dir(path.substr(0, pos), mode);
    }
}

void make_file(const std::string& path, const std::string& content = "") {
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!fd) throw_errno("creating " + path);
    if (!content.empty() && write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size()))
        throw_errno("writing " + path);
}

void tmpfs(const std::string& inside, std::uint64_t size, const std::string& mode_owner) {
    make_dirs(in_root(inside), 0755);
    do_mount("tmpfs", in_root(inside), "tmpfs", MS_NOSUID | MS_NODEV, "size=" + std::to_string(size) + "," + mode_owner,
             "mounting tmpfs on " + inside);
}

// Read-only, nosuid, nodev for the whole tree below `target` (submounts too).
void make_read_only(const std::string& target, const std::string& what) {
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    if (syscall(SYS_mount_setattr, AT_FDCWD, target.c_str(), AT_RECURSIVE, &attr, sizeof attr) == 0) return;
    if (errno != ENOSYS) throw_errno("making " + what + " read-only");
    // Kernels before 5.12: remount the top mount (submounts stay as they are).
    do_mount(nullptr, target, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "",
             "making " + what + " read-only");
}

void bind_read_only(const std::string& source, const std::string& target, const std::string& what) {
    do_mount(source.c_str(), target, nullptr, MS_BIND | MS_REC, "", "binding " + what);
    make_read_only(target, what);
}

void attach(const HostBind& bind, const std::string& target, const std::string& what) {
    if (!bind.tree) {
        bind_read_only(bind.path, target, what);
        return;
    }
    if (syscall(SYS_move_mount, bind.tree.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
        throw_errno("attaching " + what);
}

void bind_system_folders() {
    for (const auto& dir : system_binds()) {
        struct stat st {};
        if (lstat(dir.c_str(), &st) != 0) continue;  // absent on this host
        if (S_ISLNK(st.st_mode)) {
            // merged /usr: /bin -> usr/bin stays a symlink
            char link[PATH_MAX];
            const ssize_t n = readlink(dir.c_str(), link, sizeof link - 1);
            if (n < 0) throw_errno("reading symlink " + dir);
            link[n] = '\0';
            if (symlink(link, in_root(dir).c_str()) != 0) throw_errno("creating symlink " + dir);
            continue;
        }
        if (!S_ISDIR(st.st_mode)) continue;
        make_dir(in_root(dir), 0755);
        bind_read_only(dir, in_root(dir), dir);
    }
}

void build_dev() {
    make_dir(in_root("/dev"), 0755);
    for (const char* node : {"null", "zero", "full", "random", "urandom", "tty"}) {
        const std::string host = std::string("/dev/") + node;
        make_file(in_root(host));
        do_mount(host.c_str(), in_root(host), nullptr, MS_BIND, "", "binding " + host);
        do_mount(nullptr, in_root(host), nullptr, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NOEXEC, "",
                 "remounting " + host + " nosuid");
    }
    make_dir(in_root("/dev/pts"), 0755);
    do_mount("devpts", in_root("/dev/pts"), "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620",
             "mounting devpts on /dev/pts");
    if (symlink("pts/ptmx", in_root("/dev/ptmx").c_str()) != 0) throw_errno("creating /dev/ptmx");
    tmpfs("/dev/shm", 64ull << 20, "mode=1777");
    const std::pair<const char*, const char*> links[] = {{"/proc/self/fd", "/dev/fd"},
                                                         {"/proc/self/fd/0", "/dev/stdin"},
                                                         {"/proc/self/fd/1", "/dev/stdout"},
                                                         {"/proc/self/fd/2", "/dev/stderr"}};
    for (const auto& [target, name] : links)
        if (symlink(target, in_root(name).c_str()) != 0) throw_errno(std::string("creating ") + name);
}

void build_proc() {
    make_dir(in_root("/proc"), 0555);
    do_mount("proc", in_root("/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "", "mounting /proc");
    // Sysctls owned by the sandbox's namespaces would be writable: make them read-only.
    for (const char* sub : {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus"}) {
        struct stat st {};
        if (stat(in_root(sub).c_str(), &st) != 0) continue;
        bind_read_only(in_root(sub), in_root(sub), sub);
    }
}

void copy_file(const PlacedFile& f, const std::string& target, uid_t uid, gid_t gid) {
    struct stat st {};
    if (fstat(f.fd.get(), &st) != 0) throw_errno("placing " + f.to + ": reading the source");
    UniqueFd out(open(target.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, st.st_mode & 0755));
    if (!out) throw_errno("placing " + f.to + ": creating it");
    off_t offset = 0;
    while (offset < st.st_size) {
        const ssize_t n = sendfile(out.get(), f.fd.get(), &offset, static_cast<std::size_t>(st.st_size - offset));
        if (n < 0) throw_errno("placing " + f.to + ": copying");
        if (n == 0) break;
    }
    if (fchown(out.get(), uid, gid) != 0) throw_errno("placing " + f.to + ": chown");
}

void place_files(const MountPlan& plan) {
    for (const auto& f : plan.files) {
        const std::string target = in_root(f.to);
        const std::string parent = target.substr(0, target.rfind('/'));
        make_dirs(parent, 0755);
        if (f.copy) {
            copy_file(f, target, plan.app_uid, plan.app_gid);
        } else {
            make_file(target);
            attach(f.bind, target, f.to);
        }
    }
    // Folders created for placements in the home belong to the app user.
    for (const auto& f : plan.files) {
        std::string dir = f.to.substr(0, f.to.rfind('/'));
        while (dir.size() > std::string(kAppHome).size() && dir.rfind(kAppHome, 0) == 0) {
            if (chown(in_root(dir).c_str(), plan.app_uid, plan.app_gid) != 0) throw_errno("chown " + dir);
            dir = dir.substr(0, dir.rfind('/'));
        }
    }
}

}  // namespace

const std::vector<std::string>& system_binds() {
    static const std::vector<std::string> dirs = {"/usr",    "/etc", "/lib",  "/lib64", "/lib32",
                                                  "/libx32", "/bin", "/sbin", "/opt"};
    return dirs;
}

std::string expand_app_home(const std::string& path) {
    if (path == "~") return kAppHome;
    if (path.rfind("~/", 0) == 0) return std::string(kAppHome) + path.substr(1);
    return path;
}

std::string placement_target(const std::string& to) {
    const std::string path = expand_app_home(to);
    if (path.find("/../") != std::string::npos || path.find("/./") != std::string::npos) return {};
    for (const std::string& base : {std::string(kAppHome) + "/", std::string("/tmp/")})
        if (path.rfind(base, 0) == 0 && path.size() > base.size() && path.back() != '/') return path;
    return {};
}

int detached_read_only_tree(const std::string& path) {
    const int tree = static_cast<int>(
        syscall(SYS_open_tree, AT_FDCWD, path.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));
    if (tree < 0) {
        if (errno == EPERM) return -1;
        throw_errno("open_tree " + path);
    }
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
    if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0) {
        const int err = errno;
        close(tree);
        throw_errno("making the bind of " + path + " read-only", err);
    }
    return tree;
}

// Unprivileged binds name host paths, which the new root's tmpfs on /tmp
// would hide (a runtime dir under /tmp): hold each by an O_PATH fd taken
// first and bind through /proc/self/fd/N, which the kernel follows.
static void hold_paths(MountPlan& out, std::vector<UniqueFd>& held) {
    auto hold = [&held](HostBind& bind) {
        if (bind.tree || bind.path.empty()) return;
        UniqueFd fd(open(bind.path.c_str(), O_PATH | O_CLOEXEC));
        if (!fd) throw_errno("opening " + bind.path + " to bind it");
        bind.path = "/proc/self/fd/" + std::to_string(fd.get());
        held.push_back(std::move(fd));
    };
    hold(out.staging);
    for (auto& f : out.files)
        if (!f.copy) hold(f.bind);
}

void build_root(MountPlan& plan) {
    std::vector<UniqueFd> held;
    hold_paths(plan, held);
    // Nothing we mount may propagate back to the host.
    do_mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, "", "making / private");
    do_mount("tmpfs", kNewRoot, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=0755", "mounting the new root tmpfs");

    bind_system_folders();
    // No DNS inside: an empty resolv.conf (the egress proxy resolves outside).
    struct stat st {};
    if (lstat(in_root("/etc/resolv.conf").c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        make_file(in_root("/.empty"));
        bind_read_only(in_root("/.empty"), in_root("/etc/resolv.conf"), "an empty /etc/resolv.conf");
    }

    // The sandbox's own user database: the host's would name other people
    // (and the host's uid 1000), and apps look their user up.
    const std::string app = std::to_string(plan.app_uid), app_group = std::to_string(plan.app_gid);
    make_file(in_root("/.passwd"),
              "root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n"
              "agent:x:" +
                  app + ":" + app_group +
                  ":deskbox agent:/home/agent:/bin/sh\n"
                  "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
    make_file(in_root("/.group"), "root:x:0:\nagent:x:" + app_group + ":\nnogroup:x:65534:\n");
    for (const auto& [file, db] : {std::pair{"/.passwd", "/etc/passwd"}, std::pair{"/.group", "/etc/group"}})
        if (lstat(in_root(db).c_str(), &st) == 0 && S_ISREG(st.st_mode))
            bind_read_only(in_root(file), in_root(db), std::string("the sandbox's ") + db);

    const std::string owner = "uid=" + std::to_string(plan.app_uid) + ",gid=" + std::to_string(plan.app_gid);
    make_dir(in_root("/home"), 0755);
    tmpfs(kAppHome, plan.home_size, "mode=0700," + owner);
    tmpfs("/tmp", plan.tmp_size, "mode=1777");
    // X servers that are not root cannot create it; clients look for it.
    make_dir(in_root("/tmp/.X11-unix"), 01777);
    if (chmod(in_root("/tmp/.X11-unix").c_str(), 01777) != 0) throw_errno("chmod /tmp/.X11-unix");
    make_dir(in_root("/run"), 0755);
    tmpfs("/run/user/" + std::to_string(plan.app_uid), 1ull << 20, "mode=0700," + owner);
    make_dir(in_root(kStagingInside), 0755);
    attach(plan.staging, in_root(kStagingInside), "the staging folder on /run/deskbox");
    place_files(plan);
    build_dev();
    build_proc();
    make_dir(in_root("/var"), 0755);
    make_dir(in_root("/var/tmp"), 01777);
    // fontconfig's cache of the system fonts, read-only: without it every app
    // that draws text scans every font file when it starts (~0.7 s with the
    // CJK fonts of the default desktop, for the window manager and again for each app).
    if (lstat("/var/cache/fontconfig", &st) == 0 && S_ISDIR(st.st_mode)) {
        make_dir(in_root("/var/cache"), 0755);
        make_dir(in_root("/var/cache/fontconfig"), 0755);
        bind_read_only("/var/cache/fontconfig", in_root("/var/cache/fontconfig"), "/var/cache/fontconfig");
    }

    // pivot_root(".", ".") stacks the old root under the new one; detaching it
    // leaves no path to the host tree.
    if (chdir(kNewRoot) != 0) throw_errno("entering the new root");
    if (syscall(SYS_pivot_root, ".", ".") != 0) throw_errno("pivot_root");
    if (umount2(".", MNT_DETACH) != 0) throw_errno("detaching the old root");
    if (chdir("/") != 0) throw_errno("entering /");
    do_mount(nullptr, "/", nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "",
             "making the root read-only");
}

}  // namespace deskbox::sandbox
