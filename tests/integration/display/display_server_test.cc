// Xvfb start-up, cookies, decoded X errors, waiting for windows.
#include <X11/Xlib.h>
#include <X11/extensions/Xdamage.h>

#include <fstream>
#include <iterator>

#include "supervisor/base/error.h"
#include "tests/integration/display/display_fixture.h"
#include "xsession/display/windows.h"

using namespace deskbox;
using namespace deskbox::testing;

BOOST_AUTO_TEST_SUITE(display_server)

BOOST_AUTO_TEST_CASE(xvfb_reports_its_display_and_checks_the_cookie) {
    if (!have_program("Xvfb")) return;
    DisplayFixture f(640, 480);
    BOOST_TEST(f.server.display_number >= 0);
    BOOST_TEST(f.server.cookie.size() == 16u);
    BOOST_TEST(f.x.width() == 640);
    BOOST_TEST(f.x.height() == 480);
    std::string wrong = f.server.cookie;
    wrong[0] = static_cast<char>(wrong[0] ^ 0x5a);
    try {
        XConnection::open(f.server.display_number, wrong);
        BOOST_FAIL("a wrong cookie was accepted");
    } catch (const Error& error) {
        BOOST_TEST(std::string(error.what()) == "opening X display :" + std::to_string(f.server.display_number) +
                                                    ": the server refused or is unreachable");
    }
}

// GLX costs every session Mesa's software renderer (libLLVM): loaded only when asked for.
BOOST_AUTO_TEST_CASE(glx_and_mesa_only_when_asked) {
    if (!have_program("Xvfb")) return;
    int opcode = 0, event = 0, error = 0;
    {
        DisplayFixture f(640, 480);
        BOOST_TEST(!XQueryExtension(f.x.get(), "GLX", &opcode, &event, &error));
        std::ifstream in("/proc/" + std::to_string(f.server.pid) + "/maps");
        const std::string maps((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        BOOST_TEST(maps.find("/usr/bin/Xvfb") != std::string::npos);
        BOOST_TEST(maps.find("libLLVM") == std::string::npos);
        BOOST_TEST(maps.find("_dri.so") == std::string::npos);
    }
    DisplayFixture f(640, 480, /*glx=*/true);
    BOOST_TEST(XQueryExtension(f.x.get(), "GLX", &opcode, &event, &error));
}

BOOST_AUTO_TEST_CASE(xvfb_failure_names_its_exit_status) {
    if (!have_program("Xvfb")) return;
    EventLoop loop;
    HostSpawner spawner(loop);
    XvfbOptions options;
    options.depth = 3;  // Xvfb refuses this depth and exits
    options.auth_file_host = "/tmp/deskbox-test-bad-xvfb-auth";
    options.extra_env = {"PATH=/usr/bin:/bin"};
    try {
        start_xvfb(spawner, loop, options);
        BOOST_FAIL("Xvfb with depth 3 started");
    } catch (const Error& error) {
        BOOST_TEST(std::string(error.what()).find("starting Xvfb: it exited with status") == 0,
                   "message: " << error.what());
    }
    unlink(options.auth_file_host.c_str());
}

BOOST_AUTO_TEST_CASE(x_errors_are_decoded_with_request_and_resource) {
    if (!have_program("Xvfb")) return;
    DisplayFixture f(320, 240);
    BOOST_TEST(f.x.error_count() == 0u);
    XMapWindow(f.x.get(), 0x1234567);  // no such window
    f.x.sync();
    BOOST_TEST(f.x.error_count() == 1u);
    const std::string core = f.x.last_error();
    BOOST_TEST(core.find("BadWindow") != std::string::npos, core);
    BOOST_TEST(core.find("request 8 (X_MapWindow)") != std::string::npos, core);
    BOOST_TEST(core.find("resource 0x1234567") != std::string::npos, core);

    // An extension request: its name comes from the server's extension list.
    int event_base = 0, error_base = 0;
    BOOST_REQUIRE(XDamageQueryExtension(f.x.get(), &event_base, &error_base));
    XDamageDestroy(f.x.get(), 0x7654321);
    f.x.sync();
    BOOST_TEST(f.x.error_count() == 2u);
    const std::string ext = f.x.last_error();
    BOOST_TEST(ext.find(" (DAMAGE XDamageDestroy)") != std::string::npos, ext);
    BOOST_TEST(ext.find("resource 0x7654321") != std::string::npos, ext);

    // Inside a trap the error goes to the trap, not to the log.
    XErrorTrap trap(f.x.get());
    XMapWindow(f.x.get(), 0x1234568);
    BOOST_TEST(trap.sync_and_get().size() == 1u);
    BOOST_TEST(f.x.error_count() == 2u);
}

BOOST_AUTO_TEST_CASE(waits_for_a_window_by_title_and_class) {
    if (!have_program("Xvfb")) return;
    DisplayFixture f(320, 240);
    f.start_app({f.probe_path(), "probe window one"}, "probe");
    const WindowInfo by_title = wait_for_window(f.x.get(), {"", "window one"}, Millis(20000), "probe");
    BOOST_TEST(by_title.title == "probe window one");
    BOOST_TEST(by_title.wm_class == "DeskboxProbe");
    const WindowInfo by_class = wait_for_window(f.x.get(), {"deskbox-probe", ""}, Millis(20000), "probe");
    BOOST_TEST(by_class.id == by_title.id);
    try {
        wait_for_window(f.x.get(), {"", "nope"}, Millis(300), "editor");
        BOOST_FAIL("found a window that does not exist");
    } catch (const Error& error) {
        BOOST_TEST(std::string(error.what()) ==
                   "app 'editor': no window with title 'nope' within " + format_duration(Millis(300)));
    }
}

BOOST_AUTO_TEST_SUITE_END()
