// Reviewers' logins: after a token is accepted the console keeps a session in
// memory under a random id (the cookie's value) with its own CSRF token and
// an expiry. The token is kept in memory only (never on disk, never sent back): every request checks the
// login's token against the token store again (revocation is immediate).
// Thread-safe: the server serves each connection on its own thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace deskbox::console {

struct Login {
    std::string id;        // cookie value: 256 random bits, base64url
    std::string csrf;      // required on every state-changing request
    std::string reviewer;  // the token store's name for the token used
    // The token that logged in, in this process's memory only: each request
    // authenticates it again, so revoking it ends the login at once.
    std::string token;
    std::int64_t expires_s = 0;  // unix seconds
};

// 256 random bits (the kernel CSPRNG) as base64url without padding.
std::string random_id();

class LoginSessions {
public:
    explicit LoginSessions(std::chrono::seconds lifetime = std::chrono::hours(8)) : lifetime_(lifetime) {}
    std::chrono::seconds lifetime() const { return lifetime_; }

    Login create(const std::string& reviewer, const std::string& token, std::int64_t now_s);
    // The login for cookie value `id`, unless unknown or expired (an expired
    // one is forgotten).
    std::optional<Login> find(const std::string& id, std::int64_t now_s);
    void remove(const std::string& id);
    std::size_t size() const;

private:
    std::chrono::seconds lifetime_;
    mutable std::mutex mutex_;
    std::map<std::string, Login> logins_;
};

// Compares in time independent of where the strings differ.
bool equal_secrets(const std::string& a, const std::string& b);

}  // namespace deskbox::console
