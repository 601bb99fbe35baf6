// Ready means visible: `ready: {wm_class}` waits until the app's window has
// drawn, so the first screenshot after "ready" shows the app, not a black
// frame. LibreOffice Calc maps its window well before it paints it.
#define BOOST_TEST_MODULE deskbox ready visible tests
#include <boost/test/unit_test.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "supervisor/control/agent_client.h"
#include "supervisor/control/base64.h"
#include "tests/integration/session_harness.h"
#include "xsession/capture/codecs.h"

using namespace deskbox;
using namespace deskbox::test;

BOOST_AUTO_TEST_CASE(the_first_screenshot_after_ready_shows_the_app) {
    if (!require_root()) return;
    TestDirs dirs;
    const std::string name = "it-ready-visible";
    SessionProcess session(dirs, dirs.manifest(name, "session: {name: " + name +
                                                         "}\n"
                                                         "sandbox: {memory: 2G, pids: 512}\n"
                                                         "apps:\n"
                                                         "  - name: calc\n"
                                                         "    exec: [libreoffice, --calc, --norestore, --nologo]\n"
                                                         "    ready: {wm_class: libreoffice-calc, timeout: 180s}\n"
                                                         "review: {vnc: {enabled: false}}\n"));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 200'000), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    // At once, without settling: what an agent's first look gets.
    const Json shot = agent.call({{"action", "screenshot"}});
    BOOST_REQUIRE_MESSAGE(shot.value("ok", false), shot.dump().substr(0, 500));
    BOOST_REQUIRE_MESSAGE(shot.contains("tool_result"), shot.dump().substr(0, 500));
    const std::string data = shot["tool_result"]["content"][0]["source"]["data"];
    std::string png;
    BOOST_REQUIRE(base64_decode(data, png));
    const RgbImage image = decode_png(png);
    if (const char* keep = std::getenv("DESKBOX_TEST_KEEP_SHOT")) std::ofstream(keep) << png;
    // Before Calc paints, its window and the root are black; once it has, the
    // cell grid and toolbars are light.
    std::size_t light = 0;
    for (std::size_t i = 0; i + 2 < image.pixels.size(); i += 3)
        if (image.pixels[i] > 200 && image.pixels[i + 1] > 200 && image.pixels[i + 2] > 200) ++light;
    const double light_share = static_cast<double>(light) / static_cast<double>(image.pixels.size() / 3);
    BOOST_TEST(light_share > 0.1, "share of light pixels in the first screenshot: " << light_share);
    session.signal(SIGTERM);
    BOOST_TEST(session.wait_exit(60'000) == 0, session.output());
}
