// The parsers see bytes from sandboxed (untrusted) clients: random and
// mutated input must give an answer, never a crash, a hang or an overread
// (run under ASan/UBSan in CI to make the last point bite).
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "supervisor/base/host_name.h"
#include "supervisor/proxy/proxy_request.h"
#include "supervisor/proxy/socks5.h"
#include "supervisor/proxy/tls_client_hello.h"

using namespace deskbox;
using namespace deskbox::proxy;
using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes random_bytes(std::mt19937& rng, std::size_t max_len) {
    std::uniform_int_distribution<std::size_t> len(0, max_len);
    std::uniform_int_distribution<int> byte(0, 255);
    Bytes b(len(rng));
    for (auto& x : b) x = static_cast<std::uint8_t>(byte(rng));
    return b;
}

// A plausible hello to mutate: record header, ClientHello with an SNI.
Bytes seed_hello() {
    const std::string name = "allowed.example";
    Bytes ext = {0,
                 0,
                 0,
                 static_cast<std::uint8_t>(name.size() + 5),
                 0,
                 static_cast<std::uint8_t>(name.size() + 3),
                 0,
                 0,
                 static_cast<std::uint8_t>(name.size())};
    ext.insert(ext.end(), name.begin(), name.end());
    Bytes body = {3, 3};
    body.insert(body.end(), 32, 7);
    body.insert(body.end(), {0, 0, 2, 0x13, 0x01, 1, 0, 0, static_cast<std::uint8_t>(ext.size())});
    body.insert(body.end(), ext.begin(), ext.end());
    Bytes msg = {1, 0, 0, static_cast<std::uint8_t>(body.size())};
    msg.insert(msg.end(), body.begin(), body.end());
    Bytes rec = {22, 3, 1, 0, static_cast<std::uint8_t>(msg.size())};
    rec.insert(rec.end(), msg.begin(), msg.end());
    return rec;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(robustness)

BOOST_AUTO_TEST_CASE(client_hello_parser_survives_mutations) {
    std::mt19937 rng(7);
    const Bytes seed = seed_hello();
    BOOST_REQUIRE(parse_client_hello_sni(seed).server_name == "allowed.example");
    std::uniform_int_distribution<std::size_t> pos(0, seed.size() - 1);
    std::uniform_int_distribution<int> byte(0, 255);
    int found = 0;
    for (int i = 0; i < 20000; ++i) {
        Bytes b = seed;
        for (int m = 0; m < 1 + i % 4; ++m) b[pos(rng)] = static_cast<std::uint8_t>(byte(rng));
        if (i % 3 == 0) b.resize(pos(rng));
        const auto r = parse_client_hello_sni(b);
        if (r.status == SniResult::Status::Found) {
            ++found;
            BOOST_TEST(r.server_name.size() <= b.size());
        }
    }
    BOOST_TEST(found > 0);
    for (int i = 0; i < 5000; ++i) parse_client_hello_sni(random_bytes(rng, 300));
}

BOOST_AUTO_TEST_CASE(request_and_socks_parsers_survive_random_input) {
    std::mt19937 rng(11);
    const std::string seed = "CONNECT a.example:443 HTTP/1.1\r\nHost: x\r\n\r\n";
    std::uniform_int_distribution<std::size_t> pos(0, seed.size() - 1);
    std::uniform_int_distribution<int> byte(0, 255);
    for (int i = 0; i < 20000; ++i) {
        std::string s = seed;
        for (int m = 0; m < 1 + i % 3; ++m) s[pos(rng)] = static_cast<char>(byte(rng));
        const auto r = parse_proxy_request(s);
        if (r.status == RequestParse::Status::Complete) BOOST_TEST(r.head_length <= s.size());
        const Bytes b = random_bytes(rng, 40);
        socks5::parse_greeting(b);
        const auto q = socks5::parse_request(b);
        if (q.status == socks5::Status::Complete) BOOST_TEST(q.length <= b.size());
    }
}

BOOST_AUTO_TEST_CASE(host_normalization_survives_random_input) {
    std::mt19937 rng(13);
    for (int i = 0; i < 20000; ++i) {
        const Bytes b = random_bytes(rng, 80);
        std::string why;
        const auto h = normalize_host(std::string(b.begin(), b.end()), &why);
        if (h) {
            // Whatever is accepted is printable ASCII in canonical form and stable.
            for (char c : h->text) BOOST_TEST((c > 0x20 && c < 0x7f));
            const auto again = normalize_host(h->text, nullptr);
            BOOST_TEST((again && again->text == h->text));
        } else {
            BOOST_TEST(!why.empty());
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
