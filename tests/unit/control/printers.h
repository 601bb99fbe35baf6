// Boost.Test needs operator<< to print values in failed checks.
#pragma once

#include <ostream>

#include "xsession/actions/action.h"

namespace deskbox {

inline std::ostream& operator<<(std::ostream& os, Dialect d) {
    return os << to_string(d);
}
inline std::ostream& operator<<(std::ostream& os, ActionKind k) {
    return os << to_string(k);
}
inline std::ostream& operator<<(std::ostream& os, MouseButton b) {
    return os << to_string(b);
}
inline std::ostream& operator<<(std::ostream& os, const Point& p) {
    return os << "(" << p.x << ", " << p.y << ")";
}
inline std::ostream& operator<<(std::ostream& os, const Rect& r) {
    return os << "[" << r.x << ", " << r.y << ", " << r.width << "x" << r.height << "]";
}

}  // namespace deskbox
