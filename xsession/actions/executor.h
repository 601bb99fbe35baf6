// What the agent protocol needs from a desktop: carry out one normalized
// action (already allowed by the gate) and return what it produced. The real
// implementation drives the session's X display (xsession/desktop); unit tests
// use a recording fake.
#pragma once

#include <exception>
#include <functional>
#include <optional>
#include <string>

#include "supervisor/base/error.h"
#include "xsession/actions/action.h"

namespace deskbox {

struct ImageData {
    std::string mime;   // "image/png" or "image/jpeg"
    std::string bytes;  // encoded image
    int width = 0;      // of the encoded image (scaled space)
    int height = 0;
};

struct ActionResult {
    bool ok = true;
    std::string error;               // when !ok: what went wrong, for the agent
    std::optional<ImageData> image;  // screenshot / zoom
    std::optional<Point> cursor;     // cursor_position (scaled space)
    std::string json;                // tree / hit_test answers (a JSON document)
    std::string current_url;         // with CaptureOptions::current_url: the focused browser's URL
    // What the action did, for the audit log's result record (upload: size and
    // sha256 of what was written); empty: "<kind> done".
    std::string detail;
};

struct CaptureOptions {
    std::string format = "png";  // png | jpeg
    int jpeg_quality = 80;
    bool settle = false;  // wait until the screen stops changing (capped)
    bool cursor = false;  // draw the pointer
    // With a screenshot, also report the URL of the browser document when the
    // focused window is a browser (OpenAI's computer_call_output.current_url).
    bool current_url = false;
};

class ActionExecutor {
public:
    virtual ~ActionExecutor() = default;
    virtual ActionResult execute(const Action& action, const CaptureOptions& capture) = 0;
    // Runs `action` and calls `done` once with its result, now or later (from
    // the event loop): an executor whose actions wait for another process
    // (the accessibility helper) answers later rather than holding the loop.
    // Never throws: an error is a failed result. The default runs execute().
    virtual void execute_later(const Action& action, const CaptureOptions& capture,
                               std::function<void(ActionResult)> done) {
        ActionResult result;
        try {
            result = execute(action, capture);
        } catch (const std::exception& e) {
            result.ok = false;
            result.error = e.what();
        }
        done(std::move(result));
    }
    // The size of the agent's coordinate space (the scaled screenshot size).
    virtual Point scaled_size() const = 0;
};

}  // namespace deskbox
