// The seccomp filter of sandboxed apps. Compiled with libseccomp in the
// supervisor before the sandbox is cloned (exported as classic BPF); the app
// process only loads the program it already has in memory.
//
// Default action: allow. Denied (EPERM unless noted): everything flatpak and
// firejail deny (kernel keyrings, module loading, kexec, bpf, perf,
// userfaultfd, iopl/ioperm, swap, reboot, syslog, acct, clock setting,
// non-default personality, quotactl, open_by_handle_at, mknod of devices),
// the mount family, ptrace and cross-process memory/fd peeking, io_uring,
// ioctl TIOCSTI / TIOCLINUX (low 32 bits compared, CVE-2019-10063), setns,
// unshare and clone with namespace flags, and clone3 (ENOSYS, so that libc
// falls back to clone, whose flags the filter can inspect).
// The browser variant additionally allows clone/unshare with namespace flags
// and chroot: what Chromium's own namespace sandbox needs (docs/security.md).
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

namespace deskbox::sandbox {

enum class FilterVariant { Default, BrowserSandbox };

struct SeccompProgram {
    std::vector<sock_filter> instructions;
};

// Builds the filter for the native architecture (and i386/x32 on x86_64, so
// that 32-bit binaries meet the same rules). Throws deskbox::Error.
SeccompProgram build_seccomp_program(FilterVariant variant);

// Names of the syscalls the default filter refuses outright (docs and tests).
const std::vector<std::string>& denied_syscalls();

// Child side: loads the program (no_new_privs must already be set). Returns
// 0 or an errno; no allocation, usable between fork and exec.
int load_seccomp_program(const SeccompProgram& program) noexcept;

}  // namespace deskbox::sandbox
