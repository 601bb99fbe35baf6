// Bearer tokens for the network-facing doors: agents over MCP HTTP
// (TokenKind::agent, `deskbox token`) and reviewers in the web console
// (TokenKind::reviewer, `deskbox console token`). A token is shown once, when
// it is made; the store keeps only its SHA-256 (a 256-bit random token needs
// no slow hash: there is nothing to guess). Revoked entries stay listed, so
// the audit log's names keep meaning something.
//
// File format (JSON, written whole through a temp file + rename, under flock):
//   {"schema":1,"tokens":[{"name":"ci-bot","sha256":"…","created":1764500000,
//                          "revoked":null}]}
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deskbox {

enum class TokenKind {
    agent,     // MCP over HTTP: the agent's name goes into the audit log
    reviewer,  // the review console: the reviewer's name goes into approvals
};

struct TokenInfo {
    std::string name;
    std::int64_t created = 0;             // unix seconds
    std::optional<std::int64_t> revoked;  // unix seconds, when revoked
};

class TokenStore {
public:
    explicit TokenStore(std::filesystem::path file);

    // Agent tokens: DESKBOX_TOKEN_DIR/agent.json when set; as root
    // /var/lib/deskbox/tokens/agent.json; as a user
    // ${XDG_STATE_HOME:-~/.local/state}/deskbox/tokens/agent.json (a user's
    // MCP server serves that user's sessions). Reviewer tokens are host-wide:
    // DESKBOX_TOKEN_DIR/reviewer.json or /var/lib/deskbox/tokens/reviewer.json,
    // shared with the deskbox-review group (docs/review.md).
    static TokenStore open_default(TokenKind kind);

    const std::filesystem::path& file() const { return file_; }

    // Makes a token for `name` (1-48 of [A-Za-z0-9_.-]) and returns it; only
    // its hash is stored. Error when `name` already has an active token.
    std::string add(const std::string& name);
    // Error when `name` has no active token.
    void revoke(const std::string& name);
    // Every entry, revoked ones included, oldest first. An absent file is an
    // empty store.
    std::vector<TokenInfo> list() const;
    // The name of the active token equal to `token`, else nullopt. Reads the
    // file again whenever it changed, so a revocation applies to the very
    // next request. A store that cannot be read authenticates nobody.
    std::optional<std::string> authenticate(std::string_view token) const;

private:
    struct Entry {
        TokenInfo info;
        std::string sha256;  // hex of the token
    };
    std::vector<Entry> read() const;
    void write(const std::vector<Entry>& entries) const;

    std::filesystem::path file_;
    // authenticate()'s cache, keyed by the file's identity and mtime; the
    // mutex lets HTTP servers authenticate from several threads.
    mutable std::mutex cache_mutex_;
    mutable std::vector<Entry> cached_;
    mutable std::uint64_t cached_key_ = 0;
};

// "dbx_agent_" / "dbx_reviewer_" + 43 base64url characters: the prefix tells a
// leaked token's kind at a glance (and lets secret scanners find it).
std::string token_prefix(TokenKind kind);

}  // namespace deskbox
