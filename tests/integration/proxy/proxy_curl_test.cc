// The egress proxy driven by real curl and openssl on loopback: what a
// session's apps would do, minus the sandbox (see proxy_netns_test.cc).
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <boost/test/unit_test.hpp>

#include "tests/integration/proxy/proxy_fixture.h"

using namespace proxytest;
using deskbox::NetworkMode;
using deskbox::NetworkSpec;
using deskbox::ResolveTarget;

namespace {

struct Origins {
    TempDir dir;
    OriginServer http{"hello from the allowed origin\n"};
    TlsServer tls{dir.path(), "allowed.example"};
};

NetworkSpec spec_for(const Origins& o) {
    NetworkSpec s;
    s.mode = NetworkMode::Allowlist;
    s.allow = {"allowed.example", "*.apps.example", "localhost"};
    s.deny = {"secret.apps.example"};
    // Refused names are mapped to the origin too: if a rule failed, they would load.
    s.resolve = {
        {"allowed.example", ResolveTarget{"127.0.0.1", o.http.port()}},
        {"secret.apps.example", ResolveTarget{"127.0.0.1", o.http.port()}},
        {"evil.example", ResolveTarget{"127.0.0.1", o.http.port()}},
    };
    return s;
}

bool refused_and_audited(RunningProxy& p, const std::vector<std::string>& args, const std::string& host,
                         const std::string& rule_start) {
    const std::size_t before = p.audit.records().size();
    const auto r = curl(p.url(), args);
    BOOST_TEST(r.exit_code != 0, "curl should fail for " << host << ", output: " << r.out);
    const auto rec = p.audit.wait_count(before + 1)[before];
    BOOST_TEST(rec["host"] == host, rec.dump());
    BOOST_TEST(rec["decision"] == "deny", rec.dump());
    const std::string rule = rec["rule"];
    BOOST_TEST(rule.rfind(rule_start, 0) == 0, "rule '" << rule << "' should start with '" << rule_start << "'");
    return r.exit_code != 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(proxy_with_curl)

BOOST_AUTO_TEST_CASE(plain_http_to_an_allowed_name_loads) {
    Origins o;
    NetworkSpec s = spec_for(o);
    s.resolve["allowed.example"] = ResolveTarget{"127.0.0.1", o.http.port()};
    RunningProxy p(s);
    const auto r = curl(p.url(), {"--noproxy", "", "-f", "http://Allowed.Example/runs/78432?token=SECRET-QUERY"});
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out == "hello from the allowed origin\n");
    const auto heads = o.http.heads();
    BOOST_REQUIRE(heads.size() == 1u);
    // Origin form, Host from the URI, no proxy headers.
    BOOST_TEST(heads[0].rfind("GET /runs/78432?token=SECRET-QUERY HTTP/1.1\r\nHost: allowed.example\r\n", 0) == 0,
               heads[0]);
    BOOST_TEST(heads[0].find("Proxy-") == std::string::npos, heads[0]);
    BOOST_TEST(heads[0].find("Connection: close\r\n") != std::string::npos, heads[0]);
    const auto rec = p.audit.wait_for("allowed.example");
    BOOST_TEST(rec["decision"] == "allow");
    BOOST_TEST(rec["rule"] == "allow allowed.example");
    BOOST_TEST(rec["port"] == 80);
    BOOST_TEST(rec["protocol"] == "http");
    BOOST_TEST(rec["bytes_down"].get<std::uint64_t>() > 30u);
    BOOST_TEST(rec["bytes_up"].get<std::uint64_t>() > 30u);
    // The audit never carries the path or query.
    BOOST_TEST(rec.dump().find("SECRET-QUERY") == std::string::npos);
    BOOST_TEST(rec.dump().find("78432") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(https_through_connect_loads) {
    Origins o;
    NetworkSpec s = spec_for(o);
    s.resolve["allowed.example"] = ResolveTarget{"127.0.0.1", o.tls.port()};
    RunningProxy p(s);
    const auto r =
        curl(p.url(), {"--noproxy", "", "-f", "--cacert", o.tls.cert().string(), "https://allowed.example/"});
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out.find("s_server") != std::string::npos, r.out.substr(0, 300));
    const auto rec = p.audit.wait_for("allowed.example");
    BOOST_TEST(rec["decision"] == "allow", rec.dump());
    BOOST_TEST(rec["protocol"] == "connect");
    BOOST_TEST(rec["port"] == 443);
    BOOST_TEST(rec["address"] == "127.0.0.1:" + std::to_string(o.tls.port()));
}

BOOST_AUTO_TEST_CASE(socks5_with_remote_resolution_loads) {
    Origins o;
    NetworkSpec s = spec_for(o);
    s.resolve["allowed.example"] = ResolveTarget{"127.0.0.1", o.http.port()};
    RunningProxy p(s);
    const std::string socks = "socks5h://127.0.0.1:" + std::to_string(p.port);
    const auto r = curl(socks, {"--noproxy", "", "-f", "http://allowed.example/"});
    BOOST_TEST(r.exit_code == 0, r.err);
    BOOST_TEST(r.out == "hello from the allowed origin\n");
    BOOST_TEST(p.audit.wait_for("allowed.example")["protocol"] == "socks5");
    const auto bad = curl(socks, {"--noproxy", "", "-f", "http://evil.example/"});
    BOOST_TEST(bad.exit_code != 0);
    BOOST_TEST(p.audit.wait_for("evil.example")["rule"] == "not in allow list");
}

BOOST_AUTO_TEST_CASE(names_outside_the_allow_list_are_refused) {
    Origins o;
    RunningProxy p(spec_for(o));
    const std::vector<std::string> base = {"--noproxy", "", "-f"};
    auto args = [&](const std::string& url) {
        auto a = base;
        a.push_back(url);
        return a;
    };
    refused_and_audited(p, args("http://evil.example/"), "evil.example", "not in allow list");
    refused_and_audited(p, args("http://evil-allowed.example/"), "evil-allowed.example", "not in allow list");
    refused_and_audited(p, args("http://allowed.example.evil/"), "allowed.example.evil", "not in allow list");
    refused_and_audited(p, args("http://apps.example/"), "apps.example", "not in allow list");
    refused_and_audited(p, args("http://allowed.example:8080/"), "allowed.example", "port 8080 not allowed");
    BOOST_TEST(o.http.heads().empty());  // nothing reached the origin
}

BOOST_AUTO_TEST_CASE(denied_names_in_every_spelling_are_refused) {
    Origins o;
    RunningProxy p(spec_for(o));
    for (const std::string url :
         {"http://SECRET.apps.example/", "http://secret.apps.example./", "https://Secret.Apps.Example./"}) {
        const auto r = curl(p.url(), {"--noproxy", "", "-f", url});
        BOOST_TEST(r.exit_code != 0, url);
    }
    const auto recs = p.audit.wait_count(3);
    for (const auto& rec : recs) {
        BOOST_TEST(rec["host"] == "secret.apps.example", rec.dump());
        BOOST_TEST(rec["decision"] == "deny");
        BOOST_TEST(rec["rule"] == "deny secret.apps.example");
    }
    BOOST_TEST(o.http.heads().empty());
}

BOOST_AUTO_TEST_CASE(ip_literals_and_metadata_are_refused) {
    Origins o;
    RunningProxy p(spec_for(o));
    refused_and_audited(p, {"--noproxy", "", "-f", "http://169.254.169.254/latest/meta-data/"}, "169.254.169.254",
                        "IP literal not listed");
    refused_and_audited(p, {"--noproxy", "", "-f", "http://127.0.0.1:" + std::to_string(o.http.port()) + "/"},
                        "127.0.0.1", "port");
    refused_and_audited(p, {"--noproxy", "", "-f", "http://127.0.0.1/"}, "127.0.0.1", "IP literal not listed");
    refused_and_audited(p, {"--noproxy", "", "-f", "https://[::1]/"}, "::1", "IP literal not listed");
    BOOST_TEST(o.http.heads().empty());
}

BOOST_AUTO_TEST_CASE(allowed_name_resolving_to_loopback_is_refused) {
    // "localhost" is allowed but has no resolve entry: the proxy's own lookup
    // gives 127.0.0.1 / ::1, which only an explicit resolve entry may reach.
    Origins o;
    RunningProxy p(spec_for(o));
    const auto r = curl(p.url(), {"--noproxy", "", "-f", "http://localhost/"});
    BOOST_TEST(r.exit_code != 0);
    const auto rec = p.audit.wait_for("localhost");
    BOOST_TEST(rec["decision"] == "deny");
    const std::string rule = rec["rule"];
    BOOST_TEST(rule.find("is loopback (only network.resolve may name such hosts)") != std::string::npos, rule);
}

BOOST_AUTO_TEST_CASE(sni_different_from_connect_host_is_refused) {
    Origins o;
    NetworkSpec s = spec_for(o);
    s.resolve["allowed.example"] = ResolveTarget{"127.0.0.1", o.tls.port()};
    RunningProxy p(s);
    // curl: CONNECT allowed.example:443 (via --connect-to), TLS for evil.example.
    const auto r = curl(p.url(), {"--noproxy", "", "-f", "-k", "--connect-to", "evil.example:443:allowed.example:443",
                                  "https://evil.example/"});
    BOOST_TEST(r.exit_code != 0, r.out);
    const auto rec = p.audit.wait_for("allowed.example");
    BOOST_TEST(rec["decision"] == "deny", rec.dump());
    BOOST_TEST(rec["rule"] == "TLS server name 'evil.example' differs from the requested host 'allowed.example'");
    BOOST_TEST(rec["bytes_up"] == 0);  // not one byte of the hello reached the origin

    // openssl s_client through the proxy with an explicit -servername.
    const auto s_client = run_command({"openssl", "s_client", "-proxy", "127.0.0.1:" + std::to_string(p.port),
                                       "-connect", "allowed.example:443", "-servername", "other.example", "-brief"},
                                      std::chrono::seconds(20));
    BOOST_TEST(s_client.exit_code != 0, s_client.out + s_client.err);
    const auto recs = p.audit.wait_count(2);
    BOOST_TEST(recs[1]["rule"] == "TLS server name 'other.example' differs from the requested host 'allowed.example'");

    // Plain bytes on port 443 are not a TLS handshake.
    const auto plain = curl(p.url(), {"--noproxy", "", "-f", "--proxytunnel", "http://allowed.example:443/"});
    BOOST_TEST(plain.exit_code != 0);
    BOOST_TEST(p.audit.wait_count(3)[2]["rule"] == "not TLS on port 443");
}

BOOST_AUTO_TEST_CASE(idle_clients_are_closed_and_connections_limited) {
    Origins o;
    NetworkSpec s = spec_for(o);
    s.idle_timeout = std::chrono::milliseconds(300);
    s.max_connections = 2;
    RunningProxy p(s);
    auto dial = [&] {
        deskbox::UniqueFd fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(p.port);
        BOOST_REQUIRE(connect(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        return fd;
    };
    auto read_until_eof = [](int fd) {
        std::string got;
        char buf[1024];
        while (true) {
            pollfd pfd{fd, POLLIN, 0};
            BOOST_REQUIRE_MESSAGE(poll(&pfd, 1, 20'000) == 1, "the proxy should close this connection");
            const ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n <= 0) return got;
            got.append(buf, static_cast<std::size_t>(n));
        }
    };
    auto a = dial();
    auto b = dial();
    auto c = dial();  // over the limit of 2
    BOOST_TEST(read_until_eof(c.get()).rfind("HTTP/1.1 503", 0) == 0);
    // a and b say nothing: the idle timeout closes them.
    BOOST_TEST(read_until_eof(a.get()).empty());
    BOOST_TEST(read_until_eof(b.get()).empty());
    const auto recs = p.audit.wait_count(3);
    int limits = 0, idles = 0;
    for (const auto& r : recs) {
        if (r["rule"] == "limit: 2 open connections") ++limits;
        if (r["rule"] == "idle timeout before a complete request") ++idles;
    }
    BOOST_TEST(limits == 1);
    BOOST_TEST(idles == 2);
    BOOST_TEST(p.proxy->stats().open == 0u);
}

BOOST_AUTO_TEST_CASE(session_byte_budget_ends_transfers) {
    TempDir dir;
    OriginServer big(std::string(4 << 20, 'x'));
    NetworkSpec s;
    s.mode = NetworkMode::Allowlist;
    s.allow = {"allowed.example"};
    s.resolve = {{"allowed.example", ResolveTarget{"127.0.0.1", big.port()}}};
    s.max_bytes = 1 << 20;
    RunningProxy p(s);
    const auto r =
        curl(p.url(), {"--noproxy", "", "-f", "-o", (dir.path() / "out").string(), "http://allowed.example/"});
    BOOST_TEST(r.exit_code != 0);
    const auto rec = p.audit.wait_for("allowed.example");
    BOOST_TEST(rec["error"] == "session byte budget used up", rec.dump());
    BOOST_TEST(rec["bytes_down"].get<std::uint64_t>() <= (1u << 20));
    // Once the budget is used up, new connections are refused.
    const auto again = curl(p.url(), {"--noproxy", "", "-f", "-o", "/dev/null", "http://allowed.example/"});
    BOOST_TEST(again.exit_code != 0);
    BOOST_TEST(p.audit.wait_count(2)[1]["rule"] == "limit: session byte budget used up");
}

BOOST_AUTO_TEST_SUITE_END()
