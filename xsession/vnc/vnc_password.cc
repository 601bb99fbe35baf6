#include "xsession/vnc/vnc_password.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

#include "supervisor/base/error.h"
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
    std::size_t filled = 0;
    while (filled < sizeof raw) {
        const ssize_t n = getrandom(raw + filled, sizeof raw - filled, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("generating the VNC password");
        }
        filled += static_cast<std::size_t>(n);
    }
    std::string password;
    for (unsigned char b : raw) password.push_back(kAlphabet[b % (sizeof kAlphabet - 1)]);
    return password;
}

std::string vnc_password_file_bytes(const std::string& password) {
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
        throw Error("writing the VNC password: OpenSSL's legacy provider (single DES) could not be loaded");
    unsigned char plain[8] = {};
    for (std::size_t i = 0; i < 8 && i < password.size(); ++i) plain[i] = static_cast<unsigned char>(password[i]);
    EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "DES-ECB", nullptr);
    if (!cipher) throw Error("writing the VNC password: OpenSSL has no DES-ECB (legacy provider missing)");
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    unsigned char out[16];
    int length = 0, final_length = 0;
    const bool ok = ctx && EVP_EncryptInit_ex(ctx, cipher, nullptr, kVncKey, nullptr) == 1 &&
                    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
                    EVP_EncryptUpdate(ctx, out, &length, plain, sizeof plain) == 1 &&
                    EVP_EncryptFinal_ex(ctx, out + length, &final_length) == 1;
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(cipher);
    if (!ok || length + final_length != 8) throw Error("writing the VNC password: DES encryption failed");
    return std::string(reinterpret_cast<const char*>(out), 8);
}

void write_vnc_password_file(const std::string& path, const std::string& password) {
    const std::string bytes = vnc_password_file_bytes(password);
    unlink(path.c_str());
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) throw_errno("writing the VNC password file " + path);
    if (write(fd.get(), bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
        throw_errno("writing the VNC password file " + path);
    }
}

}  // namespace deskbox
