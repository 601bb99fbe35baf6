// A minimal RFB 3.8 client for tests: VNC authentication, ClientInit, input
// events, and a round trip (a framebuffer update request answered in Raw
// encoding) that proves the server has handled every message sent before it.
// Blocking, with a receive timeout; each failure names the step.
#pragma once

#include <cstdint>
#include <string>

#include "supervisor/base/unique_fd.h"

namespace deskbox::test {

class RfbClient {
public:
    // 127.0.0.1:port, or a unix socket path.
    static RfbClient tcp(int port);
    static RfbClient unix_socket(const std::string& path);

    // Version, security type 2 (VNC authentication) with `password`, shared ClientInit.
    void handshake(const std::string& password);
    int width() const { return width_; }
    int height() const { return height_; }

    void key(std::uint32_t keysym, bool down);
    void pointer(int x, int y, std::uint8_t buttons);
    // Asks for a 1x1 full update and reads until it arrives.
    void round_trip();

private:
    explicit RfbClient(UniqueFd fd, std::string where);
    std::string read_exact(std::size_t n, const std::string& step);
    void write_all(const std::string& bytes, const std::string& step);

    UniqueFd fd_;
    std::string where_;
    int width_ = 0, height_ = 0, bytes_per_pixel_ = 4;
};

}  // namespace deskbox::test
