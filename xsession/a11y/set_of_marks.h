// Set-of-Marks: numbered boxes over the interactive elements of a screenshot,
// with the index table (OSWorld's draw_bounding_boxes: "index\ttag\tname\ttext").
// A pure function over an RGB buffer: no X, no image codec.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "xsession/a11y/a11y_tree.h"

namespace deskbox::a11y {

struct RgbImage {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;  // RGB, 3 bytes per pixel, rows top to bottom, no padding
};

struct Mark {
    int index = 0;  // 1-based, as drawn
    Rect box;       // in the image (screenshot) space
    Element element;
};

// Draws a red box and its number (white on black, at the box's bottom left) for
// each interactive element (OSWorld's judge_node with images), boxes scaled
// into the image by `scale`; boxes outside the image are clipped, empty ones skipped.
// Throws deskbox::Error when the buffer does not match width*height*3.
std::vector<Mark> draw_set_of_marks(RgbImage& image, const Tree& tree, ScaleFactors scale);

// "index\ttag\tname\ttext" then one line per mark.
std::string marks_table(const std::vector<Mark>& marks);

}  // namespace deskbox::a11y
