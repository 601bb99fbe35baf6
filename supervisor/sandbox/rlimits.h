// Resource limits of sandboxed processes (the per-process part; the
// per-session part is the cgroup). Child-side: no allocation.
#pragma once

#include <cstdint>

namespace deskbox::sandbox {

struct ProcessLimits {
    std::uint64_t nofile = 4096;               // RLIMIT_NOFILE
    std::uint64_t max_file_size = 1ull << 30;  // RLIMIT_FSIZE
    // RLIMIT_CORE is always 0: a core dump could carry a page's secrets out.
};

// Applies the limits (soft = hard). Returns 0 or an errno.
int apply_process_limits(const ProcessLimits& limits) noexcept;

}  // namespace deskbox::sandbox
