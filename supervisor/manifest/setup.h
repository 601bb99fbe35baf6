// The manifest's host-owned parts beyond the sandbox: `setup:` steps that run
// after the apps are ready and before the agent socket opens, and what a
// secret may be typed into (`secrets.NAME.fields` / `windows`). Kept apart
// from manifest.h so that each area's schema stays in its own file.
#pragma once

#include <string>
#include <vector>

#include "supervisor/base/units.h"

namespace deskbox {

// An accessible element by exact role and/or name.
struct ElementSpec {
    std::string role, name;
    bool empty() const { return role.empty() && name.empty(); }
};

// What a secret may be typed into besides a password field, and which thick
// client windows count as its place (the browser counts by `domains`).
struct SecretUse {
    std::vector<ElementSpec> fields;          // secrets.NAME.fields: [{role, name}]
    std::vector<std::string> window_classes;  // secrets.NAME.windows: [{class}]
};

// wait_for: a window (WM_CLASS and/or title) or an accessible element.
struct WaitSpec {
    std::string wm_class, title;  // a window: class equal, title containing
    ElementSpec element;          // or an element (role/name), anywhere
    Millis timeout = Millis(30'000);
    bool is_window() const { return !wm_class.empty() || !title.empty(); }
};

struct SetupStep {
    enum class Kind { Open, Launch, WaitFor, ActivateWindow, Key, Type, ClickElement, Login } kind = Kind::Open;
    int line = 0;  // manifest line, for messages and the audit log
    // open: a URL or a file (inside the sandbox), handed to an app (apps[].name)
    // by starting its exec again with the target appended.
    std::string url, file, app;
    std::vector<std::string> exec;  // launch
    WaitSpec wait;                  // wait_for; activate_window (its window); login's wait_for
    std::string keys;               // key: a chord ("ctrl+l")
    std::string text;               // type (into the focused element)
    ElementSpec element;            // click_element
    // login: the user field gets `user`, the password field the secret's
    // value (under the same conditions as type_secret), then submit is clicked.
    ElementSpec user_field, password_field, submit;
    std::string user, secret;
};

const char* to_string(SetupStep::Kind kind);  // "open", "launch", "wait_for", ...

}  // namespace deskbox
