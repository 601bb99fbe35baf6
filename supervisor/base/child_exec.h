// The child side of starting a program, written once for the supervisor's
// host spawner and the sandbox's init: what is prepared before fork (argv and
// envp arrays) and the descriptor shuffle after it (async-signal-safe: a
// forked child of a threaded process may only make system calls).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace deskbox {

// A null-terminated array of pointers into `strings` (which must outlive it), for execve.
std::vector<char*> exec_array(std::vector<std::string>& strings);

// One descriptor handed to the child: `from` in the parent becomes `to`.
struct FdMove {
    int from;
    int to;
};

// The most descriptors place_fds handles.
constexpr std::size_t kMaxFdMoves = 64;

// After fork, before execve: puts every moves[i].from at moves[i].to (no
// source is clobbered by an earlier dup2 onto its number) and marks every
// other descriptor from 3 up close-on-exec, so the program gets only what it
// was handed. `*report` (the pipe that tells the parent why the exec failed,
// -1 for none) moves above every target first and stays usable until exec.
// Returns 0 or the errno of the failed step. Async-signal-safe.
int place_fds(const FdMove* moves, std::size_t count, int* report);

}  // namespace deskbox
