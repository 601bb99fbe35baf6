// The PATH search of execvp, done once before forking (the child only makes
// system calls): used by the supervisor's host spawner, the sandbox's init
// and the session's check that the manifest's programs exist.
#pragma once

#include <string>
#include <vector>

namespace deskbox {

// The PATH when none is given.
constexpr const char* kDefaultExecPath = "/usr/local/bin:/usr/bin:/bin";

// The first executable `name` in the ':'-separated `path_env` (kDefaultExecPath
// when empty); a name with a '/' is returned as is. "" when none is found.
std::string search_exec_path(const std::string& name, const std::string& path_env);

// The value of PATH=... in `env`, "" when there is none.
std::string path_of_env(const std::vector<std::string>& env);

}  // namespace deskbox
