// deskbox-probe: runs INSIDE a session (copied in through sandbox.files) and
// tries the attacks of SECURITY-TESTS.md that belong to the sandbox, one line
// per probe: "PROBE <item>.<name> PASS|FAIL <detail>", then "PROBE-DONE <failures>".
//
// Syscall probes use the bad-fd / bad-pointer trick: if the filter allowed the
// call it fails harmlessly (EBADF, EFAULT, EINVAL, ESRCH...), if it is refused
// it fails with EPERM/ENOSYS. Other modes: hold (start `setsid -f sleep`,
// report, wait), listen NAME / peek NAME (isolation between two sessions),
// membomb, forkbomb.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

int failures = 0;

void report(const std::string& name, bool pass, const std::string& detail) {
    std::cout << "PROBE " << name << (pass ? " PASS " : " FAIL ") << detail << std::endl;
    if (!pass) ++failures;
}

std::string err_name(int e) {
    const char* n = strerrorname_np(e);
    return n ? n : std::to_string(e);
}

// A raw syscall that must be refused: EPERM or ENOSYS (or EACCES).
void refused(const std::string& name, long rc, int err) {
    const bool pass = rc < 0 && (err == EPERM || err == ENOSYS || err == EACCES);
    report(name, pass, rc < 0 ? err_name(err) : "succeeded (rc " + std::to_string(rc) + ")");
}

#define SYS_REFUSED(item, nr, ...)                        \
    do {                                                  \
        errno = 0;                                        \
        const long rc_ = syscall(nr, __VA_ARGS__);        \
        refused(std::string(item) + "." #nr, rc_, errno); \
    } while (0)

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string status_field(const std::string& status, const std::string& key) {
    std::istringstream in(status);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(key + ":", 0) == 0) {
            std::string v = line.substr(key.size() + 1);
            v.erase(0, v.find_first_not_of(" \t"));
            return v;
        }
    return "";
}

int run(const std::vector<std::string>& argv) {
    const pid_t pid = fork();
    if (pid == 0) {
        std::vector<char*> a;
        for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
        a.push_back(nullptr);
        const int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        execvp(a[0], a.data());
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

void identity() {
    const std::string st = read_file("/proc/self/status");
    for (const char* cap : {"CapEff", "CapPrm", "CapInh", "CapBnd", "CapAmb"})
        report(std::string("1.") + cap, status_field(st, cap) == "0000000000000000", status_field(st, cap));
    report("1.NoNewPrivs", status_field(st, "NoNewPrivs") == "1", status_field(st, "NoNewPrivs"));
    report("1.Seccomp", status_field(st, "Seccomp") == "2", status_field(st, "Seccomp"));
    report("1.uid", getuid() == 1000 && geteuid() == 1000, std::to_string(geteuid()));
    struct statvfs vfs {};
    statvfs("/usr", &vfs);
    report("2.usr-nosuid", (vfs.f_flag & ST_NOSUID) != 0, "flags " + std::to_string(vfs.f_flag));
    for (const char* tool : {"/usr/bin/su", "/usr/bin/sudo"}) {
        if (access(tool, X_OK) != 0) {
            report(std::string("2.") + tool, true, "absent");
            continue;
        }
        const int st2 = run({tool, "-c", "true"});
        report(std::string("2.") + tool, !(WIFEXITED(st2) && WEXITSTATUS(st2) == 0),
               "exit status " + std::to_string(st2));
    }
}

void namespaces() {
    {
        errno = 0;
        const int rc = unshare(CLONE_NEWUSER);
        refused("4.unshare-newuser", rc, errno);
    }
    {
        errno = 0;
        const int rc = unshare(CLONE_NEWNS);
        refused("4.unshare-newns", rc, errno);
    }
    {
        errno = 0;
        const int rc = unshare(CLONE_NEWNET);
        refused("4.unshare-newnet", rc, errno);
    }
    errno = 0;
    long rc = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (rc == 0) _exit(0);  // allowed: the child leaves at once
    refused("4.clone-newuser", rc, errno);
    errno = 0;
    rc = syscall(SYS_clone, 0x100000000ull | CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (rc == 0) _exit(0);
    refused("4.clone-newuser-highbits", rc, errno);
    clone_args args{};
    args.flags = CLONE_NEWUSER;
    args.exit_signal = SIGCHLD;
    errno = 0;
    rc = syscall(SYS_clone3, &args, sizeof args);
    if (rc == 0) _exit(0);
    report("4.clone3", rc < 0 && errno == ENOSYS, rc < 0 ? err_name(errno) : "succeeded");
    SYS_REFUSED("4", SYS_setns, -1, 0);
    const int st = run({"unshare", "-Ur", "true"});
    report("4.unshare-Ur", !(WIFEXITED(st) && WEXITSTATUS(st) == 0), "exit status " + std::to_string(st));
}

void mounts() {
    SYS_REFUSED("5", SYS_mount, (char*)1, (char*)1, (char*)1, 0, (void*)1);
    SYS_REFUSED("5", SYS_umount2, (char*)1, 0);
    SYS_REFUSED("5", SYS_pivot_root, (char*)1, (char*)1);
    SYS_REFUSED("5", SYS_chroot, (char*)1);
    SYS_REFUSED("5", SYS_open_tree, -1, (char*)1, 0);
    SYS_REFUSED("5", SYS_move_mount, -1, (char*)1, -1, (char*)1, 0);
    SYS_REFUSED("5", SYS_fsopen, (char*)1, 0);
    SYS_REFUSED("5", SYS_fsmount, -1, 0, 0);
    SYS_REFUSED("5", SYS_fsconfig, -1, 0, (char*)1, (void*)1, 0);
    SYS_REFUSED("5", SYS_fspick, -1, (char*)1, 0);
    SYS_REFUSED("5", SYS_mount_setattr, -1, (char*)1, 0, (void*)1, 0);
}

void peeking() {
    SYS_REFUSED("6", SYS_ptrace, PTRACE_PEEKDATA, 999999, 0, 0);
    SYS_REFUSED("6", SYS_process_vm_readv, 999999, (void*)1, 1, (void*)1, 1, 0);
    SYS_REFUSED("6", SYS_process_vm_writev, 999999, (void*)1, 1, (void*)1, 1, 0);
    SYS_REFUSED("6", SYS_kcmp, 999999, 999999, 0, 0, 0);
    SYS_REFUSED("6", SYS_pidfd_getfd, -1, 0, 0);
    errno = 0;
    const int fd = open("/proc/1/environ", O_RDONLY);
    report("6.proc1-environ", fd < 0, fd < 0 ? err_name(errno) : "readable");
    if (fd >= 0) close(fd);
    report("6.parent-is-init", getppid() == 1 || getppid() == 0, "ppid " + std::to_string(getppid()));
    // init is a fork of the supervisor: its command line must not show the
    // supervisor's (manifest path, host folders), only its title.
    std::ifstream cmdline_file("/proc/1/cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(cmdline_file)), std::istreambuf_iterator<char>());
    while (!cmdline.empty() && cmdline.back() == '\0') cmdline.pop_back();
    std::string shown = cmdline;
    for (char& c : shown)
        if (c == '\0') c = ' ';
    report("6.proc1-cmdline", cmdline == "deskbox-init", "'" + shown + "'");
}

void terminals() {
    SYS_REFUSED("7", SYS_ioctl, -1, TIOCSTI, (void*)1);
    SYS_REFUSED("7", SYS_ioctl, -1, 0x100000000ull | TIOCSTI, (void*)1);
    SYS_REFUSED("7", SYS_ioctl, -1, 0x541C /* TIOCLINUX */, (void*)1);
    SYS_REFUSED("7", SYS_ioctl, -1, 0xffffffff00000000ull | 0x541C, (void*)1);
    errno = 0;
    const int tty = open("/dev/tty", O_RDWR);
    report("7.no-controlling-tty", tty < 0, tty < 0 ? err_name(errno) : "opened /dev/tty");
    if (tty >= 0) close(tty);
    report("7.own-session", getsid(0) == getpid() || getsid(0) != 1, "sid " + std::to_string(getsid(0)));
}

void kernel_surface() {
    SYS_REFUSED("8", SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
    SYS_REFUSED("8", SYS_add_key, (char*)1, (char*)1, (void*)1, 1, 0);
    SYS_REFUSED("8", SYS_request_key, (char*)1, (char*)1, (char*)1, 0);
    SYS_REFUSED("9", SYS_bpf, -1, (void*)1, 0);
    SYS_REFUSED("9", SYS_perf_event_open, (void*)1, 0, -1, -1, 0);
    SYS_REFUSED("9", SYS_userfaultfd, ~0);
    SYS_REFUSED("9", SYS_kexec_load, 0, 0, (void*)1, 0);
    SYS_REFUSED("9", SYS_kexec_file_load, -1, -1, 0, (char*)1, 0);
    SYS_REFUSED("9", SYS_init_module, (void*)1, 0, (char*)1);
    SYS_REFUSED("9", SYS_finit_module, -1, (char*)1, 0);
    SYS_REFUSED("9", SYS_delete_module, (char*)1, 0);
    SYS_REFUSED("9", SYS_io_uring_setup, 0, (void*)1);
    SYS_REFUSED("9", SYS_io_uring_enter, -1, 0, 0, 0, (void*)1, 0);
    SYS_REFUSED("9", SYS_io_uring_register, -1, 0, (void*)1, 0);
    SYS_REFUSED("9", SYS_iopl, 4);
    SYS_REFUSED("9", SYS_ioperm, 0, 1, 1);
    SYS_REFUSED("9", SYS_swapon, (char*)1, 0);
    SYS_REFUSED("9", SYS_reboot, 0, 0, 0, (void*)1);
    SYS_REFUSED("9", SYS_syslog, 10, (char*)1, 0);
    SYS_REFUSED("9", SYS_acct, (char*)1);
    SYS_REFUSED("9", SYS_settimeofday, (void*)1, (void*)1);
    SYS_REFUSED("9", SYS_clock_settime, CLOCK_REALTIME, (void*)1);
    SYS_REFUSED("9", SYS_personality, ADDR_NO_RANDOMIZE);
    SYS_REFUSED("9", SYS_mknodat, AT_FDCWD, "/tmp/probe-dev", S_IFCHR | 0600, makedev(1, 3));
    SYS_REFUSED("9", SYS_open_by_handle_at, -1, (void*)1, 0);
    errno = 0;
    const long keep = syscall(SYS_personality, 0xffffffffUL);
    report("9.personality-linux", syscall(SYS_personality, PER_LINUX) >= 0, "query gave " + std::to_string(keep));
}

void filesystem() {
    int pids = 0;
    if (DIR* d = opendir("/proc")) {
        while (dirent* e = readdir(d))
            if (e->d_name[0] >= '1' && e->d_name[0] <= '9') ++pids;
        closedir(d);
    }
    report("10.proc-only-sandbox", pids > 0 && pids < 30, std::to_string(pids) + " pids in /proc");
    // Mount points allowed inside: the system binds, the sandbox's own tmpfs, proc, dev.
    std::istringstream mi(read_file("/proc/self/mountinfo"));
    std::string bad;
    for (std::string line; std::getline(mi, line);) {
        std::istringstream f(line);
        std::string id, parent, dev, root, point;
        f >> id >> parent >> dev >> root >> point;
        bool ok = false;
        for (const char* p : {"/usr", "/etc", "/lib", "/opt", "/bin", "/sbin", "/home/agent", "/tmp", "/run/user/1000",
                              "/run/deskbox", "/dev", "/proc"})
            if (point == p || point.rfind(std::string(p) + "/", 0) == 0) ok = true;
        if (point == "/") ok = true;
        // fontconfig's system font cache, bound read-only (checked below).
        if (point == "/var/cache/fontconfig") ok = true;
        if (!ok) bad += point + " ";
    }
    report("10.mountinfo", bad.empty(), bad.empty() ? "only expected mounts" : "unexpected: " + bad);
    struct statvfs fonts {};
    if (statvfs("/var/cache/fontconfig", &fonts) == 0)
        report("10.fontconfig-cache-rofs", fonts.f_flag & ST_RDONLY,
               fonts.f_flag & ST_RDONLY ? "mounted read-only" : "mounted read-write");
    // The app user may lack write permission anyway (EACCES): the mount itself must be read-only.
    errno = 0;
    int fd = open("/proc/sys/kernel/hostname", O_WRONLY);
    const int open_err = errno;
    struct statvfs sys {};
    const bool ro_mount = statvfs("/proc/sys", &sys) == 0 && (sys.f_flag & ST_RDONLY);
    report("10.proc-sys-rofs", fd < 0 && (open_err == EROFS || open_err == EACCES) && ro_mount,
           (fd < 0 ? err_name(open_err) : "writable") + (ro_mount ? ", mounted read-only" : ", mounted read-write"));
    if (fd >= 0) close(fd);

    errno = 0;
    fd = open("/etc/shadow", O_RDONLY);
    report("11.shadow", fd < 0, fd < 0 ? err_name(errno) : "readable");
    if (fd >= 0) close(fd);
    for (const char* path : {"/root", "/home/agent/.ssh", "/home/agent/.Xauthority", "/run/deskbox/agent.sock",
                             "/run/deskbox/review.sock", "/run/deskbox/audit.jsonl", "/run/deskbox/status.json",
                             "/run/dbus/system_bus_socket", "/var/run/docker.sock"}) {
        struct stat st {};
        report(std::string("11.absent:") + path, lstat(path, &st) != 0, "");
    }
    int homes = 0;
    if (DIR* d = opendir("/home")) {
        while (dirent* e = readdir(d))
            if (e->d_name[0] != '.') ++homes;
        closedir(d);
    }
    report("11.only-agent-home", homes == 1, std::to_string(homes) + " entries in /home");

    for (const char* path : {"/usr/probe", "/etc/probe", "/lib/probe", "/probe", "/run/deskbox/probe"}) {
        errno = 0;
        fd = open(path, O_WRONLY | O_CREAT, 0600);
        report(std::string("12.read-only:") + path, fd < 0 && (errno == EROFS || errno == EACCES),
               fd < 0 ? err_name(errno) : "created");
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
    }
    // Disk fill: the tmpfs ends with ENOSPC (or EFBIG at the fsize rlimit), never the host disk.
    for (const char* path : {"/tmp/probe-fill", "/home/agent/probe-fill"}) {
        signal(SIGXFSZ, SIG_IGN);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        std::vector<char> block(1 << 20, 'x');
        int last = 0;
        long long written = 0;
        for (int i = 0; i < 4096; ++i) {
            const ssize_t n = write(fd, block.data(), block.size());
            if (n < 0) {
                last = errno;
                break;
            }
            written += n;
        }
        report(std::string("22.fill:") + path, last == ENOSPC || last == EFBIG,
               err_name(last) + " after " + std::to_string(written >> 20) + " MiB");
        close(fd);
        unlink(path);
    }
    report("22.tmp-usable-after", run({"sh", "-c", "echo ok > /tmp/after && rm /tmp/after"}) == 0, "");

    std::string fds;
    if (DIR* d = opendir("/proc/self/fd")) {
        const int own = dirfd(d);
        while (dirent* e = readdir(d)) {
            if (e->d_name[0] == '.') continue;
            const int n = std::atoi(e->d_name);
            if (n > 2 && n != own) fds += std::string(e->d_name) + " ";
        }
        closedir(d);
    }
    report("13.only-std-fds", fds.empty(), fds.empty() ? "0 1 2" : "extra: " + fds);
}

int connect_inet(const char* ip, int port, int type = SOCK_STREAM) {
    const int s = socket(AF_INET, type, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, ip, &a.sin_addr);
    errno = 0;
    const int rc = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    const int err = errno;
    close(s);
    errno = err;
    return rc;
}

void network() {
    int rc = connect_inet("192.0.2.1", 80);
    report("14.egress", rc < 0, rc < 0 ? err_name(errno) : "connected");
    rc = connect_inet("127.0.0.1", 22);
    report("14.host-loopback", rc < 0, rc < 0 ? err_name(errno) : "connected");
    errno = 0;
    int s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    report("14.raw-socket", s < 0, s < 0 ? err_name(errno) : "created");
    if (s >= 0) close(s);
    // ping must exist for this probe to mean anything (packaging/deps/sandbox.txt).
    const bool have_ping = access("/usr/bin/ping", X_OK) == 0 || access("/bin/ping", X_OK) == 0;
    const int ping = have_ping ? run({"ping", "-c", "1", "-W", "1", "192.0.2.1"}) : 0;
    report("14.ping", have_ping && !(WIFEXITED(ping) && WEXITSTATUS(ping) == 0),
           have_ping ? "exit status " + std::to_string(ping) : "ping is not installed");
    std::string ifs;
    if (struct if_nameindex* list = if_nameindex()) {
        for (auto* i = list; i->if_index; ++i) ifs += std::string(i->if_name) + " ";
        if_freenameindex(list);
    }
    report("14.only-lo", ifs == "lo ", "interfaces: " + ifs);
    // The host's D-Bus and X sockets by path are absent; /proc/net/unix shows only sandbox sockets.
    std::istringstream unix_list(read_file("/proc/net/unix"));
    std::string line, foreign;
    std::getline(unix_list, line);
    while (std::getline(unix_list, line)) {
        const auto slash = line.find(" /");
        if (slash != std::string::npos && line.find("/tmp/.X11-unix") == std::string::npos &&
            line.find("/run/user/1000") == std::string::npos)
            foreign += line.substr(slash + 1) + " ";
    }
    report("15.proc-net-unix", foreign.empty(), foreign.empty() ? "only sandbox sockets" : "foreign: " + foreign);
    report("16.resolv-empty", read_file("/etc/resolv.conf").empty(), "");
    addrinfo* res = nullptr;
    const int gai = getaddrinfo("example.com", "80", nullptr, &res);
    report("16.no-dns", gai != 0, gai != 0 ? gai_strerror(gai) : "resolved");
    if (res) freeaddrinfo(res);
    rc = connect_inet("8.8.8.8", 53, SOCK_DGRAM);
    report("16.outside-resolver", rc < 0, rc < 0 ? err_name(errno) : "connected");
}

int abstract_socket(const std::string& name, bool listen_on) {
    const int s = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::memcpy(a.sun_path + 1, name.data(), name.size());
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    if (listen_on) {
        if (bind(s, reinterpret_cast<sockaddr*>(&a), len) != 0 || listen(s, 4) != 0) return -1;
        return s;
    }
    const int rc = connect(s, reinterpret_cast<sockaddr*>(&a), len);
    close(s);
    return rc;
}

int listen_tcp(int port) {
    const int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int one = 1;
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(s, 4) != 0) return -1;
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "attacks";
    if (mode == "attacks") {
        identity();
        namespaces();
        mounts();
        peeking();
        terminals();
        kernel_surface();
        filesystem();
        network();
        std::cout << "PROBE-DONE " << failures << std::endl;
        return failures == 0 ? 0 : 1;
    }
    if (mode == "hold") {
        // Item 24: a process that escapes into its own session and would live forever.
        run({"setsid", "-f", "sleep", "1e9"});
        std::cout << "PROBE-HOLDING" << std::endl;
        pause();
        return 0;
    }
    if (mode == "listen" && argc > 2) {
        const std::string name = argv[2];
        const int fd = open(("/tmp/marker-" + name).c_str(), O_WRONLY | O_CREAT, 0644);
        const int abs = abstract_socket("deskbox-test-" + name, true);
        const int tcp = listen_tcp(7777);
        std::cout << "PROBE-LISTENING " << name << " " << (fd >= 0 && abs >= 0 && tcp >= 0 ? "ok" : "failed")
                  << std::endl;
        pause();
        return 0;
    }
    if (mode == "peek" && argc > 2) {
        const std::string other = argv[2];
        struct stat st {};
        report("iso.file", stat(("/tmp/marker-" + other).c_str(), &st) != 0, "");
        report("iso.abstract", abstract_socket("deskbox-test-" + other, false) != 0, err_name(errno));
        report("iso.tcp", connect_inet("127.0.0.1", 7777) != 0, err_name(errno));
        bool seen = false;
        if (DIR* d = opendir("/proc")) {
            while (dirent* e = readdir(d)) {
                if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
                const std::string cmd = read_file(std::string("/proc/") + e->d_name + "/cmdline");
                if (cmd.find(std::string("listen\0", 7) + other) != std::string::npos) seen = true;
            }
            closedir(d);
        }
        report("iso.processes", !seen, seen ? "sees the other session's process" : "");
        std::cout << "PROBE-DONE " << failures << std::endl;
        pause();
        return 0;
    }
    if (mode == "membomb") {
        std::cout << "PROBE-BOMBING memory" << std::endl;
        std::vector<char*> blocks;
        for (;;) {
            char* p = static_cast<char*>(std::malloc(1 << 20));
            if (!p) continue;
            std::memset(p, 1, 1 << 20);
            blocks.push_back(p);
        }
    }
    if (mode == "forkbomb") {
        std::cout << "PROBE-BOMBING forks" << std::endl;
        int refused_forks = 0;
        for (int i = 0; i < 100000 && refused_forks < 50; ++i) {
            const pid_t pid = fork();
            if (pid == 0) {
                pause();
                _exit(0);
            }
            if (pid < 0) ++refused_forks;
        }
        std::cout << "PROBE-FORKS-REFUSED " << refused_forks << std::endl;
        pause();
        return 0;
    }
    if (mode == "cpuburn") {
        std::cout << "PROBE-BURNING" << std::endl;
        volatile unsigned long spins = 0;
        for (;;) spins = spins + 1;
    }
    std::cerr << "usage: deskbox-probe attacks|hold|listen NAME|peek NAME|membomb|forkbomb|cpuburn\n";
    return 64;
}
