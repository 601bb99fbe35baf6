// The picture a reviewer decides on: the screen at the moment the gate asked
// for approval, with every password field blacked out (AT-SPI "password text"
// elements) and the policy's observe.redact_regions (elements or rectangles). Shown only to reviewers (review.sock
// "observation"), never kept on disk: the audit log records the decision, not this picture.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "xsession/a11y/a11y_lookups.h"
#include "xsession/capture/image.h"
#include "xsession/desktop/desktop.h"

namespace deskbox {

// Fills each box (screen pixels, clipped to the image) with black.
void black_out(RgbImage& image, const std::vector<Rect>& boxes);
// Draws the outline of `box` (3 pixels wide, just outside it where there is
// room) in red, clipped to the image.
void draw_box(RgbImage& image, const Rect& box);

// The answer of take_redacted_screenshot: the PNG, or why there is none.
using ScreenshotDone = std::function<void(std::string png, std::string error)>;

// PNG of the screen with password fields and `regions` blacked out and the
// target's box drawn, answered through `done` once `lookups` has found the
// fields (at once with blocking lookups, later from the loop with
// a11y::LoopLookups). `lookups` may be null (no accessibility): then no
// picture is made rather than one that might show a password; so is none
// when a lookup of a region's elements fails.
void take_redacted_screenshot(Desktop& desktop, a11y::A11yLookups* lookups, const std::optional<Rect>& box,
                              const std::vector<ScreenRedaction>& regions, ScreenshotDone done);

}  // namespace deskbox
