#include "tests/integration/rfb_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>

#include "supervisor/base/error.h"
#include "xsession/vnc/vnc_password.h"

namespace deskbox::test {
namespace {

constexpr int kTimeoutSeconds = 30;

std::uint32_t u32(const std::string& b, std::size_t at) {
    return (std::uint32_t(std::uint8_t(b[at])) << 24) | (std::uint32_t(std::uint8_t(b[at + 1])) << 16) |
           (std::uint32_t(std::uint8_t(b[at + 2])) << 8) | std::uint32_t(std::uint8_t(b[at + 3]));
}
std::uint16_t u16(const std::string& b, std::size_t at) {
    return static_cast<std::uint16_t>((std::uint8_t(b[at]) << 8) | std::uint8_t(b[at + 1]));
}
void put16(std::string& b, unsigned v) {
    b.push_back(static_cast<char>((v >> 8) & 0xff));
    b.push_back(static_cast<char>(v & 0xff));
}
void put32(std::string& b, std::uint32_t v) {
    put16(b, v >> 16);
    put16(b, v & 0xffff);
}

UniqueFd with_timeout(UniqueFd fd) {
    timeval tv{kTimeoutSeconds, 0};
    setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

}  // namespace

RfbClient::RfbClient(UniqueFd fd, std::string where) : fd_(std::move(fd)), where_(std::move(where)) {}

RfbClient RfbClient::tcp(int port) {
    const std::string where = "127.0.0.1:" + std::to_string(port);
    UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) throw_errno("RFB client: creating a socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        throw_errno("RFB client: connecting to " + where);
    return RfbClient(with_timeout(std::move(fd)), where);
}

RfbClient RfbClient::unix_socket(const std::string& path) {
    UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) throw_errno("RFB client: creating a socket");
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) throw Error("RFB client: socket path too long: " + path);
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    if (connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
        throw_errno("RFB client: connecting to " + path);
    return RfbClient(with_timeout(std::move(fd)), path);
}

std::string RfbClient::read_exact(std::size_t n, const std::string& step) {
    std::string out(n, '\0');
    std::size_t got = 0;
    while (got < n) {
        const ssize_t r = recv(fd_.get(), out.data() + got, n - got, 0);
        if (r > 0) {
            got += static_cast<std::size_t>(r);
        } else if (r == 0) {
            throw Error("RFB client (" + where_ + "): the server closed the connection during " + step);
        } else if (errno != EINTR) {
            throw_errno("RFB client (" + where_ + "): reading " + step);
        }
    }
    return out;
}

void RfbClient::write_all(const std::string& bytes, const std::string& step) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t w = send(fd_.get(), bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (w > 0)
            sent += static_cast<std::size_t>(w);
        else if (errno != EINTR)
            throw_errno("RFB client (" + where_ + "): sending " + step);
    }
}

void RfbClient::handshake(const std::string& password) {
    const std::string version = read_exact(12, "the protocol version");
    if (version.rfind("RFB 003.", 0) != 0) throw Error("RFB client (" + where_ + "): not an RFB server: " + version);
    write_all("RFB 003.008\n", "the protocol version");
    const std::uint8_t count = static_cast<std::uint8_t>(read_exact(1, "the security types")[0]);
    if (count == 0) {
        const std::uint32_t length = u32(read_exact(4, "the refusal reason"), 0);
        throw Error("RFB client (" + where_ + "): the server refused: " + read_exact(length, "the refusal reason"));
    }
    const std::string types = read_exact(count, "the security types");
    if (types.find('\x02') == std::string::npos)
        throw Error("RFB client (" + where_ + "): no VNC authentication offered");
    write_all(std::string(1, '\x02'), "the security type");
    const std::string challenge = read_exact(16, "the VNC authentication challenge");
    write_all(vnc_auth_response(password, challenge), "the VNC authentication response");
    if (u32(read_exact(4, "the security result"), 0) != 0) {
        const std::uint32_t length = u32(read_exact(4, "the failure reason"), 0);
        throw Error("RFB client (" + where_ +
                    "): VNC authentication failed: " + read_exact(length, "the failure reason"));
    }
    write_all(std::string(1, '\x01'), "ClientInit");  // shared: other viewers stay connected
    const std::string init = read_exact(24, "ServerInit");
    width_ = u16(init, 0);
    height_ = u16(init, 2);
    bytes_per_pixel_ = std::uint8_t(init[4]) / 8;
    read_exact(u32(init, 20), "the desktop name");
    std::string encodings = {'\x02', '\x00'};  // SetEncodings: Raw only, so any update is easy to skip
    put16(encodings, 1);
    put32(encodings, 0);
    write_all(encodings, "SetEncodings");
}

void RfbClient::key(std::uint32_t keysym, bool down) {
    std::string m = {'\x04', down ? '\x01' : '\x00', '\x00', '\x00'};
    put32(m, keysym);
    write_all(m, "a KeyEvent");
}

void RfbClient::pointer(int x, int y, std::uint8_t buttons) {
    std::string m = {'\x05', static_cast<char>(buttons)};
    put16(m, static_cast<unsigned>(x));
    put16(m, static_cast<unsigned>(y));
    write_all(m, "a PointerEvent");
}

void RfbClient::round_trip() {
    std::string request = {'\x03', '\x00'};  // FramebufferUpdateRequest, not incremental
    put16(request, 0);
    put16(request, 0);
    put16(request, 1);
    put16(request, 1);
    write_all(request, "FramebufferUpdateRequest");
    for (;;) {
        const std::uint8_t type = static_cast<std::uint8_t>(read_exact(1, "a server message")[0]);
        if (type == 0) {  // FramebufferUpdate
            const std::uint16_t rects = u16(read_exact(3, "FramebufferUpdate"), 1);
            for (std::uint16_t i = 0; i < rects; ++i) {
                const std::string header = read_exact(12, "a rectangle header");
                const std::int32_t encoding = static_cast<std::int32_t>(u32(header, 8));
                if (encoding != 0)
                    throw Error("RFB client (" + where_ + "): encoding " + std::to_string(encoding) + " not asked for");
                read_exact(std::size_t(u16(header, 4)) * u16(header, 6) * std::size_t(bytes_per_pixel_), "pixels");
            }
            return;
        }
        if (type == 1) {  // SetColourMapEntries
            read_exact(std::size_t(u16(read_exact(5, "SetColourMapEntries"), 3)) * 6, "colour map entries");
        } else if (type == 2) {  // Bell
        } else if (type == 3) {  // ServerCutText
            read_exact(u32(read_exact(7, "ServerCutText"), 3), "cut text");
        } else {
            throw Error("RFB client (" + where_ + "): unknown server message type " + std::to_string(type));
        }
    }
}

}  // namespace deskbox::test
