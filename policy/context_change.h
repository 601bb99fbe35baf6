// Is the screen still what the reviewer approved? An approval is decided on
// one context snapshot; right before the approved action runs the session
// reads the context again, and any difference listed here refuses it
// (rule "target_changed"). Pure comparison: no X, no AT-SPI.
#pragma once

#include <string>
#include <vector>

#include "policy/gate.h"

namespace deskbox {

struct ChangeTolerance {
    int box_pixels = 4;              // an element's box may move this much (layout jitter)
    int channel_delta = 48;          // a pixel differs when a channel moves more than this
    double changed_fraction = 0.10;  // ...and the patch changed when more than this share of pixels did
};

// Human-readable differences ("window: 'Chromium' (0x400005) is now 'XTerm' (0x600003)"); empty when the
// target is the same. A field readable before and unreadable now is a change.
std::vector<std::string> context_changes(const GateContext& before, const GateContext& now,
                                         const ChangeTolerance& tolerance = {});

}  // namespace deskbox
