#include "supervisor/console/listen_address.h"

#include <arpa/inet.h>

#include <charconv>

#include "supervisor/base/error.h"

namespace deskbox::console {

ListenAddress parse_listen_address(const std::string& text) {
    const std::string where = "--listen '" + text + "': ";
    ListenAddress a;
    if (text.rfind("unix:", 0) == 0) {
        a.unix_socket = true;
        a.path = text.substr(5);
        if (a.path.empty() || a.path[0] != '/') throw Error(where + "expected unix:/ABSOLUTE/PATH");
        return a;
    }
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) throw Error(where + "expected unix:PATH or HOST:PORT");
    a.host = text.substr(0, colon);
    if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']')
        a.host = a.host.substr(1, a.host.size() - 2);
    const std::string port = text.substr(colon + 1);
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value > 65535)
        throw Error(where + "the port '" + port + "' is not a number from 0 to 65535");
    a.port = static_cast<std::uint16_t>(value);
    unsigned char buf[16];
    if (inet_pton(AF_INET, a.host.c_str(), buf) != 1 && inet_pton(AF_INET6, a.host.c_str(), buf) != 1)
        throw Error(where + "the host '" + a.host + "' is not a numeric IPv4 or IPv6 address");
    return a;
}

}  // namespace deskbox::console
