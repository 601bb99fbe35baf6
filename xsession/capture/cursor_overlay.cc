#include "xsession/capture/cursor_overlay.h"

#include <X11/extensions/Xfixes.h>

#include "supervisor/base/error.h"

namespace deskbox {

CursorImage fetch_cursor(Display* display) {
    int event_base = 0, error_base = 0;
    if (!XFixesQueryExtension(display, &event_base, &error_base)) {
        throw Error("the X server has no XFIXES extension: cannot draw the cursor");
    }
    XFixesCursorImage* image = XFixesGetCursorImage(display);
    if (!image) throw Error("reading the cursor image (XFixesGetCursorImage) failed");
    CursorImage cursor;
    cursor.x = image->x - image->xhot;
    cursor.y = image->y - image->yhot;
    cursor.width = image->width;
    cursor.height = image->height;
    const std::size_t count = static_cast<std::size_t>(image->width) * image->height;
    cursor.argb.resize(count);
    // Xlib delivers the 32-bit pixels in unsigned longs.
    for (std::size_t i = 0; i < count; ++i) cursor.argb[i] = static_cast<std::uint32_t>(image->pixels[i]);
    XFree(image);
    return cursor;
}

void draw_cursor(RgbImage& image, const CursorImage& cursor, int origin_x, int origin_y) {
    for (int cy = 0; cy < cursor.height; ++cy) {
        const int y = cursor.y + cy - origin_y;
        if (y < 0 || y >= image.height) continue;
        for (int cx = 0; cx < cursor.width; ++cx) {
            const int x = cursor.x + cx - origin_x;
            if (x < 0 || x >= image.width) continue;
            const std::uint32_t p = cursor.argb[static_cast<std::size_t>(cy) * cursor.width + cx];
            const std::uint32_t alpha = p >> 24;
            if (alpha == 0) continue;
            std::uint8_t* d = image.at(x, y);
            const std::uint32_t src[3] = {(p >> 16) & 0xff, (p >> 8) & 0xff, p & 0xff};
            for (int c = 0; c < 3; ++c) {
                // Premultiplied "over": src + dst * (1 - alpha).
                const std::uint32_t v = src[c] + (d[c] * (255 - alpha) + 127) / 255;
                d[c] = static_cast<std::uint8_t>(v > 255 ? 255 : v);
            }
        }
    }
}

}  // namespace deskbox
