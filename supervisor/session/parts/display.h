// The session's display: Xvfb inside the sandbox (its cookie in the staging
// dir), the X resources, and the window manager (docs/display.md, "The
// default desktop"). Its processes are the sandbox's: they end with it.
#pragma once

#include <string>
#include <vector>

#include "supervisor/manifest/admission.h"
#include "supervisor/session/parts/dirs.h"
#include "supervisor/session/parts/sandbox.h"
#include "supervisor/session/parts/session_part.h"
#include "supervisor/session/session_control.h"
#include "xsession/display/x_connection.h"

namespace deskbox {

class DisplayPart final : public SessionPart {
public:
    // Starts Xvfb, waits until it serves, loads the resources, starts the
    // window manager (waited for by wait_for_window_manager()).
    DisplayPart(const Plan& plan, const DirsPart& dirs, SandboxPart& sandbox, SessionControl& control);
    void describe(SessionStatus& status) const override;

    const std::string& display() const { return display_; }  // ":N"
    int display_number() const { return display_number_; }
    // The display's MIT-MAGIC-COOKIE-1 (16 raw bytes).
    const std::string& x_cookie() const { return x_cookie_; }
    // A new connection for the supervisor, in the sandbox's network namespace.
    XConnection connect() const;
    // The sandbox's environment with this display (sandbox_env).
    std::vector<std::string> env() const { return sandbox_env(display_); }
    // Returns once the window manager manages windows (no-op without one).
    void wait_for_window_manager() const;

private:
    std::string stage_window_manager_config(const DisplaySpec& display) const;

    const DirsPart& dirs_;
    SandboxPart& sandbox_;
    std::string display_;
    int display_number_ = -1;
    std::string x_cookie_;
    std::string window_manager_;  // its argv[0], "" without one
};

}  // namespace deskbox
