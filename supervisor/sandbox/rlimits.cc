#include "supervisor/sandbox/rlimits.h"

#include <sys/resource.h>

#include <cerrno>

namespace deskbox::sandbox {

int apply_process_limits(const ProcessLimits& limits) noexcept {
    const struct {
        int resource;
        std::uint64_t value;
    } table[] = {
        {RLIMIT_CORE, 0},
        {RLIMIT_NOFILE, limits.nofile},
        {RLIMIT_FSIZE, limits.max_file_size},
    };
    for (const auto& entry : table) {
        // Raising a hard limit needs privilege in the host namespace: a request
        // above the current hard limit is held to it.
        rlimit current{};
        if (getrlimit(entry.resource, &current) != 0) return errno;
        const rlim_t value = entry.value < current.rlim_max ? entry.value : current.rlim_max;
        rlimit lim{value, value};
        if (setrlimit(entry.resource, &lim) != 0) return errno;
    }
    return 0;
}

}  // namespace deskbox::sandbox
