#include "supervisor/base/child_exec.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace deskbox {

std::vector<char*> exec_array(std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

int place_fds(const FdMove* moves, std::size_t count, int* report) {
    if (count > kMaxFdMoves) return EMFILE;
    int highest = 2;
    for (std::size_t i = 0; i < count; ++i)
        if (moves[i].to > highest) highest = moves[i].to;
    const int above = highest + 1;
    if (report && *report >= 0) {
        const int moved = fcntl(*report, F_DUPFD_CLOEXEC, above);
        if (moved < 0) return errno;
        *report = moved;
    }
    // Every source out of the way of every target first, then into place
    // (dup2 clears close-on-exec on the target).
    int lifted[kMaxFdMoves];
    for (std::size_t i = 0; i < count; ++i) {
        lifted[i] = fcntl(moves[i].from, F_DUPFD_CLOEXEC, above);
        if (lifted[i] < 0) return errno;
    }
    for (std::size_t i = 0; i < count; ++i)
        if (dup2(lifted[i], moves[i].to) < 0) return errno;
    // The targets, sorted (insertion sort: no allocation here).
    int kept[kMaxFdMoves];
    std::size_t n = 0;
    for (std::size_t i = 0; i < count; ++i) {
        std::size_t j = n++;
        while (j > 0 && kept[j - 1] > moves[i].to) {
            kept[j] = kept[j - 1];
            --j;
        }
        kept[j] = moves[i].to;
    }
    // Everything else closes at exec (not now: the report pipe must stay open until then).
    unsigned int from = 3;
    for (std::size_t i = 0; i < n; ++i) {
        const int k = kept[i];
        if (k < 3) continue;
        if (static_cast<unsigned>(k) > from &&
            syscall(SYS_close_range, from, static_cast<unsigned>(k) - 1, CLOSE_RANGE_CLOEXEC) != 0)
            return errno;
        if (static_cast<unsigned>(k) + 1 > from) from = static_cast<unsigned>(k) + 1;
    }
    if (syscall(SYS_close_range, from, ~0u, CLOSE_RANGE_CLOEXEC) != 0) return errno;
    return 0;
}

}  // namespace deskbox
