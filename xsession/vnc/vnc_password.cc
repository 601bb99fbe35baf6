#include "xsession/vnc/vnc_password.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "supervisor/base/error.h"
#include "supervisor/base/random.h"
#include "supervisor/base/unique_fd.h"

namespace deskbox {
namespace {

// VNC's fixed key {23,82,107,6,35,78,88,7} with each byte's bits reversed, as
// a standard DES implementation needs it.
const unsigned char kVncKey[8] = {0xe8, 0x4a, 0xd6, 0x60, 0xc4, 0x72, 0x1a, 0xe0};

}  // namespace

std::string random_vnc_password() {
    static const char kAlphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    unsigned char raw[8];
    fill_random(raw, sizeof raw, "generating the VNC password");
    std::string password;
    for (unsigned char b : raw) password.push_back(kAlphabet[b % (sizeof kAlphabet - 1)]);
    return password;
}

namespace {

// Single DES, ECB, no padding, over whole 8-byte blocks: the one cipher VNC
// uses, both for the password file and for the challenge response.
std::string des_ecb(const unsigned char key[8], const std::string& data, bool encrypt, const char* what) {
    // Single DES lives in OpenSSL 3's legacy provider; load it next to the
    // default once, for the process's lifetime. The handles are kept (never
    // unloaded) so that what OpenSSL allocated for them stays reachable.
    static std::once_flag once;
    static OSSL_PROVIDER* legacy = nullptr;
    static OSSL_PROVIDER* fallback = nullptr;
    std::call_once(once, [] {
        legacy = OSSL_PROVIDER_load(nullptr, "legacy");
        fallback = OSSL_PROVIDER_load(nullptr, "default");
    });
    if (!legacy || !fallback)
        throw Error(std::string(what) + ": OpenSSL's legacy provider (single DES) could not be loaded");
    if (data.empty() || data.size() % 8 != 0) throw Error(std::string(what) + ": DES needs whole 8-byte blocks");
    EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "DES-ECB", nullptr);
    if (!cipher) throw Error(std::string(what) + ": OpenSSL has no DES-ECB (legacy provider missing)");
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    std::string out(data.size() + 8, '\0');
    auto* out_bytes = reinterpret_cast<unsigned char*>(out.data());
    const auto* in_bytes = reinterpret_cast<const unsigned char*>(data.data());
    int length = 0, final_length = 0;
    const bool ok = ctx && EVP_CipherInit_ex(ctx, cipher, nullptr, key, nullptr, encrypt ? 1 : 0) == 1 &&
                    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
                    EVP_CipherUpdate(ctx, out_bytes, &length, in_bytes, static_cast<int>(data.size())) == 1 &&
                    EVP_CipherFinal_ex(ctx, out_bytes + length, &final_length) == 1;
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(cipher);
    if (!ok || static_cast<std::size_t>(length) + static_cast<std::size_t>(final_length) != data.size())
        throw Error(std::string(what) + ": DES failed");
    out.resize(data.size());
    return out;
}

// The password's first 8 bytes, zero-padded: VNC's key material.
std::string eight_bytes(const std::string& password) {
    std::string key(8, '\0');
    for (std::size_t i = 0; i < 8 && i < password.size(); ++i) key[i] = password[i];
    return key;
}

}  // namespace

std::string vnc_password_file_bytes(const std::string& password) {
    return des_ecb(kVncKey, eight_bytes(password), true, "writing the VNC password");
}

std::string vnc_password_from_file_bytes(const std::string& bytes) {
    if (bytes.size() < 8)
        throw Error("reading a VNC password file: it has " + std::to_string(bytes.size()) + " bytes, the format has 8");
    std::string password = des_ecb(kVncKey, bytes.substr(0, 8), false, "reading a VNC password file");
    password.resize(std::strlen(password.c_str()));  // zero-padded
    return password;
}

std::string vnc_auth_response(const std::string& password, const std::string& challenge) {
    if (challenge.size() != 16)
        throw Error("VNC authentication: the challenge has " + std::to_string(challenge.size()) + " bytes, not 16");
    // The key is the password with each byte's bits reversed (VNC's DES quirk).
    unsigned char key[8];
    const std::string plain_key = eight_bytes(password);
    for (std::size_t i = 0; i < 8; ++i) {
        unsigned char b = static_cast<unsigned char>(plain_key[i]), r = 0;
        for (int bit = 0; bit < 8; ++bit) r = static_cast<unsigned char>(r | (((b >> bit) & 1u) << (7 - bit)));
        key[i] = r;
    }
    return des_ecb(key, challenge, true, "VNC authentication");
}

void write_vnc_password_file(const std::string& path, const std::string& password, std::optional<FileOwner> owner) {
    const std::string bytes = vnc_password_file_bytes(password);
    unlink(path.c_str());
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) throw_errno("writing the VNC password file " + path);
    if (owner && fchown(fd.get(), owner->uid, owner->gid) != 0)
        throw_errno("giving the VNC password file " + path + " to uid " + std::to_string(owner->uid));
    if (write(fd.get(), bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
        throw_errno("writing the VNC password file " + path);
    }
}

}  // namespace deskbox
