// A part of a running session (session_runtime.h): started by its
// construction, stopped in reverse start order, and asked for its share of
// status.json each time that is written (the part never pushes it).
#pragma once

#include "supervisor/session/ordered_parts.h"
#include "supervisor/session/status.h"

namespace deskbox {

class SessionPart : public Part {
public:
    // Adds what this part knows (its sockets, its processes...) to `status`.
    virtual void describe(SessionStatus& /*status*/) const {}
};

}  // namespace deskbox
