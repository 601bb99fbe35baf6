#include "xsession/capture/scaling.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "supervisor/base/error.h"

namespace deskbox {
namespace {

// For every source index, the output index its pixel centre falls in:
// floor((s + 0.5) * out / in).
std::vector<int> output_index_of_source(int in, int out) {
    std::vector<int> index(static_cast<std::size_t>(in));
    for (int s = 0; s < in; ++s) {
        const auto v =
            static_cast<int>(((2 * static_cast<std::int64_t>(s) + 1) * out) / (2 * static_cast<std::int64_t>(in)));
        index[static_cast<std::size_t>(s)] = std::min(v, out - 1);
    }
    return index;
}

}  // namespace

ScaleMap::ScaleMap(int screen_width, int screen_height, int scaled_width, int scaled_height)
    : screen_w_(screen_width), screen_h_(screen_height), scaled_w_(scaled_width), scaled_h_(scaled_height) {
    if (screen_w_ <= 0 || screen_h_ <= 0 || scaled_w_ <= 0 || scaled_h_ <= 0) {
        throw Error("bad scaling " + std::to_string(screen_w_) + "x" + std::to_string(screen_h_) + " -> " +
                    std::to_string(scaled_w_) + "x" + std::to_string(scaled_h_));
    }
}

Point ScaleMap::to_screen(Point scaled) const {
    if (!contains_scaled(scaled)) {
        throw Error("coordinate (" + std::to_string(scaled.x) + ", " + std::to_string(scaled.y) +
                    ") is outside the screen (0..." + std::to_string(scaled_w_ - 1) + ", 0..." +
                    std::to_string(scaled_h_ - 1) + ")");
    }
    // Exact integer form of floor((x + 0.5) * W / w).
    const auto x = static_cast<int>(((2 * static_cast<std::int64_t>(scaled.x) + 1) * screen_w_) /
                                    (2 * static_cast<std::int64_t>(scaled_w_)));
    const auto y = static_cast<int>(((2 * static_cast<std::int64_t>(scaled.y) + 1) * screen_h_) /
                                    (2 * static_cast<std::int64_t>(scaled_h_)));
    return {std::min(x, screen_w_ - 1), std::min(y, screen_h_ - 1)};
}

Point ScaleMap::to_scaled(Point screen) const {
    const int sx = std::clamp(screen.x, 0, screen_w_ - 1);
    const int sy = std::clamp(screen.y, 0, screen_h_ - 1);
    const auto x = static_cast<int>(((2 * static_cast<std::int64_t>(sx) + 1) * scaled_w_) /
                                    (2 * static_cast<std::int64_t>(screen_w_)));
    const auto y = static_cast<int>(((2 * static_cast<std::int64_t>(sy) + 1) * scaled_h_) /
                                    (2 * static_cast<std::int64_t>(screen_h_)));
    return {std::min(x, scaled_w_ - 1), std::min(y, scaled_h_ - 1)};
}

Rect ScaleMap::region_to_screen(const Rect& scaled) const {
    if (scaled.width <= 0 || scaled.height <= 0) {
        throw Error("region " + std::to_string(scaled.width) + "x" + std::to_string(scaled.height) + " is empty");
    }
    // Edges map by proportion: [x*W/w, (x+width)*W/w), rounded outward.
    auto lo = [](std::int64_t v, std::int64_t num, std::int64_t den) { return static_cast<int>((v * num) / den); };
    auto hi = [](std::int64_t v, std::int64_t num, std::int64_t den) {
        return static_cast<int>((v * num + den - 1) / den);
    };
    const int x0 = std::clamp(lo(scaled.x, screen_w_, scaled_w_), 0, screen_w_);
    const int y0 = std::clamp(lo(scaled.y, screen_h_, scaled_h_), 0, screen_h_);
    const int x1 =
        std::clamp(hi(static_cast<std::int64_t>(scaled.x) + scaled.width, screen_w_, scaled_w_), 0, screen_w_);
    const int y1 =
        std::clamp(hi(static_cast<std::int64_t>(scaled.y) + scaled.height, screen_h_, scaled_h_), 0, screen_h_);
    if (x1 <= x0 || y1 <= y0) {
        throw Error("region (" + std::to_string(scaled.x) + ", " + std::to_string(scaled.y) + ", " +
                    std::to_string(scaled.width) + "x" + std::to_string(scaled.height) + ") is outside the screen");
    }
    return {x0, y0, x1 - x0, y1 - y0};
}

Point fit_size(int width, int height, int max_width, int max_height) {
    if (width <= 0 || height <= 0) return {0, 0};
    // Compare width/height ratios without floating point.
    if (static_cast<std::int64_t>(max_width) * height <= static_cast<std::int64_t>(max_height) * width) {
        return {max_width, std::max(1, static_cast<int>(static_cast<std::int64_t>(height) * max_width / width))};
    }
    return {std::max(1, static_cast<int>(static_cast<std::int64_t>(width) * max_height / height)), max_height};
}

RgbImage resample(const RgbImage& source, int width, int height) {
    if (width <= 0 || height <= 0)
        throw Error("cannot scale an image to " + std::to_string(width) + "x" + std::to_string(height));
    if (width == source.width && height == source.height) return source;
    RgbImage out(width, height);
    if (width > source.width || height > source.height) {
        // Growing (zoom): nearest source pixel by the same centre rule, so
        // pixels stay crisp enough to read.
        for (int y = 0; y < height; ++y) {
            const auto sy = static_cast<int>(((2 * static_cast<std::int64_t>(y) + 1) * source.height) /
                                             (2 * static_cast<std::int64_t>(height)));
            for (int x = 0; x < width; ++x) {
                const auto sx = static_cast<int>(((2 * static_cast<std::int64_t>(x) + 1) * source.width) /
                                                 (2 * static_cast<std::int64_t>(width)));
                const std::uint8_t* s = source.at(std::min(sx, source.width - 1), std::min(sy, source.height - 1));
                std::uint8_t* d = out.at(x, y);
                d[0] = s[0];
                d[1] = s[1];
                d[2] = s[2];
            }
        }
        return out;
    }
    // Shrinking: each source pixel adds to the output pixel its centre falls in.
    // Output pixel spans are contiguous (the mapping is monotonic): first sum
    // the span's source rows into one row (vectorizes), then collapse columns.
    const std::vector<int> column = output_index_of_source(source.width, width);
    const std::vector<int> row = output_index_of_source(source.height, height);
    std::vector<int> column_start(static_cast<std::size_t>(width) + 1, source.width);
    for (int sx = source.width - 1; sx >= 0; --sx)
        column_start[static_cast<std::size_t>(column[static_cast<std::size_t>(sx)])] = sx;
    const std::size_t row_values = static_cast<std::size_t>(source.width) * 3;
    std::vector<std::uint32_t> row_sum(row_values);
    int sy = 0;
    for (int y = 0; y < height; ++y) {
        std::fill(row_sum.begin(), row_sum.end(), 0);
        std::uint32_t rows = 0;
        for (; sy < source.height && row[static_cast<std::size_t>(sy)] == y; ++sy, ++rows) {
            const std::uint8_t* s = source.at(0, sy);
            std::uint32_t* acc = row_sum.data();
            for (std::size_t i = 0; i < row_values; ++i) acc[i] += s[i];
        }
        std::uint8_t* d = out.at(0, y);
        for (int x = 0; x < width; ++x, d += 3) {
            const int x0 = column_start[static_cast<std::size_t>(x)],
                      x1 = column_start[static_cast<std::size_t>(x) + 1];
            std::uint32_t sum[3] = {0, 0, 0};
            for (int sx = x0; sx < x1; ++sx) {
                const std::uint32_t* acc = row_sum.data() + static_cast<std::size_t>(sx) * 3;
                sum[0] += acc[0];
                sum[1] += acc[1];
                sum[2] += acc[2];
            }
            const std::uint32_t n = rows * static_cast<std::uint32_t>(x1 - x0);
            if (n == 0) continue;  // cannot happen when shrinking
            for (int c = 0; c < 3; ++c) d[c] = static_cast<std::uint8_t>((sum[c] + n / 2) / n);
        }
    }
    return out;
}

RgbImage crop(const RgbImage& source, const Rect& region) {
    const int x0 = std::clamp(region.x, 0, source.width);
    const int y0 = std::clamp(region.y, 0, source.height);
    const int x1 = std::clamp(region.x + region.width, 0, source.width);
    const int y1 = std::clamp(region.y + region.height, 0, source.height);
    if (x1 <= x0 || y1 <= y0) throw Error("crop region is outside the image");
    RgbImage out(x1 - x0, y1 - y0);
    for (int y = y0; y < y1; ++y) {
        std::copy(source.at(x0, y), source.at(x0, y) + static_cast<std::size_t>(out.width) * 3, out.at(0, y - y0));
    }
    return out;
}

}  // namespace deskbox
