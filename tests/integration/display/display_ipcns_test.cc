// The session's Xvfb runs in the sandbox's own IPC namespace, so the
// supervisor cannot share a SysV segment with it: screenshots must take the
// MIT-SHM 1.2 fd-passing path there (else every frame crosses the socket).
// Here `unshare --ipc` stands in for the sandbox (needs root).
#include <X11/Xlib.h>
#include <unistd.h>

#include <filesystem>

#include "supervisor/base/error.h"
#include "tests/integration/display/display_fixture.h"
#include "xsession/capture/screen_capture.h"
#include "xsession/display/xvfb.h"

using namespace deskbox;
using namespace deskbox::testing;

namespace {

// Starts every process in a fresh IPC namespace (what the sandbox does for real).
class IpcnsSpawner : public Spawner {
public:
    explicit IpcnsSpawner(Spawner& inner) : inner_(inner) {}
    ProcessId spawn(const SpawnRequest& request, std::function<void(int)> on_exit) override {
        SpawnRequest wrapped = request;
        wrapped.argv = {"unshare", "--ipc", "--"};
        wrapped.argv.insert(wrapped.argv.end(), request.argv.begin(), request.argv.end());
        return inner_.spawn(wrapped, std::move(on_exit));
    }
    void signal(ProcessId id, int signo) override { inner_.signal(id, signo); }

private:
    Spawner& inner_;
};

struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/deskbox-ipcns-test-XXXXXX";
        if (!mkdtemp(tmpl)) throw_errno("creating a test directory");
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
};

// TrueColor depth 24 on Xvfb: the pixel value is 0xRRGGBB.
unsigned long rgb(int r, int g, int b) {
    return (static_cast<unsigned long>(r) << 16) | (static_cast<unsigned long>(g) << 8) | static_cast<unsigned long>(b);
}

void fill(Display* display, GC gc, unsigned long pixel, int x, int y, int w, int h) {
    XSetForeground(display, gc, pixel);
    XFillRectangle(display, DefaultRootWindow(display), gc, x, y, static_cast<unsigned>(w), static_cast<unsigned>(h));
}

bool same_pixels(const RgbImage& a, const RgbImage& b) {
    return a.width == b.width && a.height == b.height && a.pixels == b.pixels;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(display_ipcns)

BOOST_AUTO_TEST_CASE(capture_passes_its_segment_as_an_fd_to_a_server_in_another_ipc_namespace) {
    if (!have_program("Xvfb") || !have_program("unshare")) return;
    if (geteuid() != 0) {
        const char* must = getenv("DESKBOX_MUST_WORK");
        if (must && std::string(must) == "1") BOOST_FAIL("needs root to create an IPC namespace");
        BOOST_TEST_MESSAGE("skipped: needs root to create an IPC namespace");
        return;
    }
    TempDir temp;  // declared first, removed last: after the spawner stopped Xvfb
    EventLoop loop;
    HostSpawner host(loop);
    IpcnsSpawner spawner(host);
    XvfbOptions options;
    options.width = 640;
    options.height = 480;
    options.auth_file_host = temp.path + "/Xauthority";
    options.extra_env = {"PATH=/usr/local/bin:/usr/bin:/bin"};
    const XvfbServer server = start_xvfb(spawner, loop, options);
    XConnection x = XConnection::open(server.display_number, server.cookie);
    Display* display = x.get();

    // The namespaces really differ (unshare execs Xvfb in place, so the pid is Xvfb's).
    const auto ns_of = [](const std::string& pid) { return std::filesystem::read_symlink("/proc/" + pid + "/ns/ipc"); };
    BOOST_REQUIRE(ns_of(std::to_string(server.pid)) != ns_of("self"));

    // Known content: primaries, and a gradient so that every byte position varies.
    GC gc = XCreateGC(display, DefaultRootWindow(display), 0, nullptr);
    fill(display, gc, rgb(0, 0, 0), 0, 0, 640, 480);
    fill(display, gc, rgb(255, 0, 0), 0, 0, 100, 100);
    fill(display, gc, rgb(0, 255, 0), 100, 0, 100, 100);
    fill(display, gc, rgb(0, 0, 255), 200, 0, 100, 100);
    for (int i = 0; i < 256; ++i) fill(display, gc, rgb(i, 255 - i, (i * 7) & 255), 300 + i, 100, 1, 300);
    x.sync();

    ScreenCapture capture(display);
    BOOST_TEST(std::string(to_string(capture.method())) == "MIT-SHM fd passing");
    BOOST_TEST(capture.shm_unavailable_reason().empty(), capture.shm_unavailable_reason());
    const RgbImage shot = capture.capture();
    BOOST_REQUIRE(shot.width == 640);
    BOOST_REQUIRE(shot.height == 480);
    const auto pixel_is = [&](const RgbImage& image, int px, int py, int r, int g, int b) {
        const std::uint8_t* p = image.at(px, py);
        return p[0] == r && p[1] == g && p[2] == b;
    };
    BOOST_TEST(pixel_is(shot, 50, 50, 255, 0, 0));
    BOOST_TEST(pixel_is(shot, 150, 50, 0, 255, 0));
    BOOST_TEST(pixel_is(shot, 250, 50, 0, 0, 255));
    for (int i = 0; i < 256; i += 17)
        BOOST_TEST(pixel_is(shot, 300 + i, 200, i, 255 - i, (i * 7) & 255), "gradient " << i);

    // The SysV path cannot work here (that is why the fd path exists): the
    // server cannot find our segment id. The plain XGetImage fallback it ends
    // up on reads exactly the same pixels as the fd path.
    ScreenCapture sysv(display, CaptureMethod::ShmSysV);
    BOOST_TEST(std::string(to_string(sysv.method())) == "XGetImage");
    BOOST_TEST(sysv.shm_unavailable_reason().find("SysV: the X server cannot attach our segment") != std::string::npos,
               sysv.shm_unavailable_reason());
    ScreenCapture plain(display, CaptureMethod::GetImage);
    BOOST_TEST(same_pixels(plain.capture(), shot));

    // Regions go through the segment too, with rows packed at the region's width.
    const Rect region{290, 90, 123, 57};
    const RgbImage part = capture.capture(region);
    BOOST_TEST(std::string(to_string(capture.method())) == "MIT-SHM fd passing");
    BOOST_TEST(same_pixels(part, plain.capture(region)));
    // Its last column (an odd width: the converter's per-pixel tail) is the gradient's line 112.
    BOOST_TEST(pixel_is(part, 122, 20, 112, 255 - 112, (112 * 7) & 255));
    BOOST_TEST(pixel_is(part, 0, 0, 0, 0, 255));  // (290, 90): the blue square

    // The segment is re-read on every capture, not a stale copy.
    fill(display, gc, rgb(12, 34, 56), 0, 0, 100, 100);
    x.sync();
    const RgbImage again = capture.capture();
    BOOST_TEST(pixel_is(again, 50, 50, 12, 34, 56));
    BOOST_TEST(std::string(to_string(capture.method())) == "MIT-SHM fd passing");
    XFreeGC(display, gc);
}

BOOST_AUTO_TEST_SUITE_END()
