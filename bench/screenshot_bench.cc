// Screenshot cost: deskbox's in-process capture + encode (through the
// Desktop, as the agent socket runs it) against `scrot` and
// `import -window root` on the same display and screen content.
//
//   screenshot_bench [ROUNDS]      (DESKBOX_BUILD_ROOT must point at the build dir)
#include <cstdio>

#include "bench/screenshot_bench_support.h"
#include "xsession/capture/codecs.h"
#include "xsession/desktop/desktop.h"
#include "xsession/display/windows.h"

using namespace deskbox;
using namespace deskbox::bench;

int main(int argc, char** argv) {
    try {
        const int rounds = argc > 1 ? std::atoi(argv[1]) : 30;
        BenchDisplay display(1280, 800);
        // Content: the probe's stripes and lines, plus a GTK dialog with text on top.
        display.start_probe();
        display.start({"zenity", "--info", "--title=bench content", "--text=Screenshots of real widgets and text"});
        wait_for_window(display.x.get(), {"", "bench content"}, Millis(30000), "zenity");
        Desktop desktop(display.x);
        Desktop scaled(display.x, DesktopOptions{Point{1024, 640}});
        // What a sandboxed session got before fd passing: every frame through the socket.
        DesktopOptions get_image_only;
        get_image_only.use_shm = false;
        Desktop plain(display.x, get_image_only);
        ScreenCapture probe_method(display.x.get());
        std::printf("display 1280x800, capture by %s, %d rounds\n", to_string(probe_method.method()), rounds);
        Action shot;
        shot.kind = ActionKind::Screenshot;
        CaptureOptions png, jpeg;
        jpeg.format = "jpeg";
        jpeg.jpeg_quality = 80;
        // Settle the content first (GTK draws the dialog asynchronously).
        CaptureOptions settle = png;
        settle.settle = true;
        desktop.execute(shot, settle);

        std::vector<double> raw, raw_get_image, png_encode_t, jpeg_encode_t, png_t, jpeg_t, png_scaled_t, jpeg_scaled_t,
            scrot_t, import_t;
        std::size_t png_bytes = 0, jpeg_bytes = 0, png_scaled_bytes = 0;
        const std::string scrot_file = (display.dir / "scrot.png").string();
        const std::string import_file = (display.dir / "import.png").string();
        for (int i = 0; i < rounds; ++i) {
            // Interleaved, so that machine noise hits every contender alike.
            double t = now_ms();
            RgbImage image = desktop.capture_screen();
            raw.push_back(now_ms() - t);
            t = now_ms();
            if (plain.capture_screen().width != image.width) throw Error("XGetImage capture has another size");
            raw_get_image.push_back(now_ms() - t);
            // Where the rest goes: the encoders alone on that frame.
            t = now_ms();
            const std::size_t png_alone = encode_png(image).size();
            png_encode_t.push_back(now_ms() - t);
            t = now_ms();
            const std::size_t jpeg_alone = encode_jpeg(image, jpeg.jpeg_quality).size();
            jpeg_encode_t.push_back(now_ms() - t);
            if (png_alone == 0 || jpeg_alone == 0) throw Error("an encoder returned nothing");
            t = now_ms();
            ActionResult r = desktop.execute(shot, png);
            png_t.push_back(now_ms() - t);
            png_bytes = r.image->bytes.size();
            t = now_ms();
            r = desktop.execute(shot, jpeg);
            jpeg_t.push_back(now_ms() - t);
            jpeg_bytes = r.image->bytes.size();
            t = now_ms();
            r = scaled.execute(shot, png);
            png_scaled_t.push_back(now_ms() - t);
            png_scaled_bytes = r.image->bytes.size();
            t = now_ms();
            r = scaled.execute(shot, jpeg);
            jpeg_scaled_t.push_back(now_ms() - t);
            scrot_t.push_back(display.time_tool({"scrot", "-o", scrot_file}));
            import_t.push_back(display.time_tool({"import", "-window", "root", import_file}));
        }
        print_row("capture only (SHM -> RGB)", raw);
        print_row("capture only (XGetImage -> RGB)", raw_get_image);
        print_row("PNG encode alone 1280x800", png_encode_t);
        print_row("JPEG q80 encode alone 1280x800", jpeg_encode_t);
        print_row("deskbox PNG 1280x800", png_t);
        print_row("deskbox JPEG q80 1280x800", jpeg_t);
        print_row("deskbox PNG scaled 1024x640", png_scaled_t);
        print_row("deskbox JPEG q80 scaled 1024x640", jpeg_scaled_t);
        print_row("scrot (PNG)", scrot_t);
        print_row("import -window root (PNG)", import_t);
        const double scrot_median = stats(scrot_t).median;
        std::printf("sizes: deskbox PNG %zu B, JPEG %zu B, PNG scaled %zu B, scrot %ju B, import %ju B\n", png_bytes,
                    jpeg_bytes, png_scaled_bytes, static_cast<std::uintmax_t>(std::filesystem::file_size(scrot_file)),
                    static_cast<std::uintmax_t>(std::filesystem::file_size(import_file)));
        std::printf("ratio to scrot (median): PNG %.3f (goal <= 0.25), JPEG %.3f (goal <= 0.125)\n",
                    stats(png_t).median / scrot_median, stats(jpeg_t).median / scrot_median);
        return 0;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "screenshot_bench: %s\n", error.what());
        return 1;
    }
}
