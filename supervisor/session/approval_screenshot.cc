#include "supervisor/session/approval_screenshot.h"

#include <algorithm>
#include <cstring>

#include "supervisor/base/error.h"
#include "xsession/capture/codecs.h"

namespace deskbox {

void black_out(RgbImage& image, const std::vector<Rect>& boxes) {
    for (const Rect& r : boxes) {
        const int x0 = std::max(0, r.x), y0 = std::max(0, r.y);
        const int x1 = std::min(image.width, r.x + r.width), y1 = std::min(image.height, r.y + r.height);
        if (x0 >= x1) continue;
        for (int y = y0; y < y1; ++y) std::memset(image.at(x0, y), 0, static_cast<std::size_t>(x1 - x0) * 3);
    }
}

void draw_box(RgbImage& image, const Rect& box) {
    constexpr int kLine = 3;
    auto fill = [&](int x0, int y0, int x1, int y1) {
        x0 = std::max(0, x0), y0 = std::max(0, y0);
        x1 = std::min(image.width, x1), y1 = std::min(image.height, y1);
        for (int y = y0; y < y1; ++y)
            for (int x = x0; x < x1; ++x) {
                std::uint8_t* p = image.at(x, y);
                p[0] = 255, p[1] = 0, p[2] = 0;
            }
    };
    const int l = box.x - kLine, t = box.y - kLine, r = box.x + box.width, b = box.y + box.height;
    fill(l, t, r + kLine, box.y);      // top
    fill(l, b, r + kLine, b + kLine);  // bottom
    fill(l, t, box.x, b + kLine);      // left
    fill(r, t, r + kLine, b + kLine);  // right
}

namespace {

// The boxes of every accessible element `target` matches. Throws when the
// lookup fails: a picture whose redaction is unknown is not shown.
void add_element_boxes(a11y::A11yClient& a11y, const ElementTarget& target, std::vector<Rect>& boxes) {
    const a11y::FindResult found = a11y.find(target);
    for (const auto& e : found.matches)
        if (e.bbox) boxes.push_back(*e.bbox);
}

ElementTarget element_target(const TargetMatch& match) {
    ElementTarget t;
    t.regex = true;
    if (match.role) t.role = match.role->source;
    if (match.name) t.name = match.name->source;
    return t;
}

}  // namespace

std::string redacted_screenshot(Desktop& desktop, a11y::A11yClient* a11y, const std::optional<Rect>& box,
                                const std::vector<ScreenRedaction>& regions) {
    // Without the tree we cannot tell where passwords are: no picture at all.
    if (!a11y) throw Error("accessibility is not available, so password fields cannot be blacked out");
    ElementTarget passwords;
    passwords.role = "^password text$";
    passwords.regex = true;
    std::vector<Rect> boxes;
    add_element_boxes(*a11y, passwords, boxes);
    for (const ScreenRedaction& region : regions) {
        if (region.rect) {
            boxes.push_back(Rect{region.rect->x, region.rect->y, region.rect->width, region.rect->height});
            continue;
        }
        try {
            add_element_boxes(*a11y, element_target(*region.element), boxes);
        } catch (const std::exception& e) {
            throw Error("the elements of redact region '" + region.name + "' could not be found: " + e.what());
        }
    }
    RgbImage image = desktop.capture_screen();
    black_out(image, boxes);
    if (box) draw_box(image, *box);
    return encode_png(image);
}

}  // namespace deskbox
