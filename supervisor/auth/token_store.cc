#include "supervisor/auth/token_store.h"

#include <fcntl.h>
#include <grp.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "supervisor/audit/audit_record.h"
#include "supervisor/base/error.h"
#include "supervisor/base/random.h"
#include "supervisor/base/unique_fd.h"

namespace deskbox {
namespace {

constexpr const char* kSystemTokenDir = "/var/lib/deskbox/tokens";
constexpr const char* kReviewGroup = "deskbox-review";
constexpr int kSchema = 1;

const char* kind_file_name(TokenKind kind) {
    return kind == TokenKind::agent ? "agent.json" : "reviewer.json";
}

void validate_token_name(const std::string& name) {
    if (name.empty() || name.size() > 48) throw Error("token name '" + name + "': must be 1 to 48 characters long");
    if (name[0] == '.' || name[0] == '-') throw Error("token name '" + name + "': must not start with '.' or '-'");
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '-' || c == '.';
        if (!ok) throw Error("token name '" + name + "': only letters, digits, '_', '-' and '.' are allowed");
    }
}

std::string random_base64url(std::size_t bytes) {
    std::vector<unsigned char> raw(bytes);
    fill_random(raw.data(), raw.size(), "reading random bytes for a token");
    std::string out(4 * ((bytes + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), raw.data(), static_cast<int>(bytes));
    OPENSSL_cleanse(raw.data(), raw.size());
    out.resize(static_cast<std::size_t>(n));
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& c : out) {
        if (c == '+')
            c = '-';
        else if (c == '/')
            c = '_';
    }
    return out;
}

// The group that may manage and read reviewer tokens, if it exists.
std::optional<gid_t> review_gid() {
    if (const group* g = getgrnam(kReviewGroup)) return g->gr_gid;
    return std::nullopt;
}

// Creates the store's dir. Reviewer tokens are shared with deskbox-review
// (0770 root:deskbox-review: its members add and revoke them too); every
// other store is its owner's alone (0700).
void ensure_dir(const std::filesystem::path& dir, bool shared_with_reviewers) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw Error("creating the token dir " + dir.string() + ": " + ec.message());
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0) throw_errno("reading the token dir " + dir.string());
    if (st.st_uid != geteuid()) return;  // someone else's (e.g. root's shared dir): leave its modes alone
    if (shared_with_reviewers && geteuid() == 0) {
        if (auto gid = review_gid()) {
            if (chown(dir.c_str(), 0, *gid) != 0) throw_errno("giving " + dir.string() + " to " + kReviewGroup);
            if (chmod(dir.c_str(), 02770) != 0) throw_errno("setting the mode of " + dir.string());
            return;
        }
    }
    if (chmod(dir.c_str(), 0700) != 0) throw_errno("setting the mode of " + dir.string());
}

std::uint64_t file_key(const std::filesystem::path& file) {
    struct stat st {};
    if (stat(file.c_str(), &st) != 0) return 1;  // absent: a key of its own, so a later file is read
    return (static_cast<std::uint64_t>(st.st_ino) * 1000003u) ^ (static_cast<std::uint64_t>(st.st_mtim.tv_sec) << 20) ^
           static_cast<std::uint64_t>(st.st_mtim.tv_nsec) ^ (static_cast<std::uint64_t>(st.st_size) << 40);
}

// An exclusive lock beside the store for the read-modify-write of add/revoke.
UniqueFd lock_store(const std::filesystem::path& file) {
    const std::filesystem::path lock = file.string() + ".lock";
    UniqueFd fd(open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0660));
    if (!fd) throw_errno("opening " + lock.string());
    if (flock(fd.get(), LOCK_EX) != 0) throw_errno("locking " + lock.string());
    return fd;
}

}  // namespace

std::string token_prefix(TokenKind kind) {
    return kind == TokenKind::agent ? "dbx_agent_" : "dbx_reviewer_";
}

TokenStore::TokenStore(std::filesystem::path file) : file_(std::move(file)) {}

TokenStore TokenStore::open_default(TokenKind kind) {
    if (const char* over = std::getenv("DESKBOX_TOKEN_DIR"); over && *over)
        return TokenStore(std::filesystem::path(over) / kind_file_name(kind));
    if (kind == TokenKind::reviewer || geteuid() == 0)
        return TokenStore(std::filesystem::path(kSystemTokenDir) / kind_file_name(kind));
    std::filesystem::path state;
    if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && *xdg) {
        state = xdg;
    } else {
        const char* home = std::getenv("HOME");
        if (!home || !*home) {
            const passwd* pw = getpwuid(geteuid());
            if (!pw) throw Error("finding the token store: HOME is not set and the user has no passwd entry");
            home = pw->pw_dir;
        }
        state = std::filesystem::path(home) / ".local" / "state";
    }
    return TokenStore(state / "deskbox" / "tokens" / kind_file_name(kind));
}

std::vector<TokenStore::Entry> TokenStore::read() const {
    std::ifstream in(file_);
    if (!in) {
        if (errno == ENOENT) return {};
        throw Error("reading the token store " + file_.string() + ": " + errno_text(errno));
    }
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception& e) {
        throw Error("reading the token store " + file_.string() + ": not valid JSON (" + e.what() + ")");
    }
    if (!doc.is_object() || doc.value("schema", 0) != kSchema || !doc.contains("tokens") || !doc["tokens"].is_array())
        throw Error("reading the token store " + file_.string() + ": not a schema 1 token store");
    std::vector<Entry> entries;
    for (const auto& t : doc["tokens"]) {
        try {
            Entry e;
            e.info.name = t.at("name").get<std::string>();
            e.sha256 = t.at("sha256").get<std::string>();
            e.info.created = t.at("created").get<std::int64_t>();
            if (t.contains("revoked") && !t["revoked"].is_null()) e.info.revoked = t["revoked"].get<std::int64_t>();
            if (e.sha256.size() != 64) throw Error("sha256 is not 64 hex digits");
            entries.push_back(std::move(e));
        } catch (const std::exception& e) {
            throw Error("reading the token store " + file_.string() + ": a malformed entry (" + e.what() + ")");
        }
    }
    return entries;
}

void TokenStore::write(const std::vector<Entry>& entries) const {
    nlohmann::json tokens = nlohmann::json::array();
    for (const Entry& e : entries) {
        tokens.push_back({{"name", e.info.name},
                          {"sha256", e.sha256},
                          {"created", e.info.created},
                          {"revoked", e.info.revoked ? nlohmann::json(*e.info.revoked) : nlohmann::json(nullptr)}});
    }
    const std::string text = nlohmann::json{{"schema", kSchema}, {"tokens", tokens}}.dump(2) + "\n";
    const std::filesystem::path tmp = file_.string() + ".tmp";
    const bool shared = file_.filename() == kind_file_name(TokenKind::reviewer);
    UniqueFd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, shared ? 0660 : 0600));
    if (!fd) throw_errno("writing " + tmp.string());
    if (fchmod(fd.get(), shared ? 0660 : 0600) != 0) throw_errno("setting the mode of " + tmp.string());
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("writing " + tmp.string());
        }
        done += static_cast<std::size_t>(n);
    }
    if (fsync(fd.get()) != 0) throw_errno("syncing " + tmp.string());
    if (rename(tmp.c_str(), file_.c_str()) != 0) throw_errno("renaming " + tmp.string() + " to " + file_.string());
}

std::string TokenStore::add(const std::string& name) {
    validate_token_name(name);
    ensure_dir(file_.parent_path(), file_.filename() == kind_file_name(TokenKind::reviewer));
    UniqueFd lock = lock_store(file_);
    std::vector<Entry> entries = read();
    for (const Entry& e : entries) {
        if (e.info.name == name && !e.info.revoked)
            throw Error("token '" + name + "' already exists; revoke it first to replace it");
    }
    const TokenKind kind =
        file_.filename() == kind_file_name(TokenKind::reviewer) ? TokenKind::reviewer : TokenKind::agent;
    std::string token = token_prefix(kind) + random_base64url(32);
    Entry e;
    e.info.name = name;
    e.info.created = std::time(nullptr);
    e.sha256 = sha256_hex_of(token);
    entries.push_back(std::move(e));
    write(entries);
    return token;
}

void TokenStore::revoke(const std::string& name) {
    UniqueFd lock = lock_store(file_);
    std::vector<Entry> entries = read();
    bool found = false;
    for (Entry& e : entries) {
        if (e.info.name == name && !e.info.revoked) {
            e.info.revoked = std::time(nullptr);
            found = true;
        }
    }
    if (!found) throw Error("no active token named '" + name + "' in " + file_.string());
    write(entries);
}

std::vector<TokenInfo> TokenStore::list() const {
    std::vector<TokenInfo> out;
    for (const Entry& e : read()) out.push_back(e.info);
    return out;
}

std::optional<std::string> TokenStore::authenticate(std::string_view token) const {
    if (token.empty() || token.size() > 256) return std::nullopt;
    std::lock_guard<std::mutex> guard(cache_mutex_);
    const std::uint64_t key = file_key(file_);
    if (key != cached_key_) {
        try {
            cached_ = read();
        } catch (const Error&) {
            cached_.clear();  // unreadable: nobody gets in (and the next call tries again)
            cached_key_ = 0;
            return std::nullopt;
        }
        cached_key_ = key;
    }
    const std::string presented = sha256_hex_of(token);
    std::optional<std::string> who;
    // Compare against every entry in constant time per entry, so timing tells
    // nothing about which one (if any) matched.
    for (const Entry& e : cached_) {
        const bool equal = CRYPTO_memcmp(presented.data(), e.sha256.data(), presented.size()) == 0;
        if (equal && !e.info.revoked) who = e.info.name;
    }
    return who;
}

}  // namespace deskbox
