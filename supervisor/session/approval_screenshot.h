// The picture a reviewer decides on: the screen at the moment the gate asked
// for approval, with every password field blacked out (AT-SPI "password text"
// elements) and the policy's observe.redact_regions (elements or rectangles). Shown only to reviewers (review.sock
// "observation"), never kept on disk: the audit log records the decision, not this picture.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "xsession/a11y/a11y_client.h"
#include "xsession/capture/image.h"
#include "xsession/desktop/desktop.h"

namespace deskbox {

// Fills each box (screen pixels, clipped to the image) with black.
void black_out(RgbImage& image, const std::vector<Rect>& boxes);
// Draws the outline of `box` (3 pixels wide, just outside it where there is
// room) in red, clipped to the image.
void draw_box(RgbImage& image, const Rect& box);

// PNG of the screen with password fields and `regions` blacked out and the
// target's box drawn. `a11y` may be null (no accessibility): then no picture
// is made (Error) rather than one that might show a password; so is none when
// a lookup of a region's elements fails.
std::string redacted_screenshot(Desktop& desktop, a11y::A11yClient* a11y, const std::optional<Rect>& box,
                                const std::vector<ScreenRedaction>& regions = {});

}  // namespace deskbox
