// The proxy on a real socket, driven byte by byte where real clients are too
// polite: a ClientHello split into tiny records and writes, a hello sent in
// the same packet as the CONNECT, oversized and malformed heads, SOCKS5
// refusals. Each outcome is also checked in the audit record.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/test/unit_test.hpp>

#include "supervisor/base/error.h"
#include "tests/integration/proxy/proxy_fixture.h"

using namespace proxytest;
using deskbox::UniqueFd;

namespace {

std::string read_exact(int fd, std::size_t count) {
    std::string got;
    char buf[4096];
    while (got.size() < count) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 20'000) != 1) throw std::runtime_error("timed out waiting for the proxy's answer");
        const ssize_t n = recv(fd, buf, std::min(sizeof buf, count - got.size()), 0);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
    }
    return got;
}

void put16(std::string& b, std::size_t v) {
    b += static_cast<char>(v >> 8);
    b += static_cast<char>(v & 0xff);
}

// A minimal TLS 1.2-shaped ClientHello for `name`, as one handshake message.
std::string client_hello(const std::string& name) {
    std::string sni_list;
    sni_list += '\0';
    put16(sni_list, name.size());
    sni_list += name;
    std::string ext;
    put16(ext, 0);
    put16(ext, sni_list.size() + 2);
    put16(ext, sni_list.size());
    ext += sni_list;
    std::string body = "\x03\x03" + std::string(32, 'r');
    body += '\0';  // no session id
    put16(body, 2);
    body += "\x13\x01";
    body += std::string("\x01\x00", 2);
    put16(body, ext.size());
    body += ext;
    std::string msg = "\x01";
    msg += '\0';
    put16(msg, body.size());
    return msg + body;
}

std::string records(const std::string& msg, std::size_t chunk) {
    std::string out;
    for (std::size_t pos = 0; pos < msg.size(); pos += chunk) {
        const std::string part = msg.substr(pos, chunk);
        out += "\x16\x03\x01";
        put16(out, part.size());
        out += part;
    }
    return out;
}

struct Fixture {
    OriginServer origin{"origin answer\n"};
    deskbox::NetworkSpec spec = [this] {
        deskbox::NetworkSpec s;
        s.mode = deskbox::NetworkMode::Allowlist;
        s.allow = {"allowed.example"};
        s.resolve = {{"allowed.example", deskbox::ResolveTarget{"127.0.0.1", origin.port()}}};
        return s;
    }();
    RunningProxy proxy{spec};
};

const std::string kConnect443 = "CONNECT allowed.example:443 HTTP/1.1\r\n\r\n";
const std::string kEstablished = "HTTP/1.1 200 Connection established\r\n\r\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(proxy_raw_clients)

BOOST_AUTO_TEST_CASE(client_hello_in_tiny_records_and_writes_is_read_whole) {
    Fixture f;
    UniqueFd c = dial(f.proxy.port);
    send_all(c.get(), kConnect443);
    BOOST_TEST(read_exact(c.get(), kEstablished.size()) == kEstablished);
    const std::string hello = records(client_hello("evil.example"), 5);
    for (char byte : hello) send_all(c.get(), std::string(1, byte));  // one write per byte
    BOOST_TEST(read_to_eof(c.get()).empty());
    const auto rec = f.proxy.audit.wait_for("allowed.example");
    BOOST_TEST(rec["rule"] == "TLS server name 'evil.example' differs from the requested host 'allowed.example'");
    BOOST_TEST(f.origin.heads().empty());  // the origin never got a byte
}

BOOST_AUTO_TEST_CASE(matching_hello_sent_with_the_connect_is_relayed) {
    Fixture f;
    UniqueFd c = dial(f.proxy.port);
    // The hello arrives in the same write as the CONNECT; after the check it
    // is forwarded to the origin (a plain HTTP server, which answers 200 to
    // anything once it sees a blank line).
    const std::string hello = records(client_hello("Allowed.Example."), 16384);
    send_all(c.get(), kConnect443 + hello + "\r\n\r\n");
    const std::string got = read_to_eof(c.get());
    BOOST_TEST(got.rfind(kEstablished + "HTTP/1.0 200 OK", 0) == 0, got);
    c.reset();  // the tunnel ends when both sides have closed
    const auto rec = f.proxy.audit.wait_for("allowed.example");
    BOOST_TEST(rec["decision"] == "allow", rec.dump());
    BOOST_TEST(rec["bytes_up"] == hello.size() + 4);
    BOOST_REQUIRE(f.origin.heads().size() == 1u);
    BOOST_TEST(f.origin.heads()[0].rfind("\x16\x03\x01", 0) == 0);
}

BOOST_AUTO_TEST_CASE(hello_without_sni_is_refused_for_a_name) {
    Fixture f;
    UniqueFd c = dial(f.proxy.port);
    std::string hello = client_hello("x");
    hello = hello.substr(0, 4 + 2 + 32 + 1 + 2 + 2 + 2);  // cut before the extensions
    hello[3] = static_cast<char>(hello.size() - 4);
    send_all(c.get(), kConnect443 + records(hello, 100));
    BOOST_TEST(read_to_eof(c.get()) == kEstablished);
    BOOST_TEST(f.proxy.audit.wait_for("allowed.example")["rule"] == "TLS ClientHello without a server name");
}

BOOST_AUTO_TEST_CASE(bad_heads_get_400_and_an_audit_record) {
    Fixture f;
    for (const std::string& head :
         {std::string("CONNECT allowed.example HTTP/1.1\r\n\r\n"),
          std::string("GET http://allowed.example@evil.example/ HTTP/1.1\r\n\r\n"),
          std::string("GET / HTTP/1.1\r\nHost: allowed.example\r\n\r\n"),
          "GET http://allowed.example/ HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n"}) {
        UniqueFd c = dial(f.proxy.port);
        send_all(c.get(), head);
        const std::string got = read_to_eof(c.get());
        BOOST_TEST(got.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0, got.substr(0, 200));
    }
    const auto recs = f.proxy.audit.wait_count(4);
    for (const auto& r : recs) {
        BOOST_TEST(r["decision"] == "deny");
        BOOST_TEST(r["rule"].get<std::string>().rfind("bad request: ", 0) == 0, r.dump());
        BOOST_TEST(r.dump().find("evil") == std::string::npos);  // no URL text in the record
    }
    BOOST_TEST(f.origin.heads().empty());
}

BOOST_AUTO_TEST_CASE(socks5_refusals_use_socks_replies) {
    Fixture f;
    {
        UniqueFd c = dial(f.proxy.port);
        send_all(c.get(), std::string("\x05\x01\x02", 3));  // only username/password offered
        BOOST_TEST(read_to_eof(c.get()) == std::string("\x05\xff", 2));
    }
    {
        UniqueFd c = dial(f.proxy.port);
        send_all(c.get(), std::string("\x05\x01\x00", 3));
        BOOST_TEST(read_exact(c.get(), 2) == std::string("\x05\x00", 2));
        // CONNECT 169.254.169.254:80
        send_all(c.get(), std::string("\x05\x01\x00\x01\xa9\xfe\xa9\xfe\x00\x50", 10));
        BOOST_TEST(read_to_eof(c.get()) == std::string("\x05\x02\x00\x01\0\0\0\0\0\0", 10));
    }
    const auto recs = f.proxy.audit.wait_count(2);
    BOOST_TEST(recs[0]["rule"] == "SOCKS5 without the no-authentication method");
    BOOST_TEST(recs[1]["host"] == "169.254.169.254");
    BOOST_TEST(recs[1]["rule"] == "IP literal not listed");
}

BOOST_AUTO_TEST_CASE(a_half_closed_client_still_gets_its_answer) {
    Fixture f;
    UniqueFd c = dial(f.proxy.port);
    send_all(c.get(), "GET http://allowed.example/x HTTP/1.0\r\n\r\n");
    shutdown(c.get(), SHUT_WR);  // request sent, then FIN (as `nc -N` does)
    const std::string got = read_to_eof(c.get());
    BOOST_TEST(got.rfind("HTTP/1.0 200 OK", 0) == 0, got);
    BOOST_TEST(got.find("origin answer") != std::string::npos);
    BOOST_TEST(f.proxy.audit.wait_for("allowed.example")["decision"] == "allow");
}

BOOST_AUTO_TEST_CASE(stopping_audits_open_tunnels) {
    Fixture f;
    UniqueFd c = dial(f.proxy.port);
    send_all(c.get(), "CONNECT allowed.example:80 HTTP/1.1\r\n\r\n");
    BOOST_TEST(read_exact(c.get(), kEstablished.size()) == kEstablished);
    BOOST_TEST(f.proxy.proxy->stats().open == 1u);
    f.proxy.proxy->stop();
    BOOST_TEST(read_to_eof(c.get()).empty());
    const auto rec = f.proxy.audit.wait_for("allowed.example");
    BOOST_TEST(rec["decision"] == "allow");
    BOOST_TEST(f.proxy.proxy->stats().allowed == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
