// The seccomp program, loaded in a forked child (the test process stays
// clean): refused calls fail with EPERM/ENOSYS, allowed ones behave normally.
#include "supervisor/sandbox/seccomp.h"

#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <functional>

using namespace deskbox::sandbox;

namespace {

// Runs `probe` in a child under the filter; returns the errno it reports (0: call succeeded).
int errno_under_filter(FilterVariant variant, const std::function<long()>& probe) {
    const SeccompProgram program = build_seccomp_program(variant);
    int fds[2];
    BOOST_REQUIRE(pipe(fds) == 0);
    const pid_t pid = fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        int result = load_seccomp_program(program);
        if (result == 0) {
            errno = 0;
            result = probe() < 0 ? errno : 0;
        } else {
            result = -result;
        }
        [[maybe_unused]] auto n = write(fds[1], &result, sizeof result);
        _exit(0);
    }
    close(fds[1]);
    int result = -1;
    BOOST_REQUIRE(read(fds[0], &result, sizeof result) == sizeof result);
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    return result;
}

}  // namespace

BOOST_AUTO_TEST_CASE(program_is_built_for_both_variants) {
    BOOST_TEST(build_seccomp_program(FilterVariant::Default).instructions.size() > 50u);
    BOOST_TEST(build_seccomp_program(FilterVariant::BrowserSandbox).instructions.size() > 50u);
}

BOOST_AUTO_TEST_CASE(namespace_creation_is_refused) {
    BOOST_TEST(errno_under_filter(FilterVariant::Default, [] { return unshare(CLONE_NEWUSER); }) == EPERM);
    BOOST_TEST(errno_under_filter(FilterVariant::Default, [] { return unshare(CLONE_NEWNS); }) == EPERM);
    BOOST_TEST(errno_under_filter(FilterVariant::Default, [] {
                   const long rc = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
                   if (rc == 0) _exit(0);
                   return rc;
               }) == EPERM);
    BOOST_TEST(errno_under_filter(FilterVariant::Default, [] {
                   clone_args args{};
                   args.exit_signal = SIGCHLD;
                   const long rc = syscall(SYS_clone3, &args, sizeof args);
                   if (rc == 0) _exit(0);
                   return rc;
               }) == ENOSYS);
    BOOST_TEST(errno_under_filter(FilterVariant::Default, [] { return syscall(SYS_setns, -1, 0); }) == EPERM);
}

BOOST_AUTO_TEST_CASE(browser_variant_lets_user_namespaces_through_the_filter) {
    // The filter no longer answers EPERM; what the kernel says depends on the machine.
    const int err = errno_under_filter(FilterVariant::BrowserSandbox, [] { return unshare(CLONE_NEWUSER); });
    BOOST_TEST(err != EPERM);
    BOOST_TEST(errno_under_filter(FilterVariant::BrowserSandbox, [] { return syscall(SYS_setns, -1, 0); }) == EPERM);
    BOOST_TEST(errno_under_filter(FilterVariant::BrowserSandbox, [] { return syscall(SYS_mount, 1, 1, 1, 0, 1); }) ==
               EPERM);
}

BOOST_AUTO_TEST_CASE(terminal_injection_is_refused_with_high_bits_too) {
    BOOST_TEST(errno_under_filter(FilterVariant::Default, [] { return syscall(SYS_ioctl, -1, TIOCSTI, 1); }) == EPERM);
    BOOST_TEST(errno_under_filter(FilterVariant::Default,
                                  [] { return syscall(SYS_ioctl, -1, 0x100000000ul | TIOCSTI, 1); }) == EPERM);
    BOOST_TEST(errno_under_filter(FilterVariant::Default, [] { return syscall(SYS_ioctl, -1, 0x541C, 1); }) == EPERM);
    // Other ioctls pass the filter: a bad fd gives EBADF.
    BOOST_TEST(errno_under_filter(FilterVariant::Default, [] { return syscall(SYS_ioctl, -1, TIOCGWINSZ, 1); }) ==
               EBADF);
}

BOOST_AUTO_TEST_CASE(kernel_surface_is_refused_and_ordinary_calls_work) {
    BOOST_TEST(errno_under_filter(FilterVariant::Default, [] { return syscall(SYS_io_uring_setup, 0, 1); }) == EPERM);
    BOOST_TEST(errno_under_filter(FilterVariant::Default, [] { return syscall(SYS_keyctl, 0, 0, 0); }) == EPERM);
    BOOST_TEST(errno_under_filter(FilterVariant::Default, [] { return syscall(SYS_bpf, -1, 1, 0); }) == EPERM);
    BOOST_TEST(errno_under_filter(FilterVariant::Default, [] { return syscall(SYS_personality, 0x0040000); }) == EPERM);
    BOOST_TEST(errno_under_filter(FilterVariant::Default, [] { return syscall(SYS_personality, 0); }) == 0);
    BOOST_TEST(errno_under_filter(FilterVariant::Default, [] { return syscall(SYS_close, -1); }) == EBADF);
}
