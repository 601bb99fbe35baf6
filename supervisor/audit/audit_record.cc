#include "supervisor/audit/audit_record.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <vector>

#include "supervisor/base/error.h"
#include "supervisor/base/unique_fd.h"

namespace deskbox {

namespace {

std::string hex_of(const unsigned char* digest, unsigned int len) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) {
        hex.push_back(kHex[digest[i] >> 4]);
        hex.push_back(kHex[digest[i] & 0xf]);
    }
    return hex;
}

}  // namespace

std::string sha256_hex_of(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
    return hex_of(digest, len);
}

FileDigest sha256_of_file(const std::filesystem::path& file) {
    const UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) throw_errno("hashing " + file.string());
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        throw Error("hashing " + file.string() + ": OpenSSL");
    FileDigest out;
    std::vector<char> buf(1 << 20);
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw_errno("hashing " + file.string());
        if (n == 0) break;
        EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(n));
        out.bytes += static_cast<std::uint64_t>(n);
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), digest, &len);
    out.sha256 = hex_of(digest, len);
    return out;
}

std::string canonical_json(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string audit_record_hash(std::uint64_t seq, const std::string& time, const std::string& type,
                              const std::string& prev, const nlohmann::json& data) {
    nlohmann::json record = {{"seq", seq}, {"time", time}, {"type", type}, {"prev", prev}, {"data", data}};
    return sha256_hex_of(canonical_json(record));
}

std::string audit_record_line(std::uint64_t seq, const std::string& time, const std::string& type,
                              const std::string& prev, const std::string& hash, const nlohmann::json& data) {
    std::string line = "{\"seq\":" + std::to_string(seq);
    line += ",\"time\":" + canonical_json(time);
    line += ",\"type\":" + canonical_json(type);
    line += ",\"prev\":\"" + prev + "\"";
    line += ",\"hash\":\"" + hash + "\"";
    line += ",\"data\":" + canonical_json(data);
    line += "}";
    return line;
}

std::string audit_time_now() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return audit_time(static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000);
}

std::string audit_time(std::int64_t unix_ms) {
    const time_t seconds = static_cast<time_t>(unix_ms / 1000);
    tm utc{};
    gmtime_r(&seconds, &utc);
    char text[96];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<long>(unix_ms % 1000));
    return text;
}

}  // namespace deskbox
