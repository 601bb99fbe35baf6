// Reading the screen's pixels in-process, best method first:
//  1. MIT-SHM 1.2 with the segment passed as an fd (works across IPC
//     namespaces: the session's Xvfb runs in the sandbox's own),
//  2. MIT-SHM with a SysV segment (older servers, same IPC namespace only),
//  3. XGetImage (every pixel through the socket).
// The method chosen is logged once to stderr, and again if capture has to
// fall back later, so that a slow path is visible in the session log.
#pragma once

#include <X11/Xlib.h>
#include <X11/extensions/XShm.h>

#include <string>

#include "xsession/actions/action.h"
#include "xsession/capture/image.h"
#include "xsession/capture/shm_fd_segment.h"

namespace deskbox {

enum class CaptureMethod { ShmFd, ShmSysV, GetImage };
// "MIT-SHM fd passing", "MIT-SHM SysV", "XGetImage".
const char* to_string(CaptureMethod method);

class ScreenCapture {
public:
    // use_shm=false forces XGetImage.
    explicit ScreenCapture(Display* display, bool use_shm = true)
        : ScreenCapture(display, use_shm ? CaptureMethod::ShmFd : CaptureMethod::GetImage) {}
    // Tries `best` and the methods after it (tests force one path this way).
    ScreenCapture(Display* display, CaptureMethod best);
    ~ScreenCapture();
    ScreenCapture(const ScreenCapture&) = delete;
    ScreenCapture& operator=(const ScreenCapture&) = delete;

    // The whole root window.
    RgbImage capture();
    // A region of the root window, in screen pixels (must be inside the screen).
    RgbImage capture(const Rect& region);

    CaptureMethod method() const { return method_; }
    bool using_shm() const { return method_ != CaptureMethod::GetImage; }
    // Why the better methods are not used, "; "-separated (empty with ShmFd).
    const std::string& shm_unavailable_reason() const { return shm_reason_; }

private:
    bool try_sysv_shm();
    void release_sysv_shm();
    void fall_back(const std::string& why);
    void log_method() const;

    Display* display_;
    int width_, height_;
    CaptureMethod method_ = CaptureMethod::GetImage;
    std::string shm_reason_;
    ShmFdSegment fd_segment_;
    bool sysv_attached_ = false;
    XShmSegmentInfo shm_{};
    XImage* shm_image_ = nullptr;
};

// Converts a ZPixmap XImage (24/32-bit TrueColor fast path, anything else
// through the masks) to RGB.
RgbImage ximage_to_rgb(XImage* image, int width, int height);

}  // namespace deskbox
