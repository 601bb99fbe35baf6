// The console's own stylesheet and script, compiled in: the console serves
// every byte a page needs (no CDN, no files to install beside the binary
// except Debian's noVNC for the live view).
#pragma once

#include <string_view>

namespace deskbox::console {

extern const std::string_view kConsoleCss;
extern const std::string_view kConsoleJs;
extern const std::string_view kLiveViewJs;  // an ES module: noVNC's RFB, view-only

}  // namespace deskbox::console
