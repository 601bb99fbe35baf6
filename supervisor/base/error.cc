#include "supervisor/base/error.h"

#include <cerrno>
#include <cstring>

namespace deskbox {

InputError::InputError(const std::string& file, int line, int column, const std::string& message)
    // Line 0: a JSON file, where the message names the path inside it instead.
    : Error(file + (line > 0 ? ":" + std::to_string(line) + ":" + std::to_string(column) : "") + ": " + message),
      line_(line),
      column_(column) {}

std::string errno_text(int err) {
    char buf[256];
    // GNU strerror_r returns the message pointer (possibly not buf).
    const char* text = strerror_r(err, buf, sizeof buf);
    return text;
}

void throw_errno(const std::string& step, int err) {
    throw Error(step + ": " + errno_text(err));
}

void throw_errno(const std::string& step) {
    throw_errno(step, errno);
}

}  // namespace deskbox
