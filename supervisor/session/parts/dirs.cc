#include "supervisor/session/parts/dirs.h"

#include <sys/stat.h>

#include <cerrno>

#include "supervisor/base/error.h"
#include "supervisor/sandbox/mounts.h"
#include "supervisor/session/cleanup.h"
#include "supervisor/session/paths.h"
#include "supervisor/session/session_access.h"

namespace deskbox {
namespace {

void make_dir(const std::filesystem::path& dir, mode_t mode) {
    if (mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) throw_errno("creating " + dir.string());
    if (chmod(dir.c_str(), mode) != 0) throw_errno("setting the mode of " + dir.string());
}

}  // namespace

DirsPart::DirsPart(SessionControl& control) : control_(control) {
    const std::string& name = control.name();
    const auto parent = runtime_parent();
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) throw Error("creating " + parent.string() + ": " + ec.message());
    lock_ = SessionLock::acquire(session_lock_path(name), name);
    session_dir_ = deskbox::session_dir(name);
    staging_dir_ = deskbox::staging_dir(name);
    // A leftover of a killed run whose janitor died too: keep its audit log, remove the rest.
    for (const auto& problem : cleanup_session({{}, session_dir_, logs_dir(name)}))
        throw Error("cleaning up an earlier run of " + name + ": " + problem);
    // 0711 as root: group members reach the sockets by name, nobody lists the dir (session_access.h).
    make_dir(session_dir_, session_access().dir_mode);
    make_dir(staging_dir_, 0755);
}

void DirsPart::stop() {
    for (const auto& p : cleanup_session({{}, session_dir_, logs_dir(control_.name())})) control_.add_problem(p);
    lock_.release();
}

std::string staging_child(const std::string& file) {
    return std::string(sandbox::kStagingInside) + "/" + file;
}

}  // namespace deskbox
