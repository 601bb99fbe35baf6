// X protocol errors, decoded: error code name, the request that failed
// (major/minor with names, extensions included) and the resource id.
//
// One process-wide handler is installed by XConnection. Errors are never
// swallowed: outside an XErrorTrap they are logged to stderr and counted on
// the connection; inside a trap (code that expects races, e.g. a window that
// vanishes while the tree is walked) they are handed to the trap's owner.
#pragma once

#include <X11/Xlib.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace deskbox {

struct XErrorInfo {
    int error_code = 0;
    int request_major = 0;
    int request_minor = 0;
    unsigned long resource = 0;
    unsigned long serial = 0;
    std::string message;  // "X error BadWindow (invalid Window parameter) in request 8 (X_MapWindow), resource 0x1"
};

// Decodes an error event into words (uses the display's error database).
XErrorInfo decode_x_error(Display* display, const XErrorEvent& event);

// Installs the process-wide handlers (idempotent). XConnection calls it.
void install_x_error_handlers();

// Where errors outside traps go, per display (XConnection registers itself;
// registering also reads the extension names that decoding needs).
// The default sink for unregistered displays only logs.
void register_x_error_sink(Display* display, std::function<void(const XErrorInfo&)> sink);
void unregister_x_error_sink(Display* display);

// Collects the errors of `display` raised on this thread while it lives.
// Call XSync before reading errors() so that the replies have arrived.
class XErrorTrap {
public:
    explicit XErrorTrap(Display* display);
    ~XErrorTrap();
    XErrorTrap(const XErrorTrap&) = delete;
    XErrorTrap& operator=(const XErrorTrap&) = delete;

    // XSync, then the errors caught so far.
    const std::vector<XErrorInfo>& sync_and_get();
    const std::vector<XErrorInfo>& errors() const { return errors_; }
    void record(const XErrorInfo& info) { errors_.push_back(info); }
    Display* display() const { return display_; }

private:
    Display* display_;
    XErrorTrap* outer_;
    std::vector<XErrorInfo> errors_;
};

}  // namespace deskbox
