#include "supervisor/base/random.h"

#include <sys/random.h>

#include <cerrno>

#include "supervisor/base/error.h"

namespace deskbox {

void fill_random(void* buf, std::size_t n, const std::string& purpose) {
    auto* out = static_cast<unsigned char*>(buf);
    std::size_t filled = 0;
    while (filled < n) {
        const ssize_t got = getrandom(out + filled, n - filled, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            throw_errno(purpose);
        }
        filled += static_cast<std::size_t>(got);
    }
}

}  // namespace deskbox
