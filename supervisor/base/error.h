// Errors that carry their cause. Library code throws deskbox::Error with the
// step that failed and (for system calls) the errno text; only main() decides
// what to print and which exit code to use.
#pragma once

#include <stdexcept>
#include <string>

namespace deskbox {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// An error in an input document. what() is "file:line:column: message".
class InputError : public Error {
public:
    InputError(const std::string& file, int line, int column, const std::string& message);
    int line() const { return line_; }
    int column() const { return column_; }

private:
    int line_;
    int column_;
};

// "mounting tmpfs on /home/agent: No space left on device"
[[noreturn]] void throw_errno(const std::string& step, int err);
// Same, with the current errno.
[[noreturn]] void throw_errno(const std::string& step);

std::string errno_text(int err);

}  // namespace deskbox
