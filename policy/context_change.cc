#include "policy/context_change.h"

#include <cstdio>
#include <cstdlib>

namespace deskbox {
namespace {

std::string describe(const std::optional<FocusedWindow>& w) {
    if (!w) return "no window";
    char id[32];
    std::snprintf(id, sizeof id, "0x%llx", static_cast<unsigned long long>(w->id));
    return "'" + w->window_class + "' \"" + w->title + "\" (" + id + ")";
}

std::string describe(const std::optional<TargetElement>& t) {
    if (!t) return "no element";
    std::string s = "[" + t->role + "] \"" + t->name + "\"";
    if (t->box)
        s += " at " + std::to_string(t->box->x) + "," + std::to_string(t->box->y) + " " +
             std::to_string(t->box->width) + "x" + std::to_string(t->box->height);
    return s;
}

bool near(const std::optional<Rect>& a, const std::optional<Rect>& b, int tolerance) {
    if (!a || !b) return a.has_value() == b.has_value();
    return std::abs(a->x - b->x) <= tolerance && std::abs(a->y - b->y) <= tolerance &&
           std::abs(a->width - b->width) <= tolerance && std::abs(a->height - b->height) <= tolerance;
}

// Share of pixels of the same area that differ by more than the channel tolerance.
double changed_share(const PixelPatch& a, const PixelPatch& b, int channel_delta) {
    if (!(a.area == b.area) || a.rgb.size() != b.rgb.size() || a.rgb.empty()) return 1.0;
    std::size_t changed = 0;
    for (std::size_t i = 0; i + 2 < a.rgb.size(); i += 3) {
        for (std::size_t c = 0; c < 3; ++c) {
            if (std::abs(int(a.rgb[i + c]) - int(b.rgb[i + c])) > channel_delta) {
                ++changed;
                break;
            }
        }
    }
    return static_cast<double>(changed) / static_cast<double>(a.rgb.size() / 3);
}

}  // namespace

std::vector<std::string> context_changes(const GateContext& before, const GateContext& now,
                                         const ChangeTolerance& tolerance) {
    std::vector<std::string> changes;
    for (const char* field : {"window", "app", "target", "domain"}) {
        if (before.readable(field) && !now.readable(field))
            changes.push_back(std::string(field) + ": could not be read again (" + now.unreadable.at(field) + ")");
    }
    if (before.readable("window") && now.readable("window")) {
        const auto &a = before.window, &b = now.window;
        const bool same = a.has_value() == b.has_value() &&
                          (!a || (a->id == b->id && a->window_class == b->window_class && a->title == b->title));
        if (!same)
            changes.push_back("window: " + describe(a) + " is now " + describe(b));
        else if (a && before.readable("app") && now.readable("app") && a->app != b->app)
            changes.push_back("app: '" + a->app + "' is now '" + b->app + "'");
    }
    if (before.readable("target") && now.readable("target")) {
        const auto &a = before.target, &b = now.target;
        const bool same =
            a.has_value() == b.has_value() &&
            (!a || (a->role == b->role && a->name == b->name && near(a->box, b->box, tolerance.box_pixels)));
        if (!same) changes.push_back("target: " + describe(a) + " is now " + describe(b));
    }
    if (before.readable("domain") && now.readable("domain") && before.domain != now.domain)
        changes.push_back("domain: '" + before.domain + "' is now '" + now.domain + "'");
    if (before.pixels) {
        if (!now.pixels) {
            changes.push_back("pixels: the region around the point could not be read again");
        } else {
            const double share = changed_share(*before.pixels, *now.pixels, tolerance.channel_delta);
            if (share > tolerance.changed_fraction)
                changes.push_back("pixels: " + std::to_string(static_cast<int>(share * 100 + 0.5)) +
                                  "% of the region around the point changed");
        }
    }
    return changes;
}

}  // namespace deskbox
