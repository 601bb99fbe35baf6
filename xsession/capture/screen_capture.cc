#include "xsession/capture/screen_capture.h"

#include <X11/Xutil.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif
#include <sys/ipc.h>
#include <sys/shm.h>

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "supervisor/base/error.h"
#include "xsession/display/x_error.h"

namespace deskbox {
namespace {

int shift_of(unsigned long mask) {
    return mask ? std::countr_zero(mask) : 0;
}

// One row of 32-bit B G R X pixels (memory order) to R G B.
void bgrx_row_to_rgb(const std::uint8_t* src, std::uint8_t* dst, int width) {
    for (int x = 0; x < width; ++x, src += 4, dst += 3) {
        dst[0] = src[2];
        dst[1] = src[1];
        dst[2] = src[0];
    }
}

#if defined(__x86_64__) || defined(__i386__)
// The same with one byte shuffle per 4 pixels: about half the time of the
// byte loop on a 1280x800 frame (bench/README.md). Each 16-byte store writes 4
// bytes past the 12 it means, so it stops 6 pixels before the row's end (no
// write past the row) and the byte loop finishes the row.
__attribute__((target("ssse3"))) void bgrx_row_to_rgb_ssse3(const std::uint8_t* src, std::uint8_t* dst, int width) {
    const __m128i order = _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    int x = 0;
    for (; x + 6 <= width; x += 4, src += 16, dst += 12) {
        const __m128i pixels = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm_shuffle_epi8(pixels, order));
    }
    bgrx_row_to_rgb(src, dst, width - x);
}

#endif

using RowConverter = void (*)(const std::uint8_t*, std::uint8_t*, int);
RowConverter bgrx_row_converter() {
#if defined(__x86_64__) || defined(__i386__)
    // Decided on first use (after libgcc's CPU detection, which runs before main).
    static const RowConverter best = [] {
        __builtin_cpu_init();
        return __builtin_cpu_supports("ssse3") ? bgrx_row_to_rgb_ssse3 : bgrx_row_to_rgb;
    }();
    return best;
#else
    return bgrx_row_to_rgb;
#endif
}

}  // namespace

RgbImage ximage_to_rgb(XImage* image, int width, int height) {
    RgbImage out(width, height);
    const bool fast = image->bits_per_pixel == 32 && image->red_mask == 0xff0000 && image->green_mask == 0xff00 &&
                      image->blue_mask == 0xff && image->byte_order == LSBFirst;
    if (fast) {
        const RowConverter bgrx_row = bgrx_row_converter();
        for (int y = 0; y < height; ++y) {
            const auto* src = reinterpret_cast<const std::uint8_t*>(image->data) +
                              static_cast<std::size_t>(y) * static_cast<std::size_t>(image->bytes_per_line);
            bgrx_row(src, out.at(0, y), width);
        }
        return out;
    }
    const int rs = shift_of(image->red_mask), gs = shift_of(image->green_mask), bs = shift_of(image->blue_mask);
    const unsigned long rm = image->red_mask >> rs, gm = image->green_mask >> gs, bm = image->blue_mask >> bs;
    for (int y = 0; y < height; ++y) {
        std::uint8_t* dst = out.at(0, y);
        for (int x = 0; x < width; ++x, dst += 3) {
            const unsigned long p = XGetPixel(image, x, y);
            dst[0] = static_cast<std::uint8_t>(rm ? ((p >> rs) & rm) * 255 / rm : 0);
            dst[1] = static_cast<std::uint8_t>(gm ? ((p >> gs) & gm) * 255 / gm : 0);
            dst[2] = static_cast<std::uint8_t>(bm ? ((p >> bs) & bm) * 255 / bm : 0);
        }
    }
    return out;
}

const char* to_string(CaptureMethod method) {
    switch (method) {
        case CaptureMethod::ShmFd:
            return "MIT-SHM fd passing";
        case CaptureMethod::ShmSysV:
            return "MIT-SHM SysV";
        case CaptureMethod::GetImage:
            return "XGetImage";
    }
    return "?";
}

ScreenCapture::ScreenCapture(Display* display, CaptureMethod best)
    : display_(display),
      width_(DisplayWidth(display, DefaultScreen(display))),
      height_(DisplayHeight(display, DefaultScreen(display))) {
    if (best == CaptureMethod::ShmFd) {
        // 4 bytes per pixel covers every ZPixmap layout of depth <= 32.
        fd_segment_ =
            ShmFdSegment::attach(display_, static_cast<std::size_t>(width_) * static_cast<std::size_t>(height_) * 4);
        if (fd_segment_.valid()) {
            method_ = CaptureMethod::ShmFd;
            log_method();
            return;
        }
        shm_reason_ = "fd passing: " + fd_segment_.reason();
        best = CaptureMethod::ShmSysV;
    }
    if (best == CaptureMethod::ShmSysV && try_sysv_shm()) {
        method_ = CaptureMethod::ShmSysV;
    } else if (best == CaptureMethod::GetImage) {
        shm_reason_ = "disabled";
    }
    log_method();
}

ScreenCapture::~ScreenCapture() {
    release_sysv_shm();
}

void ScreenCapture::log_method() const {
    std::fprintf(stderr, "deskbox: screen capture on display %s uses %s%s%s\n", DisplayString(display_),
                 to_string(method_), shm_reason_.empty() ? "" : "; not better because: ", shm_reason_.c_str());
}

void ScreenCapture::fall_back(const std::string& why) {
    if (!shm_reason_.empty()) shm_reason_ += "; ";
    shm_reason_ += why;
    fd_segment_ = ShmFdSegment();
    release_sysv_shm();
    method_ = CaptureMethod::GetImage;
    log_method();
}

bool ScreenCapture::try_sysv_shm() {
    auto fail = [this](const std::string& why) {
        if (!shm_reason_.empty()) shm_reason_ += "; ";
        shm_reason_ += "SysV: " + why;
        release_sysv_shm();
        return false;
    };
    if (!XShmQueryExtension(display_)) return fail("the X server has no MIT-SHM extension");
    const int screen = DefaultScreen(display_);
    shm_image_ = XShmCreateImage(display_, DefaultVisual(display_, screen),
                                 static_cast<unsigned>(DefaultDepth(display_, screen)), ZPixmap, nullptr, &shm_,
                                 static_cast<unsigned>(width_), static_cast<unsigned>(height_));
    if (!shm_image_) return fail("XShmCreateImage failed");
    shm_.shmid =
        shmget(IPC_PRIVATE, static_cast<std::size_t>(shm_image_->bytes_per_line) * static_cast<std::size_t>(height_),
               IPC_CREAT | 0600);
    if (shm_.shmid < 0) return fail("shmget: " + std::string(strerror(errno)));
    shm_.shmaddr = shm_image_->data = static_cast<char*>(shmat(shm_.shmid, nullptr, 0));
    if (shm_.shmaddr == reinterpret_cast<char*>(-1)) {
        const std::string why = "shmat: " + std::string(strerror(errno));
        shm_.shmaddr = shm_image_->data = nullptr;
        return fail(why);
    }
    shm_.readOnly = False;
    // The server attaches by id: that fails (BadAccess) when it lives in another
    // IPC namespace or user. That is expected, so trap it and fall back.
    XErrorTrap trap(display_);
    XShmAttach(display_, &shm_);
    const bool attached = trap.sync_and_get().empty();
    // Marked for removal now: it disappears when both sides detach, even if we crash.
    shmctl(shm_.shmid, IPC_RMID, nullptr);
    if (!attached) return fail("the X server cannot attach our segment (" + trap.errors().front().message + ")");
    sysv_attached_ = true;
    return true;
}

void ScreenCapture::release_sysv_shm() {
    if (sysv_attached_) {
        XErrorTrap trap(display_);
        XShmDetach(display_, &shm_);
        trap.sync_and_get();
    }
    if (shm_.shmaddr) shmdt(shm_.shmaddr);
    if (shm_.shmid > 0 && !sysv_attached_) shmctl(shm_.shmid, IPC_RMID, nullptr);
    if (shm_image_) {
        shm_image_->data = nullptr;
        XDestroyImage(shm_image_);
    }
    shm_image_ = nullptr;
    shm_ = XShmSegmentInfo{};
    sysv_attached_ = false;
}

RgbImage ScreenCapture::capture() {
    return capture(Rect{0, 0, width_, height_});
}

RgbImage ScreenCapture::capture(const Rect& region) {
    if (region.width <= 0 || region.height <= 0 || region.x < 0 || region.y < 0 || region.x + region.width > width_ ||
        region.y + region.height > height_) {
        throw Error("capture region (" + std::to_string(region.x) + ", " + std::to_string(region.y) + ", " +
                    std::to_string(region.width) + "x" + std::to_string(region.height) + ") is outside the " +
                    std::to_string(width_) + "x" + std::to_string(height_) + " screen");
    }
    const Window root = DefaultRootWindow(display_);
    if (method_ == CaptureMethod::ShmFd) {
        std::string error;
        if (XImage* image = fd_segment_.get_image(root, region, error)) {
            RgbImage out = ximage_to_rgb(image, region.width, region.height);
            image->data = nullptr;
            XDestroyImage(image);
            return out;
        }
        fall_back("ShmGetImage into the fd segment failed (" + error + ")");
    }
    if (method_ == CaptureMethod::ShmSysV) {
        XErrorTrap trap(display_);
        // XShmGetImage fills the image's full width from (x, y); regions go through XGetImage.
        if (region.x == 0 && region.y == 0 && region.width == width_ && region.height == height_ &&
            XShmGetImage(display_, root, shm_image_, 0, 0, AllPlanes) && trap.sync_and_get().empty()) {
            return ximage_to_rgb(shm_image_, width_, height_);
        }
        if (!trap.errors().empty()) fall_back("XShmGetImage failed (" + trap.errors().front().message + ")");
    }
    XImage* image = XGetImage(display_, root, region.x, region.y, static_cast<unsigned>(region.width),
                              static_cast<unsigned>(region.height), AllPlanes, ZPixmap);
    if (!image) throw Error("reading the screen (XGetImage) failed");
    RgbImage out = ximage_to_rgb(image, region.width, region.height);
    XDestroyImage(image);
    return out;
}

}  // namespace deskbox
