#include "supervisor/sandbox/seccomp.h"

#include <asm/ioctls.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "supervisor/base/error.h"
#include "supervisor/base/unique_fd.h"

#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

namespace deskbox::sandbox {
namespace {

constexpr std::uint64_t kNamespaceFlags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC |
                                          CLONE_NEWUTS | CLONE_NEWCGROUP | CLONE_NEWTIME;

// Syscalls refused outright in every variant. Names the running libseccomp
// does not know (or the architecture lacks) are skipped, not errors.
const std::vector<std::string> kDenied = {
    // kernel keyrings
    "add_key",
    "keyctl",
    "request_key",
    // modules, kexec, reboot, swap
    "init_module",
    "finit_module",
    "delete_module",
    "create_module",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "swapon",
    "swapoff",
    // kernel tracing, bpf, perf, userfaultfd, io_uring
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "lookup_dcookie",
    "syslog",
    "acct",
    "quotactl",
    "quotactl_fd",
    // hardware and clocks
    "iopl",
    "ioperm",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "stime",
    // the mount family and root changes
    "mount",
    "umount",
    "umount2",
    "pivot_root",
    "open_tree",
    "move_mount",
    "fsopen",
    "fsmount",
    "fsconfig",
    "fspick",
    "mount_setattr",
    // namespaces joined from outside
    "setns",
    // looking into other processes
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_getfd",
    "process_madvise",
    // file handles bypass path permission checks (the "shocker" escape)
    "open_by_handle_at",
    "name_to_handle_at",
    // obsolete or dangerous leftovers
    "uselib",
    "nfsservctl",
    "vm86",
    "vm86old",
    "get_kernel_syms",
    "query_module",
    "sysfs",
    "_sysctl",
    "vhangup",
};

// In the default variant these are denied too; the browser variant allows them.
const std::vector<std::string> kDeniedUnlessBrowser = {"chroot"};

struct CtxDeleter {
    void operator()(void* ctx) const { seccomp_release(ctx); }
};

void check(int rc, const std::string& what) {
    if (rc < 0) throw_errno("building the seccomp filter: " + what, -rc);
}

void deny(scmp_filter_ctx ctx, const std::string& name, int err = EPERM) {
    const int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) return;  // unknown to this libseccomp: nothing to filter
    const int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), nr, 0);
    // -EDOM/-EINVAL: not a syscall on this architecture (e.g. vm86 on x86_64).
    if (rc == -EDOM || rc == -EINVAL) return;
    check(rc, name);
}

void deny_if_flags(scmp_filter_ctx ctx, const char* name, unsigned arg, std::uint64_t flags) {
    const int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) return;
    for (std::uint64_t bit = 1; bit; bit <<= 1) {
        if (!(flags & bit)) continue;
        check(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1, SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, bit, bit)),
              std::string(name) + " namespace flags");
    }
}

}  // namespace

const std::vector<std::string>& denied_syscalls() {
    return kDenied;
}

SeccompProgram build_seccomp_program(FilterVariant variant) {
    std::unique_ptr<void, CtxDeleter> owner(seccomp_init(SCMP_ACT_ALLOW));
    if (!owner) throw Error("building the seccomp filter: seccomp_init failed");
    scmp_filter_ctx ctx = owner.get();
#if defined(__x86_64__)
    // 32-bit entry points would otherwise bypass the rules written for x86_64.
    check(seccomp_arch_add(ctx, SCMP_ARCH_X86), "adding i386");
    check(seccomp_arch_add(ctx, SCMP_ARCH_X32), "adding x32");
#endif
    for (const auto& name : kDenied) deny(ctx, name);
    if (variant == FilterVariant::Default)
        for (const auto& name : kDeniedUnlessBrowser) deny(ctx, name);

    // clone3 passes its flags in memory the filter cannot read: ENOSYS makes
    // glibc fall back to clone, whose flags are checked below.
    deny(ctx, "clone3", ENOSYS);
    if (variant == FilterVariant::Default) {
        deny_if_flags(ctx, "unshare", 0, kNamespaceFlags);
        // x86_64 clone(flags, stack, parent_tid, child_tid, tls): flags are arg 0.
        deny_if_flags(ctx, "clone", 0, kNamespaceFlags);
    } else {
        // Chromium creates user, pid and net namespaces for its renderers; it
        // never needs a new mount namespace outside the user namespace, nor
        // time namespaces. setns and the mount family stay denied.
        deny_if_flags(ctx, "unshare", 0, CLONE_NEWTIME);
        deny_if_flags(ctx, "clone", 0, CLONE_NEWTIME);
    }

    // Terminal injection: the kernel compares the low 32 bits of the request,
    // so must we (a request with high bits set is the same ioctl).
    const int ioctl_nr = seccomp_syscall_resolve_name("ioctl");
    for (unsigned long request : {static_cast<unsigned long>(TIOCSTI), static_cast<unsigned long>(TIOCLINUX)})
        check(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), ioctl_nr, 1,
                               SCMP_CMP(1, SCMP_CMP_MASKED_EQ, 0xffffffffu, request)),
              "ioctl filter");

    // personality: only PER_LINUX (0) and PER_LINUX32 (8), as flatpak allows. One
    // rule per other bit of the (32-bit) persona; the 0xffffffff query is refused too.
    const int pers_nr = seccomp_syscall_resolve_name("personality");
    for (std::uint64_t bit = 1; bit <= 0x80000000ull; bit <<= 1) {
        if (bit == PER_LINUX32) continue;
        check(seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), pers_nr, 1, SCMP_CMP(0, SCMP_CMP_MASKED_EQ, bit, bit)),
              "personality filter");
    }

    // mknod of device nodes: type bits of the mode say character or block device.
    for (auto [name, arg] : {std::pair{"mknod", 1u}, std::pair{"mknodat", 2u}}) {
        const int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR) continue;
        for (std::uint64_t type : {static_cast<std::uint64_t>(S_IFCHR), static_cast<std::uint64_t>(S_IFBLK)}) {
            const int rc =
                seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1, SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, S_IFMT, type));
            if (rc == -EDOM || rc == -EINVAL) continue;
            check(rc, name);
        }
    }

    // Export the classic BPF program through a memfd and read it back.
    UniqueFd mem(memfd_create("deskbox-seccomp", MFD_CLOEXEC));
    if (!mem) throw_errno("building the seccomp filter: memfd_create");
    check(seccomp_export_bpf(ctx, mem.get()), "exporting BPF");
    const off_t size = lseek(mem.get(), 0, SEEK_END);
    if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0)
        throw Error("building the seccomp filter: exported program has an odd size");
    SeccompProgram program;
    program.instructions.resize(static_cast<std::size_t>(size) / sizeof(sock_filter));
    if (pread(mem.get(), program.instructions.data(), static_cast<std::size_t>(size), 0) != size)
        throw_errno("building the seccomp filter: reading the exported program");
    return program;
}

int load_seccomp_program(const SeccompProgram& program) noexcept {
    sock_fprog prog{};
    prog.len = static_cast<unsigned short>(program.instructions.size());
    prog.filter = const_cast<sock_filter*>(program.instructions.data());
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) return errno;
    return 0;
}

}  // namespace deskbox::sandbox
