#include "xsession/capture/screen_capture.h"

#include <X11/Xutil.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include <bit>
#include <cerrno>
#include <cstring>

#include "supervisor/base/error.h"
#include "xsession/display/x_error.h"

namespace deskbox {
namespace {

int shift_of(unsigned long mask) { return mask ? std::countr_zero(mask) : 0; }

}  // namespace

RgbImage ximage_to_rgb(XImage* image, int width, int height) {
    RgbImage out(width, height);
    const bool fast = image->bits_per_pixel == 32 && image->red_mask == 0xff0000 && image->green_mask == 0xff00 &&
                      image->blue_mask == 0xff && image->byte_order == LSBFirst;
    if (fast) {
        for (int y = 0; y < height; ++y) {
            const auto* src = reinterpret_cast<const std::uint8_t*>(image->data) +
                              static_cast<std::size_t>(y) * static_cast<std::size_t>(image->bytes_per_line);
            std::uint8_t* dst = out.at(0, y);
            for (int x = 0; x < width; ++x, src += 4, dst += 3) {
                dst[0] = src[2];  // memory order B G R X
                dst[1] = src[1];
                dst[2] = src[0];
            }
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

ScreenCapture::ScreenCapture(Display* display, bool use_shm)
    : display_(display),
      width_(DisplayWidth(display, DefaultScreen(display))),
      height_(DisplayHeight(display, DefaultScreen(display))) {
    if (use_shm) {
        try_shm();
    } else {
        shm_reason_ = "disabled";
    }
}

ScreenCapture::~ScreenCapture() { release_shm(); }

void ScreenCapture::try_shm() {
    if (!XShmQueryExtension(display_)) {
        shm_reason_ = "the X server has no MIT-SHM extension";
        return;
    }
    const int screen = DefaultScreen(display_);
    shm_image_ = XShmCreateImage(display_, DefaultVisual(display_, screen), static_cast<unsigned>(DefaultDepth(display_, screen)),
                                 ZPixmap, nullptr, &shm_, static_cast<unsigned>(width_), static_cast<unsigned>(height_));
    if (!shm_image_) {
        shm_reason_ = "XShmCreateImage failed";
        return;
    }
    shm_.shmid = shmget(IPC_PRIVATE, static_cast<std::size_t>(shm_image_->bytes_per_line) * static_cast<std::size_t>(height_),
                        IPC_CREAT | 0600);
    if (shm_.shmid < 0) {
        shm_reason_ = "shmget: " + std::string(strerror(errno));
        release_shm();
        return;
    }
    shm_.shmaddr = shm_image_->data = static_cast<char*>(shmat(shm_.shmid, nullptr, 0));
    if (shm_.shmaddr == reinterpret_cast<char*>(-1)) {
        shm_reason_ = "shmat: " + std::string(strerror(errno));
        shm_.shmaddr = shm_image_->data = nullptr;
        release_shm();
        return;
    }
    shm_.readOnly = False;
    // The server attaches by id: that fails (BadAccess) when it lives in another
    // IPC namespace or user. That is expected, so trap it and fall back.
    XErrorTrap trap(display_);
    XShmAttach(display_, &shm_);
    const bool attached = trap.sync_and_get().empty();
    // Marked for removal now: it disappears when both sides detach, even if we crash.
    shmctl(shm_.shmid, IPC_RMID, nullptr);
    if (!attached) {
        shm_reason_ = "the X server cannot attach our segment (" + trap.errors().front().message + ")";
        release_shm();
        return;
    }
    shm_ready_ = true;
}

void ScreenCapture::release_shm() {
    if (shm_ready_) {
        XErrorTrap trap(display_);
        XShmDetach(display_, &shm_);
        trap.sync_and_get();
    }
    if (shm_.shmaddr) shmdt(shm_.shmaddr);
    if (shm_.shmid > 0 && !shm_ready_) shmctl(shm_.shmid, IPC_RMID, nullptr);
    if (shm_image_) {
        shm_image_->data = nullptr;
        XDestroyImage(shm_image_);
    }
    shm_image_ = nullptr;
    shm_ = XShmSegmentInfo{};
    shm_ready_ = false;
}

RgbImage ScreenCapture::capture() { return capture(Rect{0, 0, width_, height_}); }

RgbImage ScreenCapture::capture(const Rect& region) {
    if (region.width <= 0 || region.height <= 0 || region.x < 0 || region.y < 0 || region.x + region.width > width_ ||
        region.y + region.height > height_) {
        throw Error("capture region (" + std::to_string(region.x) + ", " + std::to_string(region.y) + ", " +
                    std::to_string(region.width) + "x" + std::to_string(region.height) + ") is outside the " +
                    std::to_string(width_) + "x" + std::to_string(height_) + " screen");
    }
    const Window root = DefaultRootWindow(display_);
    if (shm_ready_) {
        XErrorTrap trap(display_);
        // XShmGetImage fills the image's full width from (x, y); use the sub-rectangle's rows.
        if (region.x == 0 && region.y == 0 && region.width == width_ && region.height == height_ &&
            XShmGetImage(display_, root, shm_image_, 0, 0, AllPlanes) && trap.sync_and_get().empty()) {
            return ximage_to_rgb(shm_image_, width_, height_);
        }
        if (!trap.errors().empty()) {
            // Keep going without SHM; say why once.
            shm_reason_ = "XShmGetImage failed (" + trap.errors().front().message + ")";
            release_shm();
        }
    }
    XImage* image = XGetImage(display_, root, region.x, region.y, static_cast<unsigned>(region.width),
                              static_cast<unsigned>(region.height), AllPlanes, ZPixmap);
    if (!image) throw Error("reading the screen (XGetImage) failed");
    RgbImage out = ximage_to_rgb(image, region.width, region.height);
    XDestroyImage(image);
    return out;
}

}  // namespace deskbox
