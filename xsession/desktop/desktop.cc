#include "xsession/desktop/desktop.h"

#include <poll.h>

#include "supervisor/base/error.h"
#include "supervisor/base/event_loop.h"
#include "xsession/capture/codecs.h"
#include "xsession/capture/cursor_overlay.h"

namespace deskbox {
namespace {

ScaleMap make_scale(Display* display, const std::optional<Point>& scaled) {
    const int width = DisplayWidth(display, DefaultScreen(display));
    const int height = DisplayHeight(display, DefaultScreen(display));
    if (!scaled) return ScaleMap::identity(width, height);
    if (scaled->x > width || scaled->y > height) {
        throw Error("screenshot scale " + std::to_string(scaled->x) + "x" + std::to_string(scaled->y) +
                    " is larger than the " + std::to_string(width) + "x" + std::to_string(height) + " screen");
    }
    return ScaleMap(width, height, scaled->x, scaled->y);
}

// Held modifier keys around a pointer action: pressed before, released (in
// reverse) after, even when the action fails half-way.
class HeldKeys {
public:
    HeldKeys(XInput& input, const std::vector<std::string>& keys) : input_(input), keys_(keys) {
        input_.press_names(keys_);
    }
    ~HeldKeys() {
        try {
            input_.release_names(keys_);
        } catch (const Error&) {
            // The names resolved when pressed; nothing new can fail here.
        }
    }
    HeldKeys(const HeldKeys&) = delete;
    HeldKeys& operator=(const HeldKeys&) = delete;

private:
    XInput& input_;
    const std::vector<std::string>& keys_;
};

}  // namespace

unsigned int x_button(MouseButton button) {
    switch (button) {
        case MouseButton::Left:
            return 1;
        case MouseButton::Middle:
            return 2;
        case MouseButton::Right:
            return 3;
        case MouseButton::Back:
            return 8;
        case MouseButton::Forward:
            return 9;
    }
    return 1;
}

Desktop::Desktop(Display* display, DesktopOptions options)
    : display_(display),
      options_(std::move(options)),
      scale_(make_scale(display, options_.scaled_size)),
      input_(display),
      capture_(display, options_.use_shm),
      settle_(std::make_unique<SettleWatcher>(display)) {}

Desktop::~Desktop() = default;

ActionResult Desktop::execute(const Action& action, const CaptureOptions& capture) {
    try {
        return run(action, capture);
    } catch (const Error& error) {
        ActionResult result;
        result.ok = false;
        result.error = std::string(to_string(action.kind)) + ": " + error.what();
        return result;
    }
}

Point Desktop::screen_point(const Action& action) const {
    if (!action.point) throw Error("no coordinate given");
    return scale_.to_screen(*action.point);
}

void Desktop::move_if_given(const Action& action) {
    if (!action.point) return;
    const Point p = screen_point(action);
    input_.move(p.x, p.y);
}

ActionResult Desktop::run(const Action& action, const CaptureOptions& capture) {
    ActionResult result;
    switch (action.kind) {
        case ActionKind::Screenshot:
            return screenshot(capture);
        case ActionKind::Zoom:
            return zoom(action, capture);
        case ActionKind::CursorPosition: {
            Window root = 0, child = 0;
            int x = 0, y = 0, wx = 0, wy = 0;
            unsigned int mask = 0;
            XQueryPointer(display_, DefaultRootWindow(display_), &root, &child, &x, &y, &wx, &wy, &mask);
            result.cursor = scale_.to_scaled({x, y});
            return result;
        }
        case ActionKind::Wait:
            deliberate_wait(action.duration);
            return result;
        case ActionKind::MouseMove: {
            const Point p = screen_point(action);
            HeldKeys held(input_, action.held_keys);
            input_.move(p.x, p.y);
            break;
        }
        case ActionKind::Click:
        case ActionKind::DoubleClick:
        case ActionKind::TripleClick: {
            const int count = action.kind == ActionKind::Click ? 1 : action.kind == ActionKind::DoubleClick ? 2 : 3;
            move_if_given(action);
            HeldKeys held(input_, action.held_keys);
            input_.click(x_button(action.button), count);
            break;
        }
        case ActionKind::MouseDown:
        case ActionKind::MouseUp: {
            move_if_given(action);
            HeldKeys held(input_, action.held_keys);
            input_.button(x_button(action.button), action.kind == ActionKind::MouseDown);
            break;
        }
        case ActionKind::Drag:
            drag(action);
            break;
        case ActionKind::Scroll: {
            if (action.scroll_x == 0 && action.scroll_y == 0) throw Error("no scroll amount given");
            if (action.scroll_x > 1000 || action.scroll_x < -1000 || action.scroll_y > 1000 ||
                action.scroll_y < -1000) {
                throw Error("scroll amount (" + std::to_string(action.scroll_x) + ", " +
                            std::to_string(action.scroll_y) + ") is larger than 1000 clicks");
            }
            move_if_given(action);
            HeldKeys held(input_, action.held_keys);
            input_.scroll(action.scroll_x, action.scroll_y);
            break;
        }
        case ActionKind::Type:
            input_.type_text(action.text);
            break;
        case ActionKind::Key:
            input_.chord(action.keys);
            break;
        case ActionKind::KeyDown:
            input_.press_names(action.keys);
            break;
        case ActionKind::KeyUp:
            input_.release_names(action.keys);
            break;
        case ActionKind::Tree:
        case ActionKind::HitTest:
        case ActionKind::ClickElement:
        case ActionKind::TypeInto:
        case ActionKind::FocusElement:
        case ActionKind::TypeSecret:
        case ActionKind::Done:
        case ActionKind::Fail:
        case ActionKind::Upload:
            result.ok = false;
            result.error = std::string(to_string(action.kind)) + ": not handled by the display";
            return result;
    }
    // The reply must not overtake the input: wait for the server to process it.
    XSync(display_, False);
    input_since_observation_ = true;
    return result;
}

void Desktop::drag(const Action& action) {
    if (action.path.size() < 2) throw Error("a drag needs a start and an end point");
    std::vector<Point> points;
    for (const Point& p : action.path) points.push_back(scale_.to_screen(p));  // all checked before any input
    HeldKeys held(input_, action.held_keys);
    const unsigned int button = x_button(action.button);
    input_.move(points[0].x, points[0].y);
    input_.button(button, true);
    XSync(display_, False);
    // Toolkits start a drag only after motion with the button down: send
    // intermediate positions along each segment, not a jump.
    const int steps = std::max(1, options_.drag_steps);
    for (std::size_t i = 1; i < points.size(); ++i) {
        const Point a = points[i - 1], b = points[i];
        for (int s = 1; s <= steps; ++s) {
            input_.move(a.x + (b.x - a.x) * s / steps, a.y + (b.y - a.y) * s / steps);
        }
    }
    input_.button(button, false);
}

void Desktop::deliberate_wait(Millis duration) const {
    if (duration.count() < 0 || duration > options_.max_wait) {
        throw Error("wait of " + std::to_string(duration.count()) + " ms is outside 0..." +
                    std::to_string(options_.max_wait.count()) + " ms");
    }
    // The agent asked for time to pass; this is the action itself, not a readiness wait.
    const std::int64_t end = monotonic_ms() + duration.count();
    for (std::int64_t left = duration.count(); left > 0; left = end - monotonic_ms()) {
        poll(nullptr, 0, static_cast<int>(left));
    }
}

RgbImage Desktop::observe(const CaptureOptions& capture) {
    if (capture.settle) {
        last_settle_ = settle_->wait(options_.settle, input_since_observation_);
    } else {
        settle_->drain();
    }
    input_since_observation_ = false;
    RgbImage image = capture_.capture();
    if (capture.cursor) draw_cursor(image, fetch_cursor(display_));
    if (!scale_.is_identity()) image = resample(image, scale_.scaled_width(), scale_.scaled_height());
    return image;
}

ImageData Desktop::encode(const RgbImage& image, const CaptureOptions& capture) const {
    ImageData data;
    if (capture.format == "png") {
        data.mime = "image/png";
        data.bytes = encode_png(image);
    } else if (capture.format == "jpeg" || capture.format == "jpg") {
        if (capture.jpeg_quality < 1 || capture.jpeg_quality > 100) {
            throw Error("jpeg quality " + std::to_string(capture.jpeg_quality) + " is outside 1...100");
        }
        data.mime = "image/jpeg";
        data.bytes = encode_jpeg(image, capture.jpeg_quality);
    } else {
        throw Error("unknown image format '" + capture.format.substr(0, 32) + "' (png or jpeg)");
    }
    data.width = image.width;
    data.height = image.height;
    return data;
}

ActionResult Desktop::screenshot(const CaptureOptions& capture) {
    ActionResult result;
    result.image = encode(observe(capture), capture);
    return result;
}

ActionResult Desktop::zoom(const Action& action, const CaptureOptions& capture) {
    if (!action.region) throw Error("no region given");
    const Rect screen = scale_.region_to_screen(*action.region);
    if (capture.settle) last_settle_ = settle_->wait(options_.settle, input_since_observation_);
    input_since_observation_ = false;
    RgbImage image = capture_.capture(screen);
    if (capture.cursor) draw_cursor(image, fetch_cursor(display_), screen.x, screen.y);
    // The region fills the agent's screenshot size (aspect kept): small text becomes readable.
    const Point size = fit_size(image.width, image.height, scale_.scaled_width(), scale_.scaled_height());
    image = resample(image, size.x, size.y);
    ActionResult result;
    result.image = encode(image, capture);
    return result;
}

}  // namespace deskbox
