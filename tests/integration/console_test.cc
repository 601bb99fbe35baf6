// The reviewers' web console end to end: a real session on the seed site
// (Chromium, policy/examples/ci-incident.yaml, the reviewers' VNC view on),
// a real `deskbox console`, and Debian's Chromium driving the console through
// puppeteer-core (console_browser.cjs). Screenshots of each page are kept in
// <build>/meson-logs/console-pages.
#define BOOST_TEST_MODULE deskbox console
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "supervisor/control/agent_client.h"
#include "supervisor/control/base64.h"
#include "tests/integration/seed_session.h"
#include "tests/integration/seed_site.h"
#include "tests/integration/session_harness.h"
#include "xsession/capture/codecs.h"

using namespace deskbox;
using namespace deskbox::test;

namespace {

std::filesystem::path artifacts_dir() {
    const char* root = std::getenv("DESKBOX_BUILD_ROOT");
    BOOST_TEST_REQUIRE(root != nullptr, "DESKBOX_BUILD_ROOT is not set (run through meson test)");
    const auto dir = std::filesystem::path(root) / "meson-logs" / "console-pages";
    std::filesystem::create_directories(dir);
    return dir;
}

struct Browser {
    std::string url, session, profile;
    // Runs one step of console_browser.cjs with `token`; returns its JSON.
    Json step(const std::string& name, const std::string& token, const std::vector<std::string>& extra = {}) {
        const char* source = std::getenv("DESKBOX_SOURCE_ROOT");
        BOOST_TEST_REQUIRE(source != nullptr);
        std::vector<std::string> argv = {"env",
                                         "CONSOLE_URL=" + url,
                                         "SESSION=" + session,
                                         "TOKEN=" + token,
                                         "PROFILE=" + profile,
                                         "ARTIFACTS=" + artifacts_dir().string()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        argv.insert(argv.end(), {"node", std::string(source) + "/tests/integration/console_browser.cjs", name});
        const auto [code, out] = run_command(argv);
        // The result is the last line that is JSON (Chromium may log before it).
        Json result;
        std::istringstream lines(out);
        for (std::string line; std::getline(lines, line);)
            if (!line.empty() && line[0] == '{') result = Json::parse(line, nullptr, false);
        BOOST_TEST_REQUIRE((code == 0 && result.is_object() && !result.contains("error")),
                           "browser step " << name << " failed (exit " << code << "): " << out);
        BOOST_TEST_MESSAGE("browser step " << name << ": " << result.dump());
        return result;
    }
};

std::string token_for(const TestDirs& dirs, const std::string& name) {
    const auto [code, out] = run_deskbox(dirs, {"console", "token", "add", name});
    BOOST_TEST_REQUIRE(code == 0, out);
    std::string token = out.substr(0, out.find('\n'));
    BOOST_TEST_REQUIRE(token.rfind("dbx_reviewer_", 0) == 0u, out);
    return token;
}

// Mean absolute difference per channel over `area` of two images of one size.
double mean_error(const RgbImage& a, const RgbImage& b, int x0, int y0, int w, int h) {
    double total = 0;
    for (int y = y0; y < y0 + h; ++y)
        for (int x = x0; x < x0 + w; ++x)
            for (int c = 0; c < 3; ++c) total += std::abs(int(a.at(x, y)[c]) - int(b.at(x, y)[c]));
    return total / (3.0 * w * h);
}

// The shipped policy with two redaction regions for the reviewer's picture:
// the incident page's "Status page" link (an element) and the screen's top
// left corner (a rectangle).
std::filesystem::path policy_with_redactions(const TestDirs& dirs) {
    std::string policy = slurp(seed_policy(dirs));
    const std::string anchor = "observe:\n";
    const auto at = policy.find(anchor);
    BOOST_TEST_REQUIRE(at != std::string::npos, "ci-incident.yaml has no observe: section");
    policy.insert(at + anchor.size(),
                  "  redact_regions:\n"
                  "    - {name: status link, element: {role: '^link$', name: '^Status page$'}}\n"
                  "    - {name: corner, rect: {x: 0, y: 0, width: 40, height: 40}}\n");
    const auto path = dirs.root() / "ci-incident-redacted.yaml";
    std::ofstream(path) << policy;
    return path;
}

// The box of the first element `role` `name` in the session's tree.
Json element_box(const TestDirs& dirs, const std::string& session, const std::string& role, const std::string& name) {
    const auto [code, out] = run_deskbox(dirs, {"tree", "-s", session, "--format", "json"});
    BOOST_TEST_REQUIRE(code == 0, out);
    const Json tree = Json::parse(out, nullptr, false);
    if (tree.is_object() && tree.contains("elements"))
        for (const Json& e : tree["elements"])
            if (e.value("role", "") == role && e.value("name", "") == name && e["bbox"].is_object()) return e["bbox"];
    BOOST_FAIL("no " + role + " '" + name + "' in the tree: " + out.substr(0, 2000));
    return {};
}

bool all_black(const RgbImage& img, int x0, int y0, int w, int h) {
    for (int y = y0; y < y0 + h; ++y)
        for (int x = x0; x < x0 + w; ++x) {
            const std::uint8_t* p = img.at(x, y);
            if (p[0] || p[1] || p[2]) return false;
        }
    return true;
}

bool is_red(const RgbImage& img, int x, int y) {
    const std::uint8_t* p = img.at(x, y);
    return p[0] == 255 && p[1] == 0 && p[2] == 0;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_reviewer_approves_denies_watches_and_stops_a_session_in_the_browser) {
    if (!require_root()) return;
    SeedSite site;
    TestDirs dirs;
    const auto policy = policy_with_redactions(dirs);
    const std::string name = "console-seed";
    const std::string port = std::to_string(site.port());
    SessionProcess session(
        dirs, dirs.manifest(name, chromium_manifest(name, "ops.incidents.example",
                                                    "http://ops.incidents.example:" + port + "/incident/42", "INC-42",
                                                    site, policy, "observe: {keep_screenshots: true}\n",
                                                    "{vnc: {enabled: true}, approval_timeout: 5m}")));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 240'000), session.output());
    const std::string alice = token_for(dirs, "alice");

    SessionProcess console(dirs, DeskboxArgs{{"console", "--listen", "127.0.0.1:0"}});
    BOOST_REQUIRE_MESSAGE(console.wait_for("deskbox console: listening on ", 30'000), console.output());
    std::smatch m;
    const std::string said = console.output();
    BOOST_REQUIRE_MESSAGE(std::regex_search(said, m, std::regex("listening on (http://127\\.0\\.0\\.1:[0-9]+/)")),
                          said);
    Browser browser{m[1].str(), name, (dirs.root() / "chromium-profile").string()};
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    AgentClient reviewer_socket((dirs.runtime() / name / "review.sock").string());

    // The incident update waits for a reviewer; the reviewer approves it in the browser.
    bool paused = false;
    Json approve;
    const Json update = click(agent, "push button", "Update incident", [&](const Json& pending) {
        paused = true;
        BOOST_TEST(!site.served("ops.incidents.example /incident/42/update"));
        // The picture review.sock keeps for the approval: the target's box drawn in red around it.
        const Json seen =
            reviewer_socket.call({{"type", "observation"}, {"approval", pending.value("approval_id", "")}});
        BOOST_TEST_REQUIRE(seen.value("ok", false), seen.dump().substr(0, 400));
        const Json& box = seen["observation"]["box"];
        BOOST_TEST_REQUIRE(box.is_object(), seen["observation"].value("error", "no box"));
        std::string png;
        BOOST_TEST_REQUIRE(base64_decode(seen["observation"]["png_base64"].get<std::string>(), png));
        const RgbImage picture = decode_png(png);
        const int bx = box["x"], by = box["y"], bw = box["width"], bh = box["height"];
        BOOST_TEST(is_red(picture, bx - 1, by + bh / 2), "left edge of the box at " << box.dump());
        BOOST_TEST(is_red(picture, bx + bw + 1, by + bh / 2), "right edge of the box at " << box.dump());
        BOOST_TEST(is_red(picture, bx + bw / 2, by - 1), "top edge of the box at " << box.dump());
        // The policy's redaction regions are black: the corner, and the link's whole box.
        BOOST_TEST(all_black(picture, 0, 0, 40, 40), "the corner rectangle is not blacked out");
        const Json link = element_box(dirs, name, "link", "Status page");
        BOOST_TEST(all_black(picture, link["x"], link["y"], link["width"], link["height"]),
                   "the 'Status page' link at " << link.dump() << " is not blacked out");
        approve = browser.step("approve", alice);
    });
    BOOST_TEST(paused);
    BOOST_TEST_REQUIRE(update.value("ok", false), update.dump());
    BOOST_TEST(site.wait_served("ops.incidents.example /incident/42/update", kPageTimeoutMs));
    // What the browser saw: the session listed with its pending approval, the picture, the words.
    BOOST_TEST(approve["login"] == 303);
    BOOST_TEST(approve["status"] == 200);
    BOOST_TEST(approve["row"][4] == "1", approve["row"].dump());
    const Json& words = approve["approval"]["words"];
    BOOST_TEST(words.value("Element", "") == "push button \"Update incident\"", words.dump());
    BOOST_TEST(words.value("Rule", "") == "incident updates", words.dump());
    BOOST_TEST(words.value("Site", "") == "ops.incidents.example", words.dump());
    BOOST_TEST(contains(words.value("Window", ""), "INC-42"), words.dump());
    BOOST_TEST(words.contains("Time left"), words.dump());
    BOOST_TEST(approve["approval"]["width"].get<int>() > 100);
    BOOST_TEST(approve["decided"] == 200);

    // A second approval, denied: the site never sees the click.
    wait_for_element(agent, "link", "Incident INC-7");
    Json deny;
    const Json refused = act(agent, {{"action", "click_element"}, {"role", "link"}, {"name", "Incident INC-7"}},
                             [&](const Json&) { deny = browser.step("deny", alice); });
    BOOST_TEST(!refused.value("ok", true), refused.dump());
    BOOST_TEST(contains(refused.dump(), "denied by reviewer alice via console"), refused.dump());
    BOOST_TEST(!site.served("ops.incidents.example /incident/7"));
    BOOST_TEST(deny["approval"]["words"].value("Element", "") == "link \"Incident INC-7\"", deny.dump());

    // The live view shows the session's pixels: the canvas against a screenshot through agent.sock.
    const auto live_png = dirs.root() / "live.png";
    const Json live = browser.step("live", alice, {"LIVE_PNG=" + live_png.string()});
    BOOST_TEST(contains(live.value("liveStatus", ""), "live, view only"), live.dump());
    const Json shot = agent.call({{"action", "screenshot"}, {"format", "png"}, {"settle", true}});
    std::string agent_png;
    BOOST_TEST_REQUIRE(base64_decode(shot.at("result").at("image").at("data").get<std::string>(), agent_png));
    const RgbImage screen = decode_png(agent_png), canvas = decode_png(slurp(live_png));
    BOOST_TEST_REQUIRE(canvas.width == screen.width);
    BOOST_TEST_REQUIRE(canvas.height == screen.height);
    const double error =
        mean_error(screen, canvas, screen.width / 4, screen.height / 4, screen.width / 2, screen.height / 2);
    BOOST_TEST(error < 8.0, "mean error per channel " << error << " over the middle of the screen");

    // No cookie: 401; a POST without the CSRF token: 403 (and the session is not paused).
    const Json security = browser.step("security", alice);
    BOOST_TEST(security["noCookie"] == 401);
    BOOST_TEST(security["noCookiePost"] == 401);
    BOOST_TEST(security["withoutCsrf"] == 403);
    BOOST_TEST(session_status(dirs, name)["gate"]["paused"] == false);
    BOOST_TEST(contains(security.value("timeline", ""), "Hash chain verified"), security.dump());
    BOOST_TEST(contains(security.value("timeline", ""), "approved by alice via console"), security.dump());
    // Kept screenshots appear as thumbnails; a name of another shape is never read.
    BOOST_TEST(security["thumbnail"]["width"] == 1280, security.dump());
    BOOST_TEST(contains(security["thumbnail"].value("src", ""), "/kept/"), security.dump());
    BOOST_TEST(security["forgedThumbnail"] != 200, security.dump());

    // Revoking alice's token ends her open login at the next request and refuses a new one.
    const auto [revoke_code, revoke_out] = run_deskbox(dirs, {"console", "token", "revoke", "alice"});
    BOOST_TEST_REQUIRE(revoke_code == 0, revoke_out);
    const Json revoked = browser.step("revoked", alice);
    BOOST_TEST(revoked["status"] == 401);
    BOOST_TEST(revoked["loginForm"] == true);
    BOOST_TEST(revoked["again"] == 401);

    // Stop (after the confirmation) ends the session.
    const Json stop = browser.step("stop", token_for(dirs, "bob"));
    BOOST_TEST(stop["login"] == 303);
    BOOST_TEST(contains(stop.value("dialog", ""), "Stop session " + name), stop.dump());
    BOOST_TEST(session.wait_exit(60'000) == 0, session.output());

    // A burst of wrong tokens is cut off.
    const Json burst = browser.step("ratelimit", "");
    BOOST_TEST(burst["statuses"][0] == 401, burst.dump());
    BOOST_TEST(contains(burst["statuses"].dump(), "429"), burst.dump());

    const std::string timeline = verified_timeline(dirs, name);
    BOOST_TEST(contains(timeline, "approved by alice via console"), timeline);
    BOOST_TEST(contains(timeline, "denied by alice via console"), timeline);
    BOOST_TEST(contains(timeline, "stop by bob via console"), timeline);
}
