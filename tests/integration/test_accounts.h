// Real host accounts for permission tests: creates the deskbox groups when
// missing and test users in them (useradd/groupadd), and removes what it
// created afterwards. Runs commands and probes as those users (fork, setgroups,
// setgid, setuid, then exec or one syscall), so what is checked is what the
// kernel lets that user do.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace deskbox::test {

struct Account {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;  // supplementary, as initgroups would set them
};

class TestAccounts {
public:
    // Creates users NAME in the given supplementary groups (which must exist
    // or be among ensure_groups, created when missing).
    TestAccounts(const std::vector<std::string>& ensure_groups,
                 const std::vector<std::pair<std::string, std::vector<std::string>>>& users);
    ~TestAccounts();
    TestAccounts(const TestAccounts&) = delete;
    TestAccounts& operator=(const TestAccounts&) = delete;
    const Account& user(const std::string& name) const;

private:
    std::vector<std::string> created_groups_;
    std::vector<Account> users_;
};

// Runs argv as the account with exactly env; returns (exit code, stdout and stderr).
std::pair<int, std::string> run_as(const Account& who, const std::vector<std::string>& argv,
                                   const std::vector<std::string>& env);
// Runs `probe` in a child that has become the account; returns what it returns
// (keep it to system calls: the child must not allocate). E.g. an errno.
int probe_as(const Account& who, const std::function<int()>& probe);
// errno of connect() to a Unix socket as the account (0 when it connected).
int connect_errno_as(const Account& who, const std::string& socket_path);
// errno of open(O_RDONLY) of a path as the account (0 when it opened).
int open_errno_as(const Account& who, const std::string& path, int flags = 0);

}  // namespace deskbox::test
