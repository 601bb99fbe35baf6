// The Desktop carries out normalized actions on a session display: pointer
// and keyboard through XTest, observations through in-process capture. The
// agent's coordinates are in its (possibly scaled) screenshot space and are
// mapped back exactly; every input is followed by an X round trip (XSync)
// before the result is returned. Element (accessibility) actions are not the
// display's: they come back ok=false "not handled by the display".
#pragma once

#include <X11/Xlib.h>

#include <memory>
#include <optional>

#include "xsession/actions/executor.h"
#include "xsession/capture/scaling.h"
#include "xsession/capture/screen_capture.h"
#include "xsession/capture/settle.h"
#include "xsession/display/x_connection.h"
#include "xsession/input/x_input.h"

namespace deskbox {

struct DesktopOptions {
    std::optional<Point> scaled_size;  // manifest observe.scale; empty: the agent sees screen pixels
    SettleOptions settle;              // for CaptureOptions::settle
    Millis max_wait{60000};            // longest `wait` action accepted
    int drag_steps = 8;                // intermediate motion events per drag segment
    bool use_shm = true;               // false: XGetImage only
};

class Desktop : public ActionExecutor {
public:
    // The display stays owned by the caller and must outlive the Desktop.
    Desktop(Display* display, DesktopOptions options = {});
    explicit Desktop(const XConnection& connection, DesktopOptions options = {})
        : Desktop(connection.get(), std::move(options)) {}
    ~Desktop() override;

    ActionResult execute(const Action& action, const CaptureOptions& capture) override;
    Point scaled_size() const override { return {scale_.scaled_width(), scale_.scaled_height()}; }

    const ScaleMap& scale() const { return scale_; }
    // Screen pixels of the whole display (no scaling, no encoding): tests and VNC comparison.
    RgbImage capture_screen() { return capture_.capture(); }
    // The image an agent would get (scaled, optionally with cursor), before encoding.
    RgbImage observe(const CaptureOptions& capture);
    const SettleResult& last_settle() const { return last_settle_; }
    bool using_shm() const { return capture_.using_shm(); }
    XInput& input() { return input_; }

private:
    ActionResult run(const Action& action, const CaptureOptions& capture);
    Point screen_point(const Action& action) const;
    void move_if_given(const Action& action);
    ImageData encode(const RgbImage& image, const CaptureOptions& capture) const;
    ActionResult screenshot(const CaptureOptions& capture);
    ActionResult zoom(const Action& action, const CaptureOptions& capture);
    void drag(const Action& action);
    void deliberate_wait(Millis duration) const;

    Display* display_;
    DesktopOptions options_;
    ScaleMap scale_;
    XInput input_;
    ScreenCapture capture_;
    std::unique_ptr<SettleWatcher> settle_;
    SettleResult last_settle_;
    bool input_since_observation_ = false;  // a settled observation then expects a change
};

unsigned int x_button(MouseButton button);

}  // namespace deskbox
