// Headless Chromium pointed at the proxy with --proxy-server, as a session's
// browser is: allowed pages load over HTTP and HTTPS (CONNECT + SNI check),
// other names and the metadata address do not, and every decision is audited.
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "tests/integration/proxy/proxy_fixture.h"

using namespace proxytest;

namespace {

bool have_chromium() {
    for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
        if (access(p, X_OK) == 0) return true;
    return false;
}

CommandResult chromium(const TempDir& dir, const RunningProxy& p, const std::string& url) {
    return run_command({"chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--user-data-dir=" + (dir.path() / "profile").string(), "--ignore-certificate-errors",
                        // Without "<-loopback>" Chromium bypasses the proxy for loopback
                        // and link-local (169.254/16) addresses: sessions pass it too.
                        "--proxy-server=" + p.url(), "--proxy-bypass-list=<-loopback>", "--dump-dom", url},
                       std::chrono::seconds(90));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(proxy_with_chromium)

BOOST_AUTO_TEST_CASE(chromium_loads_only_allowed_pages) {
    if (!require_or_skip(have_chromium(), "chromium is not installed")) return;
    TempDir dir;
    OriginServer origin("<html><body><h1 id=ok>allowed origin page</h1></body></html>");
    TlsServer tls(dir.path(), "secure.example");
    deskbox::NetworkSpec spec;
    spec.mode = deskbox::NetworkMode::Allowlist;
    spec.allow = {"allowed.example", "secure.example"};
    spec.resolve = {{"allowed.example", deskbox::ResolveTarget{"127.0.0.1", origin.port()}},
                    {"secure.example", deskbox::ResolveTarget{"127.0.0.1", tls.port()}},
                    {"evil.example", deskbox::ResolveTarget{"127.0.0.1", origin.port()}}};
    RunningProxy p(spec);

    const auto ok = chromium(dir, p, "http://allowed.example/");
    BOOST_TEST(ok.out.find("allowed origin page") != std::string::npos, ok.out.substr(0, 500));
    BOOST_TEST(p.audit.wait_for("allowed.example")["decision"] == "allow");

    // HTTPS: Chromium sends CONNECT secure.example:443 and a ClientHello for secure.example.
    const auto secure = chromium(dir, p, "https://secure.example/");
    BOOST_TEST(secure.out.find("s_server") != std::string::npos, secure.out.substr(0, 500));
    const auto rec = p.audit.wait_for("secure.example");
    BOOST_TEST(rec["decision"] == "allow", rec.dump());
    BOOST_TEST(rec["protocol"] == "connect");

    // evil.example is mapped to the origin too: only the rule keeps it out.
    const auto evil = chromium(dir, p, "http://evil.example/");
    BOOST_TEST(evil.out.find("allowed origin page") == std::string::npos);
    BOOST_TEST(evil.out.find("deskbox egress proxy: not in allow list") != std::string::npos, evil.out.substr(0, 500));
    const auto evil_tls = chromium(dir, p, "https://evil.example/");
    BOOST_TEST(evil_tls.out.find("allowed origin page") == std::string::npos);
    const auto metadata = chromium(dir, p, "http://169.254.169.254/latest/meta-data/");
    BOOST_TEST(metadata.out.find("deskbox egress proxy: IP literal not listed") != std::string::npos,
               metadata.out.substr(0, 500));

    BOOST_TEST(p.audit.wait_for("evil.example")["decision"] == "deny");
    BOOST_TEST(p.audit.wait_for("169.254.169.254")["decision"] == "deny");
    int evil_records = 0;
    for (const auto& r : p.audit.records())
        if (r["host"] == "evil.example") {
            ++evil_records;
            BOOST_TEST(r["decision"] == "deny");
        }
    BOOST_TEST(evil_records >= 2);  // the http and the https attempt
    // Only requests for the allowed name (the page, maybe its favicon) reached the origin.
    const auto heads = origin.heads();
    BOOST_TEST(!heads.empty());
    for (const auto& h : heads) BOOST_TEST(h.find("\r\nHost: allowed.example\r\n") != std::string::npos, h);
}

BOOST_AUTO_TEST_SUITE_END()
