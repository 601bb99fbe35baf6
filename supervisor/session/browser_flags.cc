#include "supervisor/session/browser_flags.h"

#include <algorithm>

namespace deskbox {

bool is_chromium_family(const std::string& program) {
    const std::string base = program.substr(program.rfind('/') == std::string::npos ? 0 : program.rfind('/') + 1);
    return base == "chromium" || base == "chromium-browser" || base == "google-chrome" ||
           base == "google-chrome-stable" || base == "chrome";
}

void add_browser_flags(std::vector<std::string>& argv, const std::string& proxy_url) {
    if (argv.empty() || !is_chromium_family(argv[0])) return;
    auto has_flag = [&](const std::string& prefix) {
        return std::any_of(argv.begin() + 1, argv.end(), [&](const std::string& a) { return a.rfind(prefix, 0) == 0; });
    };
    // Flags go right after argv[0] so that they precede any URL arguments.
    std::vector<std::string> flags;
    if (!has_flag("--force-renderer-accessibility")) flags.push_back("--force-renderer-accessibility");
    if (!proxy_url.empty()) {
        if (!has_flag("--proxy-server")) flags.push_back("--proxy-server=" + proxy_url);
        if (!has_flag("--proxy-bypass-list")) flags.push_back("--proxy-bypass-list=<-loopback>");
    }
    argv.insert(argv.begin() + 1, flags.begin(), flags.end());
}

}  // namespace deskbox
