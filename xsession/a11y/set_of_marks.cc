#include "xsession/a11y/set_of_marks.h"

#include <algorithm>

#include "supervisor/base/error.h"
#include "xsession/a11y/a11y_filter.h"

namespace deskbox::a11y {

namespace {

// 3x5 bitmaps of the digits, one row per 3 low bits (MSB = left).
constexpr std::uint8_t kDigits[10][5] = {{7, 5, 5, 5, 7}, {2, 6, 2, 2, 7}, {7, 1, 7, 4, 7}, {7, 1, 7, 1, 7},
                                         {5, 5, 7, 1, 1}, {7, 4, 7, 1, 7}, {7, 4, 7, 5, 7}, {7, 1, 1, 1, 1},
                                         {7, 5, 7, 5, 7}, {7, 5, 7, 1, 7}};
constexpr int kScale = 2;  // each font pixel is 2x2
constexpr int kGlyphW = 3 * kScale, kGlyphH = 5 * kScale, kPad = 2;

struct Canvas {
    RgbImage& img;
    void put(int x, int y, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
        if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
        auto* p = &img.pixels[(static_cast<std::size_t>(y) * img.width + x) * 3];
        p[0] = r, p[1] = g, p[2] = b;
    }
    void fill(int x0, int y0, int w, int h, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
        for (int y = y0; y < y0 + h; ++y)
            for (int x = x0; x < x0 + w; ++x) put(x, y, r, g, b);
    }
    void outline(const Rect& box) {
        for (int x = box.x; x < box.x + box.width; ++x)
            put(x, box.y, 255, 0, 0), put(x, box.y + box.height - 1, 255, 0, 0);
        for (int y = box.y; y < box.y + box.height; ++y)
            put(box.x, y, 255, 0, 0), put(box.x + box.width - 1, y, 255, 0, 0);
    }
    void number(int value, int left, int bottom) {
        const std::string digits = std::to_string(value);
        const int w = static_cast<int>(digits.size()) * (kGlyphW + kScale) + kPad * 2 - kScale;
        const int h = kGlyphH + kPad * 2;
        const int top = bottom - h;
        fill(left, top, w, h, 0, 0, 0);
        int x = left + kPad;
        for (char d : digits) {
            const auto& glyph = kDigits[d - '0'];
            for (int row = 0; row < 5; ++row)
                for (int col = 0; col < 3; ++col)
                    if (glyph[row] & (4 >> col))
                        fill(x + col * kScale, top + kPad + row * kScale, kScale, kScale, 255, 255, 255);
            x += kGlyphW + kScale;
        }
    }
};

}  // namespace

std::vector<Mark> draw_set_of_marks(RgbImage& image, const Tree& tree, ScaleFactors scale) {
    if (image.width <= 0 || image.height <= 0 ||
        image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * 3)
        throw Error("set of marks: the pixel buffer is not width*height*3 bytes");
    Canvas canvas{image};
    std::vector<Mark> marks;
    for (const Element& e : tree.elements) {
        if (!is_interactive(e, /*check_image=*/true) || !e.bbox) continue;  // interactive implies a box
        Rect box = scale_rect(*e.bbox, scale);
        const int x1 = std::min(box.x + box.width, image.width), y1 = std::min(box.y + box.height, image.height);
        box.x = std::max(box.x, 0), box.y = std::max(box.y, 0);
        box.width = x1 - box.x, box.height = y1 - box.y;
        if (box.width <= 0 || box.height <= 0) continue;
        const int index = static_cast<int>(marks.size()) + 1;
        canvas.outline(box);
        canvas.number(index, box.x, box.y + box.height);
        marks.push_back(Mark{index, box, e});
    }
    return marks;
}

std::string marks_table(const std::vector<Mark>& marks) {
    std::string out = "index\ttag\tname\ttext";
    for (const Mark& m : marks) {
        std::string text = visible_text(m.element);
        if (text.empty())
            text = "\"\"";
        else if (text.find('"') != std::string::npos) {
            std::string q = "\"";
            for (char c : text) q += c == '"' ? std::string("\"\"") : std::string(1, c);
            text = q + "\"";
        }
        out += "\n" + std::to_string(m.index) + "\t" + role_tag(m.element.role) + "\t" + m.element.name + "\t" + text;
    }
    return out;
}

}  // namespace deskbox::a11y
