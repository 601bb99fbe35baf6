#define BOOST_TEST_MODULE deskbox token store unit tests
#include "supervisor/auth/token_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

#include "supervisor/base/error.h"

namespace deskbox {
namespace {

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        char tmpl[] = "/tmp/deskbox-token-test.XXXXXX";
        path = mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

BOOST_AUTO_TEST_CASE(a_made_token_authenticates_its_name_and_is_stored_only_hashed) {
    TempDir dir;
    TokenStore store(dir.path / "tokens" / "agent.json");
    const std::string token = store.add("ci-bot");
    BOOST_TEST(token.rfind("dbx_agent_", 0) == 0);
    BOOST_TEST(token.size() == std::string("dbx_agent_").size() + 43);
    BOOST_TEST(store.authenticate(token).value_or("") == "ci-bot");
    const std::string text = slurp(store.file());
    BOOST_TEST(text.find(token) == std::string::npos);
    BOOST_TEST(text.find(token.substr(10)) == std::string::npos);
    BOOST_TEST(text.find("ci-bot") != std::string::npos);
    struct stat st {};
    BOOST_REQUIRE(stat(store.file().c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    BOOST_REQUIRE(stat(store.file().parent_path().c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0700u);
}

BOOST_AUTO_TEST_CASE(wrong_empty_and_near_miss_tokens_are_refused) {
    TempDir dir;
    TokenStore store(dir.path / "agent.json");
    std::string token = store.add("a");
    BOOST_TEST(!store.authenticate(""));
    BOOST_TEST(!store.authenticate("dbx_agent_"));
    std::string near = token;
    near.back() = near.back() == 'A' ? 'B' : 'A';
    BOOST_TEST(!store.authenticate(near));
    BOOST_TEST(!store.authenticate(token + "x"));
    BOOST_TEST(!store.authenticate(std::string(1000, 'a')));
}

BOOST_AUTO_TEST_CASE(revocation_applies_to_the_next_check_even_from_another_store_object) {
    TempDir dir;
    TokenStore server(dir.path / "agent.json");  // e.g. the MCP server's, cached
    TokenStore cli(dir.path / "agent.json");     // `deskbox token revoke` in another process
    const std::string token = cli.add("agent-1");
    BOOST_TEST(server.authenticate(token).has_value());
    cli.revoke("agent-1");
    BOOST_TEST(!server.authenticate(token));
    const auto listed = cli.list();
    BOOST_REQUIRE(listed.size() == 1u);
    BOOST_TEST(listed[0].revoked.has_value());
}

BOOST_AUTO_TEST_CASE(a_name_has_one_active_token_and_may_get_a_new_one_after_revocation) {
    TempDir dir;
    TokenStore store(dir.path / "agent.json");
    const std::string first = store.add("alice");
    BOOST_CHECK_THROW(store.add("alice"), Error);
    store.revoke("alice");
    BOOST_CHECK_THROW(store.revoke("alice"), Error);
    const std::string second = store.add("alice");
    BOOST_TEST(first != second);
    BOOST_TEST(!store.authenticate(first));
    BOOST_TEST(store.authenticate(second).value_or("") == "alice");
    BOOST_TEST(store.list().size() == 2u);
}

BOOST_AUTO_TEST_CASE(bad_names_are_refused_with_the_rule) {
    TempDir dir;
    TokenStore store(dir.path / "agent.json");
    for (const char* bad : {"", "-x", ".x", "a b", "a/b", "ä"}) {
        try {
            store.add(bad);
            BOOST_FAIL("accepted '" << bad << "'");
        } catch (const Error& e) {
            BOOST_TEST(std::string(e.what()).find("token name") != std::string::npos);
        }
    }
    BOOST_CHECK_THROW(store.add(std::string(49, 'a')), Error);
}

BOOST_AUTO_TEST_CASE(a_corrupt_store_authenticates_nobody_and_says_why_elsewhere) {
    TempDir dir;
    TokenStore store(dir.path / "agent.json");
    const std::string token = store.add("bot");
    { std::ofstream(store.file()) << "{not json"; }
    BOOST_TEST(!store.authenticate(token));
    try {
        store.list();
        BOOST_FAIL("list of a corrupt store succeeded");
    } catch (const Error& e) {
        BOOST_TEST(std::string(e.what()).find("not valid JSON") != std::string::npos);
    }
    BOOST_CHECK_THROW(store.add("other"), Error);  // never overwrites what it cannot read
}

BOOST_AUTO_TEST_CASE(reviewer_tokens_have_their_own_prefix_and_never_pass_as_agent_tokens) {
    TempDir dir;
    TokenStore agents(dir.path / "agent.json");
    TokenStore reviewers(dir.path / "reviewer.json");
    const std::string reviewer = reviewers.add("alice");
    BOOST_TEST(reviewer.rfind("dbx_reviewer_", 0) == 0);
    agents.add("alice");
    BOOST_TEST(!agents.authenticate(reviewer));
    BOOST_TEST(reviewers.authenticate(reviewer).value_or("") == "alice");
}

BOOST_AUTO_TEST_CASE(default_location_follows_the_override_dir) {
    TempDir dir;
    setenv("DESKBOX_TOKEN_DIR", dir.path.c_str(), 1);
    BOOST_TEST(TokenStore::open_default(TokenKind::agent).file() == dir.path / "agent.json");
    BOOST_TEST(TokenStore::open_default(TokenKind::reviewer).file() == dir.path / "reviewer.json");
    unsetenv("DESKBOX_TOKEN_DIR");
    if (geteuid() == 0) {
        BOOST_TEST(TokenStore::open_default(TokenKind::agent).file() ==
                   std::filesystem::path("/var/lib/deskbox/tokens/agent.json"));
    }
}

}  // namespace
}  // namespace deskbox
