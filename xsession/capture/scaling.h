// The agent may see a scaled screen (1280x800 shown as 1024x640). ScaleMap
// maps coordinates both ways so that the centre of a scaled pixel lands in
// the screen pixel it was sampled from, and resample() produces images whose
// pixel i covers exactly the screen pixels that map to i. Pure math, no X.
#pragma once

#include "xsession/actions/action.h"
#include "xsession/capture/image.h"

namespace deskbox {

class ScaleMap {
public:
    // Throws deskbox::Error for sizes that are not positive.
    ScaleMap(int screen_width, int screen_height, int scaled_width, int scaled_height);
    static ScaleMap identity(int width, int height) { return ScaleMap(width, height, width, height); }

    // Scaled -> screen: floor((x + 0.5) * W / w). Coordinates outside the
    // scaled space are an error naming them and the valid range.
    Point to_screen(Point scaled) const;
    // Screen -> scaled: the scaled pixel whose area contains the screen pixel's centre.
    Point to_scaled(Point screen) const;
    bool contains_scaled(Point p) const { return p.x >= 0 && p.y >= 0 && p.x < scaled_w_ && p.y < scaled_h_; }
    // A scaled rectangle to the screen rectangle that covers it (clipped to the screen).
    Rect region_to_screen(const Rect& scaled) const;

    int screen_width() const { return screen_w_; }
    int screen_height() const { return screen_h_; }
    int scaled_width() const { return scaled_w_; }
    int scaled_height() const { return scaled_h_; }
    bool is_identity() const { return screen_w_ == scaled_w_ && screen_h_ == scaled_h_; }

private:
    int screen_w_, screen_h_, scaled_w_, scaled_h_;
};

// The target size that keeps the aspect ratio and fits in (max_w, max_h).
Point fit_size(int width, int height, int max_width, int max_height);

// Resamples to (width, height): box average when shrinking (each output pixel
// averages the source pixels whose centres fall in it), nearest when growing.
RgbImage resample(const RgbImage& source, int width, int height);
// A copy of the region (clipped to the image).
RgbImage crop(const RgbImage& source, const Rect& region);

}  // namespace deskbox
