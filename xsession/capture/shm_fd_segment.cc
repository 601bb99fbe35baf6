#include "xsession/capture/shm_fd_segment.h"

#include <X11/Xlib-xcb.h>
#include <X11/Xutil.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <xcb/shm.h>
#include <xcb/xcb.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "supervisor/base/unique_fd.h"
#include "xsession/display/x_error.h"

namespace deskbox {
namespace {

// Words for an error xcb handed back to us (Xlib's handler never sees it):
// the same decoding as every other X error of the supervisor.
std::string describe(Display* display, const xcb_generic_error_t& error) {
    XErrorEvent event{};
    event.type = 0;
    event.display = display;
    event.resourceid = error.resource_id;
    event.serial = error.full_sequence;
    event.error_code = error.error_code;
    event.request_code = error.major_code;
    event.minor_code = static_cast<unsigned char>(error.minor_code);
    return decode_x_error(display, event).message;
}

// fd passing needs SCM_RIGHTS: only over a Unix socket. Sending an fd over TCP
// would make xcb shut the connection down, so check before trying.
bool unix_socket(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    return getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0 && address.ss_family == AF_UNIX;
}

}  // namespace

ShmFdSegment ShmFdSegment::attach(Display* display, std::size_t bytes) {
    ShmFdSegment segment;
    segment.display_ = display;
    xcb_connection_t* connection = XGetXCBConnection(display);
    const xcb_query_extension_reply_t* extension = xcb_get_extension_data(connection, &xcb_shm_id);
    if (!extension || !extension->present) {
        segment.reason_ = "the X server has no MIT-SHM extension";
        return segment;
    }
    xcb_shm_query_version_reply_t* version =
        xcb_shm_query_version_reply(connection, xcb_shm_query_version(connection), nullptr);
    if (!version) {
        segment.reason_ = "MIT-SHM QueryVersion failed";
        return segment;
    }
    const int major = version->major_version, minor = version->minor_version;
    std::free(version);
    if (major < 1 || (major == 1 && minor < 2)) {
        segment.reason_ = "the X server's MIT-SHM is " + std::to_string(major) + "." + std::to_string(minor) +
                          " (fd passing needs 1.2)";
        return segment;
    }
    if (!unix_socket(ConnectionNumber(display))) {
        segment.reason_ = "the X connection is not a Unix socket (no fd passing)";
        return segment;
    }
    UniqueFd fd(memfd_create("deskbox-capture", MFD_CLOEXEC));
    if (!fd) {
        segment.reason_ = std::string("memfd_create: ") + std::strerror(errno);
        return segment;
    }
    if (ftruncate(fd.get(), static_cast<off_t>(bytes)) != 0) {
        segment.reason_ = "sizing the capture segment to " + std::to_string(bytes) + " bytes: " + std::strerror(errno);
        return segment;
    }
    void* data = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
    if (data == MAP_FAILED) {
        segment.reason_ = std::string("mapping the capture segment: ") + std::strerror(errno);
        return segment;
    }
    segment.data_ = static_cast<std::uint8_t*>(data);
    segment.bytes_ = bytes;
    segment.seg_ = xcb_generate_id(connection);
    // xcb closes the fd it sends; our mapping keeps the memory alive.
    const xcb_void_cookie_t cookie = xcb_shm_attach_fd_checked(connection, segment.seg_, fd.release(), 0);
    if (xcb_generic_error_t* error = xcb_request_check(connection, cookie)) {
        segment.reason_ = "the X server refused our segment (" + describe(display, *error) + ")";
        std::free(error);
        munmap(segment.data_, segment.bytes_);
        segment.data_ = nullptr;
        segment.seg_ = 0;
    }
    return segment;
}

ShmFdSegment::ShmFdSegment(ShmFdSegment&& other) noexcept
    : display_(other.display_),
      seg_(std::exchange(other.seg_, 0)),
      data_(std::exchange(other.data_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)),
      reason_(std::move(other.reason_)) {}

ShmFdSegment& ShmFdSegment::operator=(ShmFdSegment&& other) noexcept {
    if (this != &other) {
        release();
        display_ = other.display_;
        seg_ = std::exchange(other.seg_, 0);
        data_ = std::exchange(other.data_, nullptr);
        bytes_ = std::exchange(other.bytes_, 0);
        reason_ = std::move(other.reason_);
    }
    return *this;
}

ShmFdSegment::~ShmFdSegment() {
    release();
}

void ShmFdSegment::release() {
    if (!data_) return;
    xcb_connection_t* connection = XGetXCBConnection(display_);
    // Checked, so that a failure (server gone) is collected here instead of
    // reaching the event queue; nothing useful can be done about it.
    if (xcb_generic_error_t* error = xcb_request_check(connection, xcb_shm_detach_checked(connection, seg_))) {
        std::free(error);
    }
    munmap(data_, bytes_);
    data_ = nullptr;
    seg_ = 0;
}

XImage* ShmFdSegment::get_image(Window drawable, const Rect& region, std::string& error) {
    const int screen = DefaultScreen(display_);
    const unsigned depth = static_cast<unsigned>(DefaultDepth(display_, screen));
    XImage* image =
        XCreateImage(display_, DefaultVisual(display_, screen), depth, ZPixmap, 0, nullptr,
                     static_cast<unsigned>(region.width), static_cast<unsigned>(region.height), BitmapPad(display_), 0);
    if (!image) {
        error = "XCreateImage failed";
        return nullptr;
    }
    const std::size_t needed =
        static_cast<std::size_t>(image->bytes_per_line) * static_cast<std::size_t>(region.height);
    if (needed > bytes_) {
        XDestroyImage(image);
        error = "region needs " + std::to_string(needed) + " bytes, the segment has " + std::to_string(bytes_);
        return nullptr;
    }
    xcb_connection_t* connection = XGetXCBConnection(display_);
    xcb_generic_error_t* x_error = nullptr;
    xcb_shm_get_image_reply_t* reply = xcb_shm_get_image_reply(
        connection,
        xcb_shm_get_image(connection, static_cast<xcb_drawable_t>(drawable), static_cast<std::int16_t>(region.x),
                          static_cast<std::int16_t>(region.y), static_cast<std::uint16_t>(region.width),
                          static_cast<std::uint16_t>(region.height), ~0u, XCB_IMAGE_FORMAT_Z_PIXMAP, seg_, 0),
        &x_error);
    if (!reply) {
        error = x_error ? describe(display_, *x_error) : "the X connection was lost";
        std::free(x_error);
        XDestroyImage(image);
        return nullptr;
    }
    const bool layout_ok = reply->depth == depth && reply->size == needed;
    std::free(reply);
    if (!layout_ok) {
        XDestroyImage(image);
        error = "the server wrote an unexpected image layout";
        return nullptr;
    }
    image->data = reinterpret_cast<char*>(data_);
    return image;
}

}  // namespace deskbox
