#include "supervisor/console/login_sessions.h"

#include "supervisor/base/random.h"

namespace deskbox::console {

std::string random_id() {
    unsigned char bytes[32];
    fill_random(bytes, sizeof bytes, "a console login id");
    static const char* const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char b : bytes) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += alphabet[(acc >> bits) & 63];
        }
    }
    if (bits > 0) out += alphabet[(acc << (6 - bits)) & 63];
    return out;
}

Login LoginSessions::create(const std::string& reviewer, const std::string& token, std::int64_t now_s) {
    Login l{random_id(), random_id(), reviewer, token, now_s + lifetime_.count()};
    std::lock_guard lock(mutex_);
    // Forget expired logins as new ones come, so the map stays bounded by the
    // logins of one lifetime.
    for (auto it = logins_.begin(); it != logins_.end();)
        it = it->second.expires_s <= now_s ? logins_.erase(it) : std::next(it);
    logins_[l.id] = l;
    return l;
}

std::optional<Login> LoginSessions::find(const std::string& id, std::int64_t now_s) {
    std::lock_guard lock(mutex_);
    const auto it = logins_.find(id);
    if (it == logins_.end()) return std::nullopt;
    if (it->second.expires_s <= now_s) {
        logins_.erase(it);
        return std::nullopt;
    }
    return it->second;
}

void LoginSessions::remove(const std::string& id) {
    std::lock_guard lock(mutex_);
    logins_.erase(id);
}

std::size_t LoginSessions::size() const {
    std::lock_guard lock(mutex_);
    return logins_.size();
}

bool equal_secrets(const std::string& a, const std::string& b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

}  // namespace deskbox::console
