#include "supervisor/console/vnc_bridge.h"

#include <algorithm>

#include "supervisor/base/error.h"
#include "xsession/vnc/vnc_password.h"

namespace deskbox::console {

namespace {

// Reads exactly n bytes from a stream, keeping what came beyond them.
class Reader {
public:
    Reader(ByteStream& s, const char* who) : s_(s), who_(who) {}
    std::string take(std::size_t n, const char* step) {
        while (buffer_.size() < n) {
            const std::string more = s_.read_some();
            if (more.empty())
                throw Error(std::string("VNC handshake: the ") + who_ + " closed the connection at " + step);
            buffer_ += more;
        }
        std::string out = buffer_.substr(0, n);
        buffer_.erase(0, n);
        return out;
    }
    std::string rest() { return std::move(buffer_); }

private:
    ByteStream& s_;
    const char* who_;
    std::string buffer_;
};

std::uint32_t be32(const std::string& b) {
    return (std::uint32_t(std::uint8_t(b[0])) << 24) | (std::uint32_t(std::uint8_t(b[1])) << 16) |
           (std::uint32_t(std::uint8_t(b[2])) << 8) | std::uint8_t(b[3]);
}

}  // namespace

std::pair<std::string, std::string> rfb_handshake(ByteStream& browser, ByteStream& server,
                                                  const std::string& password) {
    Reader from_server(server, "session's VNC server"), from_browser(browser, "browser");
    const std::string version = from_server.take(12, "the version");
    if (version.rfind("RFB 003.", 0) != 0 || version.substr(8) < "008\n")
        throw Error("VNC handshake: the session's server speaks '" + version.substr(0, 11) + "', expected RFB 003.008");
    browser.write("RFB 003.008\n");
    const std::string browser_version = from_browser.take(12, "the version");
    if (browser_version != "RFB 003.008\n") throw Error("VNC handshake: the browser does not speak RFB 003.008");
    server.write("RFB 003.008\n");

    const std::string count = from_server.take(1, "the security types");
    if (count[0] == 0) {
        const std::string reason = from_server.take(be32(from_server.take(4, "the refusal")), "the refusal");
        throw Error("VNC handshake: the session's server refused: " + reason);
    }
    const std::string types = from_server.take(static_cast<std::uint8_t>(count[0]), "the security types");
    const bool none = types.find('\x01') != std::string::npos;
    const bool vnc_auth = types.find('\x02') != std::string::npos;
    if (!none && !vnc_auth)
        throw Error("VNC handshake: the session's server offers neither None nor VNC authentication");

    browser.write(std::string("\x01\x01", 2));  // one type: None
    const std::string chosen = from_browser.take(1, "the security type");
    if (chosen[0] != 1) throw Error("VNC handshake: the browser chose a security type the console did not offer");
    if (none) {
        server.write(std::string("\x01", 1));
    } else {
        server.write(std::string("\x02", 1));
        const std::string challenge = from_server.take(16, "the VNC authentication challenge");
        server.write(vnc_auth_response(password, challenge));
    }
    const std::string result = from_server.take(4, "the security result");
    if (be32(result) != 0) throw Error("VNC handshake: the session's server did not accept the console's password");
    browser.write(result);
    return {from_browser.rest(), from_server.rest()};
}

}  // namespace deskbox::console
