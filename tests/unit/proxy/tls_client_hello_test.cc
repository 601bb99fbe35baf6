#include "supervisor/proxy/tls_client_hello.h"

#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <string>
#include <vector>

using namespace deskbox::proxy;
using Bytes = std::vector<std::uint8_t>;
using Status = SniResult::Status;

namespace {

void put16(Bytes& b, std::size_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}

Bytes extension(std::uint16_t type, const Bytes& body) {
    Bytes e;
    put16(e, type);
    put16(e, body.size());
    e.insert(e.end(), body.begin(), body.end());
    return e;
}

Bytes sni_body(const std::vector<std::string>& names) {
    Bytes list;
    for (const auto& n : names) {
        list.push_back(0);
        put16(list, n.size());
        list.insert(list.end(), n.begin(), n.end());
    }
    Bytes body;
    put16(body, list.size());
    body.insert(body.end(), list.begin(), list.end());
    return body;
}

// A ClientHello handshake message (type, 24-bit length, body) with `exts`.
Bytes hello(const Bytes& exts, bool with_extensions = true) {
    Bytes body = {0x03, 0x03};
    body.insert(body.end(), 32, 0xab);  // random
    body.push_back(32);
    body.insert(body.end(), 32, 0xcd);  // session id
    put16(body, 4);
    body.insert(body.end(), {0x13, 0x01, 0x13, 0x02});
    body.insert(body.end(), {1, 0});  // null compression
    if (with_extensions) {
        put16(body, exts.size());
        body.insert(body.end(), exts.begin(), exts.end());
    }
    Bytes msg = {1, static_cast<std::uint8_t>(body.size() >> 16), static_cast<std::uint8_t>(body.size() >> 8),
                 static_cast<std::uint8_t>(body.size())};
    msg.insert(msg.end(), body.begin(), body.end());
    return msg;
}

// Wraps a handshake message in TLS records of at most `chunk` bytes each.
Bytes records(const Bytes& msg, std::size_t chunk = 16384) {
    Bytes out;
    for (std::size_t pos = 0; pos < msg.size(); pos += chunk) {
        const std::size_t n = std::min(chunk, msg.size() - pos);
        out.insert(out.end(), {22, 3, 1});
        put16(out, n);
        out.insert(out.end(), msg.begin() + static_cast<std::ptrdiff_t>(pos),
                   msg.begin() + static_cast<std::ptrdiff_t>(pos + n));
    }
    return out;
}

Bytes with_sni(const std::string& name) {
    Bytes exts = extension(0x000a, {0, 2, 0, 0x1d});  // supported_groups before SNI
    const Bytes sni = extension(0, sni_body({name}));
    exts.insert(exts.end(), sni.begin(), sni.end());
    return hello(exts);
}

SniResult parse(const Bytes& b) {
    return parse_client_hello_sni(b);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tls_client_hello)

BOOST_AUTO_TEST_CASE(finds_the_server_name) {
    const auto r = parse(records(with_sni("allowed.example")));
    BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(Status::Found));
    BOOST_TEST(r.server_name == "allowed.example");
}

BOOST_AUTO_TEST_CASE(every_prefix_needs_more) {
    const Bytes full = records(with_sni("allowed.example"), 7);  // many tiny records
    for (std::size_t n = 0; n < full.size(); ++n) {
        const auto r = parse(Bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)));
        BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(Status::NeedMore), "prefix " << n);
    }
    const auto r = parse(full);
    BOOST_TEST(r.server_name == "allowed.example");
}

BOOST_AUTO_TEST_CASE(trailing_records_are_ignored) {
    Bytes b = records(with_sni("a.example"));
    b.insert(b.end(), {20, 3, 3, 0, 1, 1});  // change_cipher_spec after the hello
    BOOST_TEST(parse(b).server_name == "a.example");
}

BOOST_AUTO_TEST_CASE(no_sni) {
    BOOST_TEST(static_cast<int>(parse(records(hello(extension(0x000a, {0, 2, 0, 0x1d})))).status) ==
               static_cast<int>(Status::NoSni));
    BOOST_TEST(static_cast<int>(parse(records(hello({}, false))).status) == static_cast<int>(Status::NoSni));
}

BOOST_AUTO_TEST_CASE(not_tls) {
    const std::string http = "GET / HTTP/1.1\r\n\r\n";
    BOOST_TEST(static_cast<int>(parse(Bytes(http.begin(), http.end())).status) == static_cast<int>(Status::NotTls));
    BOOST_TEST(static_cast<int>(parse(Bytes{22, 9, 1, 0, 5}).status) == static_cast<int>(Status::NotTls));
}

BOOST_AUTO_TEST_CASE(malformed_inputs) {
    auto status = [](const Bytes& b) { return static_cast<int>(parse(b).status); };
    const int malformed = static_cast<int>(Status::Malformed);
    // Two server_name extensions: which one would the server use?
    Bytes two = extension(0, sni_body({"a.example"}));
    const Bytes second = extension(0, sni_body({"b.example"}));
    two.insert(two.end(), second.begin(), second.end());
    BOOST_TEST(status(records(hello(two))) == malformed);
    // Two host_name entries in one extension.
    BOOST_TEST(status(records(hello(extension(0, sni_body({"a.example", "b.example"}))))) == malformed);
    BOOST_TEST(status(records(hello(extension(0, sni_body({""}))))) == malformed);
    BOOST_TEST(status(records(hello(extension(0, sni_body({std::string("a\0b", 3)}))))) == malformed);
    // Lengths that point past the end.
    Bytes lying = records(with_sni("allowed.example"));
    lying[5 + 4 + 2 + 32] = 200;  // session id length
    BOOST_TEST(status(lying) == malformed);
    Bytes ext_len = with_sni("x.example");
    ext_len[4 + 2 + 32 + 1 + 32 + 2 + 4 + 2] = 0xff;  // extensions length high byte
    BOOST_TEST(status(records(ext_len)) == malformed);
    // Not a ClientHello; a zero-length record; an alert in the middle.
    Bytes server_hello = with_sni("a.example");
    server_hello[0] = 2;
    BOOST_TEST(status(records(server_hello)) == malformed);
    BOOST_TEST(status(Bytes{22, 3, 1, 0, 0}) == malformed);
    Bytes split = records(with_sni("allowed.example"), 20);
    split[25] = 21;  // second record turned into an alert
    BOOST_TEST(status(split) == malformed);
    // A hello that claims to be huge is refused before it is buffered.
    BOOST_TEST(status(Bytes{22, 3, 1, 0, 4, 1, 0x10, 0, 0}) == malformed);
}

BOOST_AUTO_TEST_CASE(large_hello_across_records) {
    Bytes exts = extension(0x0015, Bytes(20000, 0));  // padding extension
    const Bytes sni = extension(0, sni_body({"big.example"}));
    exts.insert(exts.end(), sni.begin(), sni.end());
    const auto r = parse(records(hello(exts)));
    BOOST_TEST(r.server_name == "big.example");
}

BOOST_AUTO_TEST_SUITE_END()
