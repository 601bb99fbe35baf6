// Flags a browser app needs to work inside a session, added by the session
// (the manifest names the browser; deskbox knows what it must be told).
#pragma once

#include <string>
#include <vector>

namespace deskbox {

// For Chromium-family argv (chromium, chromium-browser, google-chrome...):
// --force-renderer-accessibility (without it Chromium exposes no web content
// over AT-SPI) and, when `proxy_url` is set, --proxy-server plus
// --proxy-bypass-list=<-loopback> (else Chromium goes around the proxy for
// loopback and link-local addresses, which would then be unaudited).
// Flags the manifest already gives are not repeated. Other programs are left alone.
void add_browser_flags(std::vector<std::string>& argv, const std::string& proxy_url);

bool is_chromium_family(const std::string& program);

}  // namespace deskbox
