// Input through the Desktop lands where and as the agent meant it: clicks at
// scaled coordinates, chords with modifiers, wheel, drags (checked by a probe
// client printing its events) and exact Unicode text in a real GTK entry.
#include <sys/wait.h>

#include "tests/integration/display/display_fixture.h"
#include "xsession/desktop/desktop.h"
#include "xsession/display/windows.h"

using namespace deskbox;
using namespace deskbox::testing;

namespace {

Action pointer(ActionKind kind, int x, int y) {
    Action action;
    action.kind = kind;
    action.point = Point{x, y};
    return action;
}

// The lines the probe printed after `from` (an offset into its output).
std::string since(const std::string& text, std::size_t from) {
    return text.substr(from);
}

struct ProbeSession {
    DisplayFixture f{1280, 800};
    ProcessId probe = -1;
    std::unique_ptr<Desktop> desktop;
    explicit ProbeSession(std::optional<Point> scaled) {
        probe = f.start_app({f.probe_path()}, "probe");
        f.wait_line(probe, "ready");
        DesktopOptions options;
        options.scaled_size = scaled;
        desktop = std::make_unique<Desktop>(f.x, options);
    }
    std::size_t mark() const { return f.output(probe).size(); }
    std::string expect(std::size_t from, const std::string& last_line) {
        const std::string text = f.wait_output(
            probe,
            [&](const std::string& out) {
                return ("\n" + out.substr(from)).find("\n" + last_line + "\n") != std::string::npos;
            },
            Millis(20000), "probe line '" + last_line + "'");
        return since(text, from);
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(display_input)

BOOST_AUTO_TEST_CASE(clicks_land_on_the_exact_pixel_of_scaled_coordinates) {
    if (!have_program("Xvfb")) return;
    ProbeSession s(Point{1024, 640});
    BOOST_TEST(s.desktop->scaled_size().x == 1024);
    const CaptureOptions capture;
    // Scaled pixel centres map to floor((x + 0.5) * 1280 / 1024), floor((y + 0.5) * 800 / 640).
    struct Case {
        int x, y, sx, sy;
    };
    for (const Case c : {Case{512, 320, 640, 400}, Case{0, 0, 0, 0}, Case{1023, 639, 1279, 799}, Case{3, 5, 4, 6}}) {
        const std::size_t from = s.mark();
        const ActionResult r = s.desktop->execute(pointer(ActionKind::Click, c.x, c.y), capture);
        BOOST_REQUIRE_MESSAGE(r.ok, r.error);
        const std::string expected = "press 1 " + std::to_string(c.sx) + " " + std::to_string(c.sy) + " 0\nrelease 1 " +
                                     std::to_string(c.sx) + " " + std::to_string(c.sy) + " 256\n";
        BOOST_TEST(s.expect(from, "release 1 " + std::to_string(c.sx) + " " + std::to_string(c.sy) + " 256") ==
                   expected);
    }
    // Right double click with a held modifier (Shift = state 1).
    std::size_t from = s.mark();
    Action right = pointer(ActionKind::DoubleClick, 100, 100);
    right.button = MouseButton::Right;
    right.held_keys = {"Shift_L"};
    BOOST_REQUIRE(s.desktop->execute(right, capture).ok);
    const std::string out = s.expect(from, "keyup Shift_L 1");
    BOOST_TEST(out ==
               "key Shift_L 0\npress 3 125 125 1\nrelease 3 125 125 1025\npress 3 125 125 1\n"
               "release 3 125 125 1025\nkeyup Shift_L 1\n");

    // The cursor position comes back in scaled space.
    Action where;
    where.kind = ActionKind::CursorPosition;
    const ActionResult pos = s.desktop->execute(where, capture);
    BOOST_REQUIRE(pos.cursor.has_value());
    BOOST_TEST(pos.cursor->x == 100);
    BOOST_TEST(pos.cursor->y == 100);

    // Outside the agent's space: an error naming the coordinate, nothing sent.
    from = s.mark();
    const ActionResult bad = s.desktop->execute(pointer(ActionKind::Click, 1024, 10), capture);
    BOOST_TEST(!bad.ok);
    BOOST_TEST(bad.error == "click: coordinate (1024, 10) is outside the screen (0...1023, 0...639)");
}

BOOST_AUTO_TEST_CASE(chords_press_in_order_and_release_in_reverse) {
    if (!have_program("Xvfb")) return;
    ProbeSession s(std::nullopt);
    const CaptureOptions capture;
    Action chord;
    chord.kind = ActionKind::Key;
    chord.keys = {"Control_L", "a"};
    std::size_t from = s.mark();
    BOOST_REQUIRE(s.desktop->execute(chord, capture).ok);
    BOOST_TEST(s.expect(from, "keyup Control_L 4") == "key Control_L 0\nkey a 4\nkeyup a 4\nkeyup Control_L 4\n");

    chord.keys = {"Shift_L", "Tab"};
    from = s.mark();
    BOOST_REQUIRE(s.desktop->execute(chord, capture).ok);
    BOOST_TEST(s.expect(from, "keyup Shift_L 1") == "key Shift_L 0\nkey Tab 1\nkeyup Tab 1\nkeyup Shift_L 1\n");

    // An unknown key is an error naming it, and nothing is pressed.
    chord.keys = {"Control_L", "Ctrl_Q"};
    const ActionResult bad = s.desktop->execute(chord, capture);
    BOOST_TEST(!bad.ok);
    BOOST_TEST(bad.error == "key: unknown key 'Ctrl_Q'");

    // key_down / key_up hold across actions.
    Action down;
    down.kind = ActionKind::KeyDown;
    down.keys = {"Alt_L"};
    Action up = down;
    up.kind = ActionKind::KeyUp;
    from = s.mark();
    BOOST_REQUIRE(s.desktop->execute(down, capture).ok);
    BOOST_REQUIRE(s.desktop->execute(pointer(ActionKind::Click, 10, 10), capture).ok);
    BOOST_REQUIRE(s.desktop->execute(up, capture).ok);
    BOOST_TEST(s.expect(from, "keyup Alt_L 8") == "key Alt_L 0\npress 1 10 10 8\nrelease 1 10 10 264\nkeyup Alt_L 8\n");
}

BOOST_AUTO_TEST_CASE(scroll_and_drag_reach_the_client) {
    if (!have_program("Xvfb")) return;
    ProbeSession s(std::nullopt);
    const CaptureOptions capture;
    Action scroll = pointer(ActionKind::Scroll, 200, 300);
    scroll.scroll_y = 2;
    scroll.scroll_x = -1;
    std::size_t from = s.mark();
    BOOST_REQUIRE(s.desktop->execute(scroll, capture).ok);
    BOOST_TEST(s.expect(from, "release 6 200 300 0") ==
               "press 5 200 300 0\nrelease 5 200 300 4096\npress 5 200 300 0\nrelease 5 200 300 4096\n"
               "press 6 200 300 0\nrelease 6 200 300 0\n");

    Action drag;
    drag.kind = ActionKind::Drag;
    drag.path = {{100, 100}, {180, 140}};
    from = s.mark();
    BOOST_REQUIRE(s.desktop->execute(drag, capture).ok);
    const std::string out = s.expect(from, "release 1 180 140 256");
    BOOST_TEST(out.rfind("press 1 100 100 0\nmotion ", 0) == 0, out);
    BOOST_TEST(out.find("motion 180 140 256\n") != std::string::npos, out);
    // Every motion in between carries the held button.
    std::size_t motions = 0;
    for (std::size_t at = out.find("motion "); at != std::string::npos; at = out.find("motion ", at + 1)) {
        ++motions;
        BOOST_TEST(out.substr(out.find('\n', at) - 4, 4) == " 256");
    }
    BOOST_TEST(motions >= 2u);
}

BOOST_AUTO_TEST_CASE(typed_unicode_text_arrives_exactly_in_a_gtk_entry) {
    if (!have_program("Xvfb") || !have_program("zenity")) return;
    DisplayFixture f(1280, 800);
    const ProcessId zenity = f.start_app({"zenity", "--entry", "--title=deskbox typing", "--text=type here"}, "zenity");
    const WindowInfo window = wait_for_window(f.x.get(), {"", "deskbox typing"}, Millis(30000), "zenity");
    Desktop desktop(f.x);
    const CaptureOptions capture;
    // No window manager: keyboard focus follows the pointer (PointerRoot), and
    // inside the dialog GTK gives the entry the focus.
    BOOST_REQUIRE(
        desktop
            .execute(pointer(ActionKind::MouseMove, window.x + window.width / 2, window.y + window.height / 2), capture)
            .ok);
    // Type, select all, replace: the final text is exact only if every key,
    // ctrl+a included, arrived.
    Action type;
    type.kind = ActionKind::Type;
    type.text = "throwaway";
    Action select_all;
    select_all.kind = ActionKind::Key;
    select_all.keys = {"Control_L", "a"};
    const std::string text = "Hello <b>|~ é 中文 ünïcödé ¿ß€ \"quotes\" & {braces} `tick` 42%";
    Action final_text;
    final_text.kind = ActionKind::Type;
    final_text.text = text + "\n";  // newline = Return: zenity prints the entry and exits
    BOOST_REQUIRE(desktop.execute(type, capture).ok);
    BOOST_REQUIRE(desktop.execute(select_all, capture).ok);
    const ActionResult r = desktop.execute(final_text, capture);
    BOOST_REQUIRE_MESSAGE(r.ok, r.error);
    const auto status = f.wait_exit(zenity, Millis(30000));
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST(WIFEXITED(*status));
    BOOST_TEST(WEXITSTATUS(*status) == 0);
    BOOST_TEST(f.output(zenity) == text + "\n");
}

BOOST_AUTO_TEST_CASE(element_actions_are_not_the_displays) {
    if (!have_program("Xvfb")) return;
    DisplayFixture f(320, 240);
    Desktop desktop(f.x);
    Action tree;
    tree.kind = ActionKind::Tree;
    const ActionResult r = desktop.execute(tree, CaptureOptions{});
    BOOST_TEST(!r.ok);
    BOOST_TEST(r.error == "tree: not handled by the display");
}

BOOST_AUTO_TEST_SUITE_END()
