#include "supervisor/manifest/sandbox_path.h"

#include <algorithm>

#include "supervisor/base/error.h"

namespace deskbox {

SandboxPath split_sandbox_path(const std::string& path) {
    const auto bad = [&path](const std::string& why) { return Error("sandbox path '" + path + "': " + why); };
    SandboxPath p;
    if (path.rfind("~/", 0) == 0) {
        p.relative = path.substr(2);
    } else if (path.rfind("/tmp/", 0) == 0) {
        p.in_home = false;
        p.relative = path.substr(5);
    } else {
        throw bad("expected a path in the home (~/...) or in /tmp (/tmp/...)");
    }
    if (path.find('\0') != std::string::npos) throw bad("NUL byte in the path");
    if (p.relative.empty()) throw bad("names a folder, not a file");
    std::size_t start = 0;
    while (start <= p.relative.size()) {
        const std::size_t end = std::min(p.relative.find('/', start), p.relative.size());
        const std::string part = p.relative.substr(start, end - start);
        if (part.empty()) throw bad(end == p.relative.size() ? "names a folder, not a file" : "empty path component");
        if (part == "..") throw bad("'..' is not allowed");
        if (part == ".") throw bad("'.' is not allowed");
        start = end + 1;
    }
    return p;
}

}  // namespace deskbox
