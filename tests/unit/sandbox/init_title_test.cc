// init overwrites its copy of the supervisor's argv area: /proc/PID/cmdline
// of the (forked) process then reads "deskbox-init" and nothing of the
// command line it was started with.
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <iterator>
#include <string>

#include "supervisor/sandbox/init.h"

using namespace deskbox::sandbox;

BOOST_AUTO_TEST_CASE(argv_area_is_our_command_line) {
    const ArgvArea area = own_argv_area();
    BOOST_REQUIRE(area.end > area.start);
    const char* argv0 = boost::unit_test::framework::master_test_suite().argv[0];
    BOOST_TEST(std::string(reinterpret_cast<const char*>(area.start)) == argv0);
}

BOOST_AUTO_TEST_CASE(overwritten_area_shows_only_the_title) {
    const ArgvArea area = own_argv_area();
    int ready[2], done[2];
    BOOST_REQUIRE(pipe(ready) == 0 && pipe(done) == 0);
    const pid_t child = fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
        close(ready[0]);
        close(done[1]);  // so that the parent's close ends our read
        overwrite_argv_area(area, kInitTitle);
        char c = 1;
        [[maybe_unused]] auto w = write(ready[1], &c, 1);
        [[maybe_unused]] auto r = read(done[0], &c, 1);  // stay alive until the parent has looked
        _exit(0);
    }
    close(ready[1]);
    close(done[0]);
    char c;
    BOOST_REQUIRE(read(ready[0], &c, 1) == 1);
    std::ifstream in("/proc/" + std::to_string(child) + "/cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ifstream comm_in("/proc/" + std::to_string(child) + "/comm");
    std::string comm;
    std::getline(comm_in, comm);
    close(done[1]);
    close(ready[0]);
    waitpid(child, nullptr, 0);
    const std::string original = boost::unit_test::framework::master_test_suite().argv[0];
    BOOST_TEST(cmdline.rfind(std::string(kInitTitle) + '\0', 0) == 0u);
    BOOST_TEST(cmdline.find_first_not_of('\0', std::string(kInitTitle).size()) == std::string::npos);
    BOOST_TEST(cmdline.find(original) == std::string::npos);
    BOOST_TEST(comm == "deskbox-init");
}
