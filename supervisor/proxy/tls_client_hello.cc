#include "supervisor/proxy/tls_client_hello.h"

#include <optional>
#include <vector>

namespace deskbox::proxy {
namespace {

using Status = SniResult::Status;

SniResult fail(const std::string& why) {
    return {Status::Malformed, {}, why};
}

// A cursor over a byte range that refuses to read past its end.
class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> d) : data_(d) {}
    bool u8(std::uint32_t& v) { return take(1, v); }
    bool u16(std::uint32_t& v) { return take(2, v); }
    bool u24(std::uint32_t& v) { return take(3, v); }
    bool bytes(std::size_t n, std::span<const std::uint8_t>& out) {
        if (data_.size() - pos_ < n) return false;
        out = data_.subspan(pos_, n);
        pos_ += n;
        return true;
    }
    bool skip(std::size_t n) {
        std::span<const std::uint8_t> ignored;
        return bytes(n, ignored);
    }
    bool empty() const { return pos_ == data_.size(); }

private:
    bool take(std::size_t n, std::uint32_t& v) {
        if (data_.size() - pos_ < n) return false;
        v = 0;
        for (std::size_t i = 0; i < n; ++i) v = v << 8 | data_[pos_ + i];
        pos_ += n;
        return true;
    }
    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
};

// server_name extension body (RFC 6066 section 3).
SniResult parse_server_name(std::span<const std::uint8_t> body) {
    Reader r(body);
    std::uint32_t list_len = 0;
    std::span<const std::uint8_t> list;
    if (!r.u16(list_len) || !r.bytes(list_len, list) || !r.empty()) return fail("bad server_name extension length");
    Reader entries(list);
    std::string found;
    bool have = false;
    while (!entries.empty()) {
        std::uint32_t type = 0, len = 0;
        std::span<const std::uint8_t> name;
        if (!entries.u8(type) || !entries.u16(len) || !entries.bytes(len, name)) return fail("bad server_name entry");
        if (type != 0) continue;  // only host_name (0) is defined
        if (have) return fail("more than one host_name in server_name");
        if (name.empty()) return fail("empty host_name in server_name");
        for (auto c : name)
            if (c == 0) return fail("NUL byte in host_name");
        found.assign(name.begin(), name.end());
        have = true;
    }
    if (!have) return fail("server_name extension without a host_name");
    return {Status::Found, found, {}};
}

SniResult parse_hello_body(std::span<const std::uint8_t> hello) {
    Reader r(hello);
    std::uint32_t version = 0, sid_len = 0, suites_len = 0, comp_len = 0, ext_len = 0;
    if (!r.u16(version) || !r.skip(32)) return fail("ClientHello too short");
    if (!r.u8(sid_len) || sid_len > 32 || !r.skip(sid_len)) return fail("bad session id");
    if (!r.u16(suites_len) || suites_len < 2 || suites_len % 2 || !r.skip(suites_len)) return fail("bad cipher suites");
    if (!r.u8(comp_len) || comp_len < 1 || !r.skip(comp_len)) return fail("bad compression methods");
    if (r.empty()) return {Status::NoSni, {}, {}};  // no extensions at all
    std::span<const std::uint8_t> exts;
    if (!r.u16(ext_len) || !r.bytes(ext_len, exts) || !r.empty()) return fail("bad extensions length");
    Reader e(exts);
    std::optional<SniResult> sni;
    while (!e.empty()) {
        std::uint32_t type = 0, len = 0;
        std::span<const std::uint8_t> body;
        if (!e.u16(type) || !e.u16(len) || !e.bytes(len, body)) return fail("bad extension");
        if (type != 0) continue;
        if (sni) return fail("duplicate server_name extension");
        sni = parse_server_name(body);
        if (sni->status != Status::Found) return *sni;
    }
    if (sni) return *sni;
    return {Status::NoSni, {}, {}};
}

}  // namespace

SniResult parse_client_hello_sni(std::span<const std::uint8_t> stream) {
    // Gather handshake bytes from consecutive handshake records until the
    // ClientHello's own length is reached.
    std::vector<std::uint8_t> handshake;
    std::size_t pos = 0;
    std::size_t needed = 0;  // 0: the 4-byte handshake header is not complete yet
    while (true) {
        if (needed && handshake.size() >= needed) break;
        if (stream.size() - pos < 5) return {Status::NeedMore, {}, {}};
        const std::uint8_t type = stream[pos];
        const std::uint8_t major = stream[pos + 1];
        const std::size_t len = static_cast<std::size_t>(stream[pos + 3]) << 8 | stream[pos + 4];
        if (type != 22) {
            if (pos == 0) return {Status::NotTls, {}, {}};
            return fail("record of type " + std::to_string(type) + " inside the ClientHello");
        }
        if (major != 3) return pos == 0 ? SniResult{Status::NotTls, {}, {}} : fail("bad record version");
        if (len == 0 || len > 16384) return fail("bad TLS record length " + std::to_string(len));
        if (stream.size() - pos - 5 < len) return {Status::NeedMore, {}, {}};
        handshake.insert(handshake.end(), stream.begin() + static_cast<std::ptrdiff_t>(pos + 5),
                         stream.begin() + static_cast<std::ptrdiff_t>(pos + 5 + len));
        pos += 5 + len;
        if (!needed && handshake.size() >= 4) {
            if (handshake[0] != 1) return fail("first handshake message is not a ClientHello");
            const std::size_t body = static_cast<std::size_t>(handshake[1]) << 16 |
                                     static_cast<std::size_t>(handshake[2]) << 8 | handshake[3];
            if (body > kMaxClientHello)
                return fail("ClientHello larger than " + std::to_string(kMaxClientHello) + " bytes");
            needed = 4 + body;
        }
    }
    return parse_hello_body(std::span<const std::uint8_t>(handshake).subspan(4, needed - 4));
}

}  // namespace deskbox::proxy
