// Reading the screen's pixels in-process: MIT-SHM (the server writes into a
// shared segment, no copy through the socket) where the server can attach our
// segment, XGetImage otherwise (e.g. an X server in another IPC namespace).
#pragma once

#include <X11/Xlib.h>
#include <X11/extensions/XShm.h>

#include <string>

#include "xsession/actions/action.h"
#include "xsession/capture/image.h"

namespace deskbox {

class ScreenCapture {
public:
    // use_shm=false forces XGetImage (what a sandboxed server in another IPC namespace gets).
    explicit ScreenCapture(Display* display, bool use_shm = true);
    ~ScreenCapture();
    ScreenCapture(const ScreenCapture&) = delete;
    ScreenCapture& operator=(const ScreenCapture&) = delete;

    // The whole root window.
    RgbImage capture();
    // A region of the root window, in screen pixels (must be inside the screen).
    RgbImage capture(const Rect& region);

    bool using_shm() const { return shm_ready_; }
    // Why MIT-SHM is not used (empty when it is).
    const std::string& shm_unavailable_reason() const { return shm_reason_; }

private:
    void try_shm();
    void release_shm();

    Display* display_;
    int width_, height_;
    bool shm_ready_ = false;
    std::string shm_reason_;
    XShmSegmentInfo shm_{};
    XImage* shm_image_ = nullptr;
};

// Converts a ZPixmap XImage (24/32-bit TrueColor fast path, anything else
// through the masks) to RGB.
RgbImage ximage_to_rgb(XImage* image, int width, int height);

}  // namespace deskbox
