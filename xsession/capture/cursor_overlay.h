// Drawing the pointer into a screenshot: the X server does not put the cursor
// into the pixels it returns, so it is fetched with XFixes and blended in.
#pragma once

#include <X11/Xlib.h>

#include <cstdint>
#include <vector>

#include "xsession/capture/image.h"

namespace deskbox {

struct CursorImage {
    int x = 0, y = 0;  // top-left in screen pixels (position minus hotspot)
    int width = 0, height = 0;
    std::vector<std::uint32_t> argb;  // premultiplied, as XFixes delivers it
};

// Throws deskbox::Error when the server lacks XFixes.
CursorImage fetch_cursor(Display* display);
// Blends the cursor onto an image whose top-left is the screen pixel (origin_x, origin_y).
void draw_cursor(RgbImage& image, const CursorImage& cursor, int origin_x = 0, int origin_y = 0);

}  // namespace deskbox
