// Screenshots are the screen's pixels: compared with ImageMagick's import,
// with a real VNC client (vncsnapshot) through the forwarder, scaled and
// zoomed sizes, and settling by XDamage.
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "tests/integration/display/display_fixture.h"
#include "xsession/capture/codecs.h"
#include "xsession/capture/scaling.h"
#include "xsession/desktop/desktop.h"
#include "xsession/display/windows.h"
#include "xsession/vnc/vnc_password.h"
#include "xsession/vnc/vnc_server.h"

using namespace deskbox;
using namespace deskbox::testing;

namespace {

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::size_t differing_pixels(const RgbImage& a, const RgbImage& b) {
    std::size_t count = 0;
    for (std::size_t i = 0; i + 2 < a.pixels.size(); i += 3) {
        if (a.pixels[i] != b.pixels[i] || a.pixels[i + 1] != b.pixels[i + 1] || a.pixels[i + 2] != b.pixels[i + 2])
            ++count;
    }
    return count;
}

Action screenshot() {
    Action action;
    action.kind = ActionKind::Screenshot;
    return action;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(display_capture)

BOOST_AUTO_TEST_CASE(screenshot_matches_imagemagick_import_pixel_for_pixel) {
    if (!have_program("Xvfb") || !have_program("import")) return;
    DisplayFixture f(800, 600);
    const ProcessId probe = f.start_app({f.probe_path()}, "probe");
    f.wait_line(probe, "ready");
    Desktop desktop(f.x);
    CaptureOptions capture;
    const ActionResult shot = desktop.execute(screenshot(), capture);
    BOOST_REQUIRE_MESSAGE(shot.ok, shot.error);
    BOOST_TEST(shot.image->mime == "image/png");
    const RgbImage ours = decode_png(shot.image->bytes);
    const std::string theirs_path = (f.dir / "import.png").string();
    f.run_capture({"import", "-window", "root", "-depth", "8", "PNG24:" + theirs_path});
    const RgbImage theirs = decode_png(read_file(theirs_path));
    BOOST_REQUIRE(ours.width == 800);
    BOOST_REQUIRE(ours.height == 600);
    BOOST_REQUIRE(theirs.width == 800);
    BOOST_REQUIRE(theirs.height == 600);
    BOOST_TEST(differing_pixels(ours, theirs) == 0u);
    // The XGetImage path (used when the server cannot attach our SHM segment) reads the same pixels.
    DesktopOptions no_shm;
    no_shm.use_shm = false;
    Desktop plain(f.x, no_shm);
    BOOST_TEST(!plain.using_shm());
    BOOST_TEST(desktop.using_shm());
    BOOST_TEST(differing_pixels(plain.capture_screen(), ours) == 0u);
    // The probe's first stripe is pure red: a check that channels are not swapped.
    BOOST_TEST(int(ours.at(10, 10)[0]) == 255);
    BOOST_TEST(int(ours.at(10, 10)[2]) == 0);

    capture.format = "jpeg";
    capture.jpeg_quality = 90;
    const ActionResult jpeg = desktop.execute(screenshot(), capture);
    BOOST_REQUIRE(jpeg.ok);
    BOOST_TEST(jpeg.image->mime == "image/jpeg");
    const RgbImage decoded = decode_jpeg(jpeg.image->bytes);
    BOOST_TEST(decoded.width == 800);
    capture.format = "gif";
    const ActionResult gif = desktop.execute(screenshot(), capture);
    BOOST_TEST(!gif.ok);
    BOOST_TEST(gif.error == "screenshot: unknown image format 'gif' (png or jpeg)");
}

BOOST_AUTO_TEST_CASE(scaled_screenshot_and_zoom_have_the_agents_sizes) {
    if (!have_program("Xvfb")) return;
    DisplayFixture f(1280, 800);
    const ProcessId probe = f.start_app({f.probe_path()}, "probe");
    f.wait_line(probe, "ready");
    DesktopOptions options;
    options.scaled_size = Point{1024, 640};
    Desktop desktop(f.x, options);
    CaptureOptions capture;
    capture.cursor = true;
    const ActionResult shot = desktop.execute(screenshot(), capture);
    BOOST_REQUIRE(shot.ok);
    BOOST_TEST(shot.image->width == 1024);
    BOOST_TEST(shot.image->height == 640);
    const RgbImage scaled = decode_png(shot.image->bytes);
    const RgbImage expected = resample(desktop.capture_screen(), 1024, 640);
    // Only the cursor (drawn at the centre, where the pointer starts) may differ.
    BOOST_TEST(differing_pixels(scaled, expected) < 600u);

    Action zoom;
    zoom.kind = ActionKind::Zoom;
    zoom.region = Rect{0, 0, 256, 80};  // scaled space: screen (0,0)-(320,100)
    capture.cursor = false;
    const ActionResult zoomed = desktop.execute(zoom, capture);
    BOOST_REQUIRE_MESSAGE(zoomed.ok, zoomed.error);
    BOOST_TEST(zoomed.image->width == 1024);
    BOOST_TEST(zoomed.image->height == 320);
    const RgbImage z = decode_png(zoomed.image->bytes);
    BOOST_TEST(int(z.at(5, 5)[0]) == 255);  // still the red stripe
}

BOOST_AUTO_TEST_CASE(settled_observation_waits_for_a_new_window_to_be_drawn) {
    if (!have_program("Xvfb")) return;
    DisplayFixture f(640, 480);
    Desktop desktop(f.x);
    CaptureOptions capture;
    capture.settle = true;
    // An idle screen settles after the quiet period, having seen no drawing
    // (the first observation may still see the server's initial paint).
    BOOST_REQUIRE(desktop.execute(screenshot(), capture).ok);
    BOOST_REQUIRE(desktop.execute(screenshot(), capture).ok);
    BOOST_TEST(desktop.last_settle().settled);
    BOOST_TEST(desktop.last_settle().damage_events == 0u);
    // A window that paints: the settled screenshot contains its pixels.
    const ProcessId probe = f.start_app({f.probe_path()}, "probe");
    wait_for_window(f.x.get(), {"DeskboxProbe", ""}, Millis(20000), "probe");
    const ActionResult shot = desktop.execute(screenshot(), capture);
    BOOST_REQUIRE(shot.ok);
    BOOST_TEST(desktop.last_settle().settled);
    const RgbImage image = decode_png(shot.image->bytes);
    BOOST_TEST(int(image.at(10, 10)[0]) == 255);
    BOOST_TEST(int(image.at(10, 10)[1]) == 0);
    (void)probe;
}

BOOST_AUTO_TEST_CASE(vnc_client_through_the_forwarder_sees_the_same_frame) {
    if (!have_program("Xvfb") || !have_program("x11vnc") || !have_program("vncsnapshot")) return;
    DisplayFixture f(640, 480);
    const ProcessId probe = f.start_app({f.probe_path()}, "probe");
    f.wait_line(probe, "ready");
    VncOptions options;
    options.display_number = f.server.display_number;
    options.auth_file_child = (f.dir / "Xauthority").string();
    options.password_file_host = (f.dir / "vnc.passwd").string();
    options.socket_path = (f.dir / "vnc.sock").string();
    options.host_port = true;
    // Without a session netns x11vnc listens in the host's; pick a port unlikely to be taken.
    options.rfb_port = 5900 + 40 + f.server.display_number % 50;
    options.extra_env = f.app_env();
    auto vnc = start_vnc(f.spawner, f.loop, options);
    const VncEndpoint& endpoint = vnc->endpoint();
    BOOST_TEST(endpoint.port > 0);
    struct stat st {};
    BOOST_REQUIRE(stat(endpoint.socket_path.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    BOOST_REQUIRE(stat(endpoint.password_file.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);

    // The unix socket reaches the same server: it greets with the RFB version.
    {
        UniqueFd sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, endpoint.socket_path.c_str(), sizeof address.sun_path - 1);
        BOOST_REQUIRE(connect(sock.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        std::string greeting;
        // The forwarder runs on our loop: turn it until the 12-byte greeting arrived.
        const std::int64_t deadline = monotonic_ms() + 20000;
        while (greeting.size() < 12 && monotonic_ms() < deadline) {
            f.loop.run_once(Millis(100));
            char buf[64];
            const ssize_t n = recv(sock.get(), buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0) greeting.append(buf, static_cast<std::size_t>(n));
        }
        BOOST_TEST(greeting.substr(0, 4) == "RFB ");
    }

    const std::string snapshot = (f.dir / "vnc.jpg").string();
    f.run_capture({"vncsnapshot", "-passwd", endpoint.password_file, "-quality", "100",
                   "127.0.0.1::" + std::to_string(endpoint.port), snapshot});
    const RgbImage theirs = decode_jpeg(read_file(snapshot));
    Desktop desktop(f.x);
    const RgbImage ours = desktop.capture_screen();
    BOOST_REQUIRE(theirs.width == ours.width);
    BOOST_REQUIRE(theirs.height == ours.height);
    // JPEG at quality 100 is close but not exact: compare the mean error.
    double total = 0;
    for (std::size_t i = 0; i < ours.pixels.size(); ++i) total += std::abs(int(ours.pixels[i]) - int(theirs.pixels[i]));
    const double mean = total / static_cast<double>(ours.pixels.size());
    BOOST_TEST(mean < 3.0, "mean absolute error " << mean);

    // A wrong password is refused.
    const std::string wrong = (f.dir / "wrong.passwd").string();
    write_vnc_password_file(wrong, "notright");
    const ProcessId refused = f.start_app(
        {"vncsnapshot", "-passwd", wrong, "127.0.0.1::" + std::to_string(endpoint.port), (f.dir / "no.jpg").string()},
        "vncsnapshot");
    const auto status = f.wait_exit(refused, Millis(30000));
    BOOST_REQUIRE(status.has_value());
    BOOST_TEST(!(WIFEXITED(*status) && WEXITSTATUS(*status) == 0));
}

BOOST_AUTO_TEST_SUITE_END()
