// The default desktop (docs/display.md, "The default desktop") in real
// sessions: jwm focuses each new window, so text typed right after an app
// started lands in it without a click; a `type` aimed at a window that cannot
// take the focus is an error, not "done"; Japanese and emoji render as glyphs,
// not as the boxes they are without the CJK and emoji fonts. Real Xvfb,
// jwm, zenity (GTK), xmessage (Xt); the agent socket.
#define BOOST_TEST_MODULE deskbox desktop session tests
#include <boost/test/unit_test.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>

#include "supervisor/control/agent_client.h"
#include "supervisor/control/base64.h"
#include "tests/integration/session_harness.h"
#include "xsession/capture/codecs.h"

using namespace deskbox;
using namespace deskbox::test;
namespace fs = std::filesystem;

namespace {

const char* kPolicy = R"(version: 1
default: deny
tiers: {low: allow}
rules:
  - {name: the test drives the desktop, when: {action: [screenshot, tree, hit_test, cursor_position, wait, mouse_move, click, type, key]}, tier: low}
)";

// A session of the default desktop (no window_manager key) running `apps`.
std::string desktop_manifest(const std::string& name, const fs::path& policy, const std::string& apps,
                             const std::string& sandbox_extra = "") {
    return "session: {name: " + name +
           ", display: {width: 1024, height: 768}}\n"
           "sandbox: {memory: 1G, pids: 256" +
           sandbox_extra +
           "}\n"
           "apps:\n" +
           apps + "policy: " + policy.string() +
           "\n"
           "review: {vnc: {enabled: false}}\n";
}

// `zenity --entry` titled `title`; `after`: a window title it waits for first
// (xdotool --sync waits by X events), so that it is the newer window.
std::string entry_app(const std::string& title, const std::string& after = "") {
    const std::string zenity = "zenity --entry --title " + title + " --text 'Type here'";
    const std::string exec =
        after.empty() ? "[zenity, --entry, --title, " + title + ", --text, 'Type here']"
                      : "[sh, -c, \"xdotool search --sync --name " + after + " >/dev/null && exec " + zenity + "\"]";
    return "  - name: " + title +
           "\n"
           "    exec: " +
           exec +
           "\n"
           "    ready: {title: " +
           title + ", timeout: 60s}\n";
}

fs::path write_policy(const TestDirs& dirs) {
    const auto path = dirs.root() / "policy.yaml";
    std::ofstream(path) << kPolicy;
    return path;
}

Json call_ok(AgentClient& agent, const Json& request) {
    const Json reply = agent.call(request);
    BOOST_REQUIRE_MESSAGE(reply.value("ok", false), request.dump() + " -> " + reply.dump().substr(0, 800));
    return reply;
}

RgbImage settled_screenshot(AgentClient& agent) {
    const Json shot = call_ok(agent, {{"action", "screenshot"}, {"format", "png"}, {"settle", true}});
    std::string png;
    BOOST_REQUIRE(base64_decode(shot["result"]["image"]["data"].get<std::string>(), png));
    return decode_png(png);
}

struct Box {
    int x = 0, y = 0, width = 0, height = 0;
};

// The screen box of the tree element with this role and name (one must exist).
Box box_of(AgentClient& agent, const std::string& role, const std::string& name) {
    const Json tree = call_ok(agent, {{"action", "tree"}})["result"]["data"];
    Json b;
    for (const auto& e : tree.value("elements", Json::array()))
        if (e.value("role", "") == role && e.value("name", "") == name && e.contains("bbox") && e["bbox"].is_object())
            b = e["bbox"];
    BOOST_REQUIRE_MESSAGE(b.is_object(), "no " + role + " named '" + name + "' in " + tree.dump().substr(0, 2000));
    return {b["x"].get<int>(), b["y"].get<int>(), b["width"].get<int>(), b["height"].get<int>()};
}

// The RGB pixels of `box` in `image` (row by row).
std::vector<std::uint8_t> crop(const RgbImage& image, const Box& box) {
    std::vector<std::uint8_t> out;
    for (int y = box.y; y < box.y + box.height && y < image.height; ++y)
        for (int x = box.x; x < box.x + box.width && x < image.width; ++x)
            for (int c = 0; c < 3; ++c)
                out.push_back(image.pixels[(static_cast<std::size_t>(y) * image.width + x) * 3 + c]);
    return out;
}

// Pixels whose channels differ by more than 80: colour, not grey text or a box outline.
int colourful_pixels(const std::vector<std::uint8_t>& rgb) {
    int n = 0;
    for (std::size_t i = 0; i + 2 < rgb.size(); i += 3) {
        const int hi = std::max({rgb[i], rgb[i + 1], rgb[i + 2]}), lo = std::min({rgb[i], rgb[i + 1], rgb[i + 2]});
        if (hi - lo > 80) ++n;
    }
    return n;
}

int differing_pixels(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
    if (a.size() != b.size()) return static_cast<int>(std::max(a.size(), b.size()) / 3);
    int n = 0;
    for (std::size_t i = 0; i + 2 < a.size(); i += 3)
        if (a[i] != b[i] || a[i + 1] != b[i + 1] || a[i + 2] != b[i + 2]) ++n;
    return n;
}

// The strings of the font test, one row each of a zenity list.
const std::vector<std::string> kSamples = {"日本語のテキスト", "Ελληνικά κείμενο", "🎉🍣🦊"};

// A session showing kSamples in a zenity list; returns each row's pixels.
// `without_new_fonts`: fontconfig is told to reject the CJK and emoji fonts,
// which is what the desktop looks like without them (the boxes).
std::vector<std::vector<std::uint8_t>> render_samples(const std::string& name, bool without_new_fonts) {
    TestDirs dirs;
    const auto policy = write_policy(dirs);
    std::string env, files;
    if (without_new_fonts) {
        const auto conf = dirs.root() / "fonts.conf";
        std::ofstream(conf) << "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>\n"
                               "  <include>/etc/fonts/fonts.conf</include>\n"
                               "  <selectfont><rejectfont><glob>*CJK*</glob><glob>*NotoColorEmoji*</glob>"
                               "</rejectfont></selectfont>\n</fontconfig>\n";
        files = ", files: [{from: " + conf.string() + ", to: ~/fonts.conf}]";
        env = "    env: {FONTCONFIG_FILE: /home/agent/fonts.conf}\n";
    }
    std::string exec = "[zenity, --list, --title, " + name + ", --width, 600, --height, 300, --column, Sample";
    for (const auto& s : kSamples) exec += ", \"" + s + "\"";
    exec += "]";
    const std::string apps =
        "  - name: samples\n    exec: " + exec + "\n" + env + "    ready: {title: " + name + ", timeout: 60s}\n";
    SessionProcess session(dirs, dirs.manifest(name, desktop_manifest(name, policy, apps, files)));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    std::vector<Box> boxes;
    for (const auto& s : kSamples) boxes.push_back(box_of(agent, "table cell", s));
    const RgbImage image = settled_screenshot(agent);
    BOOST_REQUIRE_EQUAL(image.width, 1024);  // screen pixels: the boxes apply as they are
    std::vector<std::vector<std::uint8_t>> rows;
    for (const auto& b : boxes) rows.push_back(crop(image, b));
    session.signal(SIGTERM);
    BOOST_TEST(session.wait_exit(60'000) == 0, session.output());
    return rows;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_new_window_gets_the_focus_and_typing_lands_without_a_click) {
    if (!require_root()) return;
    TestDirs dirs;
    const std::string name = "it-desk-focus";
    // The second entry opens after the first: the window manager must focus it.
    SessionProcess session(
        dirs, dirs.manifest(name, desktop_manifest(name, write_policy(dirs),
                                                   entry_app("desk-first") + entry_app("desk-second", "desk-first"))));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    // At once, no click: zenity prints the entry's text on Return and exits.
    call_ok(agent, {{"action", "type"}, {"text", "to the newest 日本\n"}});
    BOOST_TEST_REQUIRE(session.wait_for("[" + name + "] to the newest 日本\n", 30'000), session.output());
    // The first window gets the focus back once jwm handled the close; until
    // then the focus is on a window going away, and a type is refused (nothing
    // typed), so a careful agent tries again after a short wait, as this does.
    for (int attempt = 0;; ++attempt) {
        const Json typed = agent.call({{"action", "type"}, {"text", "then the first\n"}});
        if (typed.value("ok", false)) break;
        BOOST_TEST_REQUIRE(typed.dump().find("the keyboard focus") != std::string::npos, typed.dump());
        BOOST_TEST_REQUIRE(attempt < 50, "the first window never got the focus back: " + typed.dump());
        call_ok(agent, {{"action", "wait"}, {"duration", 0.1}});
    }
    BOOST_TEST(session.wait_for("[" + name + "] then the first\n", 30'000), session.output());
    session.signal(SIGTERM);
    session.wait_exit(60'000);
}

BOOST_AUTO_TEST_CASE(typing_into_a_window_that_cannot_take_the_focus_is_an_error) {
    if (!require_root()) return;
    TestDirs dirs;
    const std::string name = "it-desk-nofocus";
    // xmessage with the Xt resource input: false sets WM_HINTS input False and
    // no WM_TAKE_FOCUS: no window manager gives it the keyboard.
    const std::string apps = entry_app("desk-entry") +
                             "  - name: notice\n"
                             "    exec: [sh, -c, \"xdotool search --sync --name desk-entry >/dev/null && exec xmessage "
                             "-name desk-notice -title desk-notice -geometry 300x120+600+400 -xrm '*input: false' "
                             "'cannot take the focus'\"]\n"
                             "    ready: {title: desk-notice, timeout: 60s}\n";
    SessionProcess session(dirs, dirs.manifest(name, desktop_manifest(name, write_policy(dirs), apps)));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    // A click on the notice's text (well inside its 300x120 window, above the button).
    call_ok(agent, {{"action", "left_click"}, {"coordinate", {650, 440}}});
    const Json typed = agent.call({{"action", "type"}, {"text", "lost keys"}});
    BOOST_TEST(!typed.value("ok", true), typed.dump());
    const std::string text = typed.dump();
    BOOST_TEST(
        text.find("'Xmessage' ('desk-notice') under the pointer cannot take the keyboard focus") != std::string::npos,
        text);
    BOOST_TEST(text.find("the keys would go to 'Zenity' ('desk-entry')") != std::string::npos, text);
    // Nothing was typed: the entry (still focused) gets only what comes next.
    call_ok(agent, {{"action", "mouse_move"}, {"coordinate", {5, 5}}});
    call_ok(agent, {{"action", "type"}, {"text", "only this\n"}});
    BOOST_TEST(session.wait_for("[" + name + "] only this\n", 30'000), session.output());
    BOOST_TEST(session.output().find("lost keys") == std::string::npos, session.output());
    session.signal(SIGTERM);
    session.wait_exit(60'000);
}

BOOST_AUTO_TEST_CASE(japanese_greek_and_emoji_render_as_glyphs_not_boxes) {
    if (!require_root()) return;
    const auto with_fonts = render_samples("it-desk-fonts", false);
    const auto boxes = render_samples("it-desk-nofonts", true);
    // Japanese and emoji: without the CJK and emoji fonts they are boxes; with
    // them, different pixels. If the fonts are missing both sessions are alike.
    BOOST_TEST(differing_pixels(with_fonts[0], boxes[0]) > 100, "Japanese row: the same pixels as its boxes");
    BOOST_TEST(differing_pixels(with_fonts[2], boxes[2]) > 100, "emoji row: the same pixels as its boxes");
    // Colour emoji are colour; boxes and text are grey.
    BOOST_TEST(colourful_pixels(with_fonts[2]) > 100,
               "emoji row has " << colourful_pixels(with_fonts[2]) << " colourful pixels");
    BOOST_TEST(colourful_pixels(boxes[2]) < 20,
               "the emoji boxes have " << colourful_pixels(boxes[2]) << " colourful pixels");
    // Greek is in Noto Sans and DejaVu Sans (every Latin font here covers it):
    // the rejected fonts change nothing there, which also shows that the two
    // sessions draw alike where the fonts are the same.
    BOOST_TEST(differing_pixels(with_fonts[1], boxes[1]) == 0, "Greek row differs between the two sessions");
}

BOOST_AUTO_TEST_CASE(typing_with_no_window_focused_is_an_error_not_done) {
    if (!require_root()) return;
    TestDirs dirs;
    const std::string name = "it-desk-nowindow";
    // An app without a window: jwm leaves the focus PointerRoot, and under the
    // pointer is only the root window.
    SessionProcess session(dirs, dirs.manifest(name, desktop_manifest(name, write_policy(dirs),
                                                                      "  - name: idle\n    exec: [sleep, '600']\n")));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 90'000), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());
    const Json typed = agent.call({{"action", "type"}, {"text", "into nothing"}});
    BOOST_TEST(!typed.value("ok", true), typed.dump());
    BOOST_TEST(typed.dump().find("no window is under the pointer and none has the keyboard focus: the keys would go "
                                 "nowhere") != std::string::npos,
               typed.dump());
    session.signal(SIGTERM);
    BOOST_TEST(session.wait_exit(60'000) == 0, session.output());
}
