// Starting a program, written once (supervisor/base/exec_path.h,
// child_exec.h): the PATH search, the descriptor shuffle of the child (in a
// real forked child, checked through /proc/self/fd of a real program), and
// the event loop's handler for an exception escaping a callback.
#include "supervisor/base/child_exec.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "supervisor/base/error.h"
#include "supervisor/base/event_loop.h"
#include "supervisor/base/exec_path.h"
#include "supervisor/base/host_spawner.h"
#include "supervisor/base/unique_fd.h"

using namespace deskbox;

BOOST_AUTO_TEST_SUITE(child_exec)

BOOST_AUTO_TEST_CASE(the_path_search_finds_the_first_executable) {
    BOOST_TEST(search_exec_path("sh", "/nonexistent:/bin:/usr/bin") == "/bin/sh");
    BOOST_TEST(search_exec_path("sh", "") == "/usr/bin/sh");  // the default PATH, /usr/local/bin first
    BOOST_TEST(search_exec_path("no-such-program-deskbox", "/bin:/usr/bin").empty());
    BOOST_TEST(search_exec_path("./relative/x", "/bin") == "./relative/x");  // a '/' in the name: as is
    BOOST_TEST(search_exec_path("passwd", "/etc").empty());                  // found, but not executable
    BOOST_TEST(search_exec_path("sh", "::/bin") == "/bin/sh");               // empty entries are skipped
    BOOST_TEST(path_of_env({"HOME=/x", "PATH=/a:/b", "LANG=C"}) == "/a:/b");
    BOOST_TEST(path_of_env({"HOME=/x"}).empty());
    BOOST_CHECK_THROW(find_program("no-such-program-deskbox", "/bin"), Error);
}

BOOST_AUTO_TEST_CASE(the_child_gets_exactly_the_descriptors_it_was_handed) {
    // Two pipes whose ends swap places: 3 -> 4 and 4 -> 3 must not clobber each other.
    int a[2], b[2];
    BOOST_REQUIRE(pipe2(a, O_CLOEXEC) == 0 && pipe2(b, O_CLOEXEC) == 0);
    UniqueFd a_read(a[0]), a_write(a[1]), b_read(b[0]), b_write(b[1]);
    UniqueFd leaked(open("/dev/null", O_RDONLY));  // no close-on-exec: must still not reach the program
    BOOST_REQUIRE(leaked);
    int out[2];
    BOOST_REQUIRE(pipe2(out, O_CLOEXEC) == 0);
    UniqueFd out_read(out[0]), out_write(out[1]);

    std::vector<std::string> argv = {"/bin/sh", "-c", "ls /proc/self/fd >&7; echo A >&5; echo B >&6"};
    std::vector<std::string> env = {"PATH=/bin:/usr/bin"};
    const std::vector<char*> cargv = exec_array(argv), cenv = exec_array(env);
    BOOST_REQUIRE(cargv.size() == 4 && cargv.back() == nullptr);
    // b's write end at 5, a's at 6, the listing to 7.
    const FdMove moves[] = {{b_write.get(), 5}, {a_write.get(), 6}, {out_write.get(), 7}};
    int report[2];
    BOOST_REQUIRE(pipe2(report, O_CLOEXEC) == 0);
    UniqueFd report_read(report[0]);
    const pid_t pid = fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        int report_fd = report[1];
        int err = place_fds(moves, 3, &report_fd);
        if (err == 0) {
            execve(cargv[0], cargv.data(), cenv.data());
            err = errno;
        }
        [[maybe_unused]] auto n = write(report_fd, &err, sizeof err);
        _exit(127);
    }
    close(report[1]);
    a_write.reset();
    b_write.reset();
    out_write.reset();
    int child_errno = 0;
    BOOST_TEST(read(report_read.get(), &child_errno, sizeof child_errno) == 0);  // closed at exec
    int status = 0;
    BOOST_REQUIRE(waitpid(pid, &status, 0) == pid);
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);
    auto read_all = [](int fd) {
        std::string s;
        char buf[256];
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
        return s;
    };
    BOOST_TEST(read_all(b_read.get()) == "A\n");
    BOOST_TEST(read_all(a_read.get()) == "B\n");
    // 0-2 inherited, 5-7 handed over, one more for ls's own directory handle: nothing leaked.
    std::string listing = read_all(out_read.get());
    std::vector<int> fds;
    std::size_t start = 0;
    while (start < listing.size()) {
        const std::size_t end = listing.find('\n', start);
        fds.push_back(std::stoi(listing.substr(start, end - start)));
        start = end == std::string::npos ? listing.size() : end + 1;
    }
    for (int fd : fds)
        BOOST_TEST((fd <= 2 || (fd >= 5 && fd <= 7) || fd == 3), "unexpected fd " << fd << " in the child");
    BOOST_TEST(std::count(fds.begin(), fds.end(), 3) <= 1);
}

BOOST_AUTO_TEST_CASE(a_callback_exception_goes_to_the_handler_and_the_loop_goes_on) {
    EventLoop loop;
    std::vector<std::string> errors;
    loop.on_callback_error([&](const std::string& what) {
        errors.push_back(what);
        loop.stop();
    });
    bool later_ran = false;
    loop.add_timer(Millis(0), [] { throw Error("status.json: no space left"); });
    loop.add_timer(Millis(0), [&] { later_ran = true; });
    loop.post([] { throw std::runtime_error("posted work failed"); });
    for (int i = 0; i < 10 && errors.size() < 2; ++i) loop.run_once(Millis(100));
    BOOST_TEST(errors.size() == 2u);
    BOOST_TEST(std::count(errors.begin(), errors.end(), "status.json: no space left") == 1);
    BOOST_TEST(std::count(errors.begin(), errors.end(), "posted work failed") == 1);
    BOOST_TEST(later_ran);  // the loop went on with the other callbacks
}

BOOST_AUTO_TEST_CASE(without_a_handler_the_exception_leaves_the_loop) {
    EventLoop loop;
    loop.add_timer(Millis(0), [] { throw Error("no handler"); });
    BOOST_CHECK_THROW(loop.run_once(Millis(100)), Error);
}

BOOST_AUTO_TEST_SUITE_END()
