#include "supervisor/base/netns.h"

#include <sched.h>
#include <sys/socket.h>

#include <exception>
#include <thread>

#include "supervisor/base/error.h"

namespace deskbox {

void run_in_netns(int netns_fd, const std::function<void()>& work) {
    std::exception_ptr failure;
    std::thread worker([&] {
        try {
            if (setns(netns_fd, CLONE_NEWNET) != 0) throw_errno("joining the session's network namespace");
            work();
        } catch (...) {
            failure = std::current_exception();
        }
    });
    worker.join();
    if (failure) std::rethrow_exception(failure);
}

UniqueFd socket_in_netns(int netns_fd, int domain, int type, int protocol) {
    UniqueFd fd;
    run_in_netns(netns_fd, [&] {
        fd.reset(socket(domain, type | SOCK_CLOEXEC, protocol));
        if (!fd) throw_errno("creating a socket in the session's network namespace");
    });
    return fd;
}

}  // namespace deskbox
