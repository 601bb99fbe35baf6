// MIT-SHM 1.2 capture with the segment passed as a file descriptor
// (xcb_shm_attach_fd on a memfd). Unlike SysV shmget + XShmAttach, the server
// does not look the segment up by id, so this works when the X server lives in
// another IPC namespace: the session's Xvfb runs inside the sandbox, which has
// its own, and the supervisor reads its screen from outside.
#pragma once

#include <X11/Xlib.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "xsession/actions/action.h"

namespace deskbox {

class ShmFdSegment {
public:
    // Creates a memfd of `bytes`, maps it and hands it to the server. Returns
    // an empty segment (valid() false) with reason() set when the server or
    // the connection cannot do it (no MIT-SHM 1.2, not a Unix socket, refused);
    // never closes or breaks the connection.
    static ShmFdSegment attach(Display* display, std::size_t bytes);

    ShmFdSegment() = default;
    ShmFdSegment(ShmFdSegment&& other) noexcept;
    ShmFdSegment& operator=(ShmFdSegment&& other) noexcept;
    ShmFdSegment(const ShmFdSegment&) = delete;
    ShmFdSegment& operator=(const ShmFdSegment&) = delete;
    ~ShmFdSegment();

    bool valid() const { return data_ != nullptr; }
    const std::string& reason() const { return reason_; }

    // Has the server write `region` of `drawable` (ZPixmap, all planes) into the
    // segment, rows packed at the server's scanline pad. Returns an XImage
    // header over the segment (owned by the caller: set data to nullptr before
    // XDestroyImage), or nullptr with `error` set.
    XImage* get_image(Window drawable, const Rect& region, std::string& error);

private:
    void release();

    Display* display_ = nullptr;
    std::uint32_t seg_ = 0;
    std::uint8_t* data_ = nullptr;
    std::size_t bytes_ = 0;
    std::string reason_;
};

}  // namespace deskbox
