#include "tests/integration/test_accounts.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <cstring>

#include "tests/integration/session_harness.h"

namespace deskbox::test {
namespace {

bool group_exists(const std::string& name) {
    return getgrnam(name.c_str()) != nullptr;
}
bool user_exists(const std::string& name) {
    return getpwnam(name.c_str()) != nullptr;
}

// Runs an admin command (useradd...) as root; returns its exit code.
int run_admin(const std::vector<std::string>& argv) {
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
        execv(a[0], a.data());
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// In a forked child: becomes the account or exits 126 (never goes on as root).
void drop_to(const Account& who) {
    if (setgroups(who.groups.size(), who.groups.data()) != 0 || setgid(who.gid) != 0 || setuid(who.uid) != 0 ||
        geteuid() == 0)
        _exit(126);
}

}  // namespace

TestAccounts::TestAccounts(const std::vector<std::string>& ensure_groups,
                           const std::vector<std::pair<std::string, std::vector<std::string>>>& users) {
    for (const auto& g : ensure_groups) {
        if (group_exists(g)) continue;
        BOOST_REQUIRE_MESSAGE(run_admin({"/usr/sbin/groupadd", "--system", g}) == 0, "groupadd " << g);
        created_groups_.push_back(g);
    }
    for (const auto& [name, groups] : users) {
        if (user_exists(name)) run_admin({"/usr/sbin/userdel", name});  // a leftover of an interrupted run
        std::vector<std::string> argv = {
            "/usr/sbin/useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
            "--no-user-group",   "--gid",    "nogroup"};
        std::string list;
        for (const auto& g : groups) list += (list.empty() ? "" : ",") + g;
        if (!list.empty()) argv.insert(argv.end(), {"--groups", list});
        argv.push_back(name);
        BOOST_REQUIRE_MESSAGE(run_admin(argv) == 0, "useradd " << name);
        const passwd* pw = getpwnam(name.c_str());
        BOOST_REQUIRE(pw != nullptr);
        Account a{name, pw->pw_uid, pw->pw_gid, {}};
        int count = 64;
        a.groups.resize(static_cast<std::size_t>(count));
        BOOST_REQUIRE(getgrouplist(name.c_str(), a.gid, a.groups.data(), &count) >= 0);
        a.groups.resize(static_cast<std::size_t>(count));
        users_.push_back(std::move(a));
    }
}

TestAccounts::~TestAccounts() {
    for (const auto& u : users_) run_admin({"/usr/sbin/userdel", u.name});
    for (const auto& g : created_groups_) run_admin({"/usr/sbin/groupdel", g});
}

const Account& TestAccounts::user(const std::string& name) const {
    for (const auto& u : users_)
        if (u.name == name) return u;
    BOOST_FAIL("no test account " << name);
    throw;  // unreachable
}

std::pair<int, std::string> run_as(const Account& who, const std::vector<std::string>& argv,
                                   const std::vector<std::string>& env) {
    std::vector<char*> a, e;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    for (const auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
    e.push_back(nullptr);
    int fds[2];
    BOOST_REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        drop_to(who);
        execve(a[0], a.data(), e.data());
        _exit(127);
    }
    close(fds[1]);
    return finish_child(pid, fds[0]);
}

int probe_as(const Account& who, const std::function<int()>& probe) {
    const pid_t pid = fork();
    if (pid == 0) {
        drop_to(who);
        _exit(probe());
    }
    int status = 0;
    waitpid(pid, &status, 0);
    BOOST_REQUIRE_MESSAGE(WIFEXITED(status) && WEXITSTATUS(status) != 126, "could not become " << who.name);
    return WEXITSTATUS(status);
}

int connect_errno_as(const Account& who, const std::string& socket_path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    BOOST_REQUIRE(socket_path.size() < sizeof addr.sun_path);
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    return probe_as(who, [&addr] {
        const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return 125;
        return connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0 ? 0 : errno;
    });
}

int open_errno_as(const Account& who, const std::string& path, int flags) {
    const char* p = path.c_str();
    return probe_as(who, [p, flags] { return open(p, O_RDONLY | O_CLOEXEC | flags) >= 0 ? 0 : errno; });
}

}  // namespace deskbox::test
