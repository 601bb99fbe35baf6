#include "supervisor/base/exec_path.h"

#include <unistd.h>

#include <algorithm>

namespace deskbox {

std::string search_exec_path(const std::string& name, const std::string& path_env) {
    if (name.find('/') != std::string::npos) return name;
    if (name.empty()) return {};
    const std::string path = path_env.empty() ? std::string(kDefaultExecPath) : path_env;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find(':', start), path.size());
        if (end > start) {
            const std::string candidate = path.substr(start, end - start) + "/" + name;
            if (access(candidate.c_str(), X_OK) == 0) return candidate;
        }
        start = end + 1;
    }
    return {};
}

std::string path_of_env(const std::vector<std::string>& env) {
    std::string path;
    for (const auto& e : env)
        if (e.rfind("PATH=", 0) == 0) path = e.substr(5);
    return path;
}

}  // namespace deskbox
