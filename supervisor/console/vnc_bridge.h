// The live view: a browser's WebSocket (noVNC) bridged to a session's
// vnc.sock. The bridge answers the session's VNC password challenge itself
// and offers the browser "no authentication" instead, so the password never
// reaches a page; after the handshake bytes pass through unchanged. Input
// is disabled by x11vnc itself (the view is always -viewonly); during a
// takeover started here the same bridge leads its reviewer to takeover.sock.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace deskbox::console {

// Byte pipes, so that the handshake is unit-testable without sockets.
struct ByteStream {
    std::function<std::string()> read_some;  // "" at the end
    std::function<void(const std::string&)> write;
};

// Does the RFB 3.8 security handshake between `browser` and `server`:
// forwards the versions, answers VNC authentication (type 2) with `password`
// or passes "None" (type 1) through, and gives the browser "None". Returns
// bytes read from either side beyond the handshake (to be forwarded first):
// .first from the browser, .second from the server. Throws deskbox::Error
// naming the step that failed.
std::pair<std::string, std::string> rfb_handshake(ByteStream& browser, ByteStream& server, const std::string& password);

}  // namespace deskbox::console
