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

ElementTarget element_target(const TargetMatch& match) {
    ElementTarget t;
    t.regex = true;
    if (match.role) t.role = match.role->source;
    if (match.name) t.name = match.name->source;
    return t;
}

// One picture in the making: each lookup's answer takes it one step on.
struct ScreenshotJob {
    Desktop& desktop;
    a11y::A11yLookups& lookups;
    std::optional<Rect> box;
    std::vector<ScreenRedaction> regions;
    ScreenshotDone done;
    std::size_t next_region = 0;
    std::vector<Rect> boxes;  // what to black out
};

void continue_with_regions(const std::shared_ptr<ScreenshotJob>& job);

// Adds the boxes of every element `target` matches, then goes on. A failed
// lookup ends the job: a picture whose redaction is unknown is not shown.
void look_up(const std::shared_ptr<ScreenshotJob>& job, const ElementTarget& target, std::string what_failed) {
    job->lookups.find(target, [job, what_failed = std::move(what_failed)](a11y::Looked<a11y::FindResult> found) {
        if (!found.value) return job->done({}, what_failed + found.error);
        for (const auto& e : found.value->matches)
            if (e.bbox) job->boxes.push_back(*e.bbox);
        continue_with_regions(job);
    });
}

void capture(const std::shared_ptr<ScreenshotJob>& job) {
    std::string png;
    try {
        RgbImage image = job->desktop.capture_screen();
        black_out(image, job->boxes);
        if (const std::optional<Rect> box = job->box) draw_box(image, *box);
        png = encode_png(image);
    } catch (const std::exception& e) {
        return job->done({}, std::string("the screen could not be captured: ") + e.what());
    }
    job->done(std::move(png), {});
}

void continue_with_regions(const std::shared_ptr<ScreenshotJob>& job) {
    while (job->next_region < job->regions.size()) {
        const ScreenRedaction& region = job->regions[job->next_region++];
        if (const auto& rect = region.rect) {
            job->boxes.push_back(Rect{rect->x, rect->y, rect->width, rect->height});
            continue;
        }
        // The policy parser gives each region a rect or an element.
        if (!region.element)
            return job->done({}, "redact region '" + region.name + "' names neither a rect nor an element");
        return look_up(job, element_target(*region.element),
                       "the elements of redact region '" + region.name + "' could not be found: ");
    }
    capture(job);
}

}  // namespace

void take_redacted_screenshot(Desktop& desktop, a11y::A11yLookups* lookups, const std::optional<Rect>& box,
                              const std::vector<ScreenRedaction>& regions, ScreenshotDone done) {
    // Without the tree we cannot tell where passwords are: no picture at all.
    if (!lookups) return done({}, "accessibility is not available, so password fields cannot be blacked out");
    auto job = std::make_shared<ScreenshotJob>(ScreenshotJob{desktop, *lookups, box, regions, std::move(done)});
    ElementTarget passwords;
    passwords.role = "^password text$";
    passwords.regex = true;
    look_up(job, passwords, "the password fields could not be found: ");
}

}  // namespace deskbox
