#include "supervisor/session/reviewer_vnc.h"

#include "supervisor/base/unique_fd.h"
#include "supervisor/sandbox/sandbox.h"
#include "supervisor/sandbox/userns.h"

namespace deskbox {
namespace {

// What both servers share; `name` names their files (NAME.passwd, NAME.sock).
VncOptions options_for(const VncParts& s, const std::string& name) {
    VncOptions vnc;
    vnc.display_number = s.display.display_number();
    vnc.auth_file_child = staging_child("Xauthority");
    vnc.password_file_host = (s.dirs.staging_dir() / (name + ".passwd")).string();
    vnc.password_file_child = staging_child(name + ".passwd");
    // x11vnc runs as the sandbox's app user: its copy must be that user's (0600).
    const auto& ids = s.sandbox.sandbox().ids();
    vnc.password_file_owner = FileOwner{ids.host_uid_of(sandbox::kAppUid), ids.host_gid_of(sandbox::kAppGid)};
    vnc.socket_path = (s.dirs.session_dir() / (name + ".sock")).string();
    vnc.extra_env = s.display.env();
    SessionControl& control = s.control;
    vnc.on_exit = [&control, name](int status) {
        if (!control.stopping()) control.report("x11vnc (" + name + ") ended (status " + std::to_string(status) + ")");
    };
    return vnc;
}

std::unique_ptr<VncServer> start(const VncParts& s, VncOptions vnc) {
    // Borrowed for start_vnc only: the forwarder keeps its own duplicate for every later connection.
    const UniqueFd netns = s.sandbox.open_netns();
    vnc.netns_fd = netns.get();
    return start_vnc(s.sandbox.spawner(), s.control.loop(), vnc);
}

}  // namespace

std::unique_ptr<VncServer> start_view_vnc(const VncParts& s) {
    VncOptions vnc = options_for(s, "vnc");
    vnc.view_only = true;
    vnc.reviewer_password_file = (s.dirs.session_dir() / "vnc.passwd").string();
    vnc.host_port = true;
    return start(s, std::move(vnc));
}

std::unique_ptr<VncServer> start_takeover_vnc(const VncParts& s, std::optional<uid_t> owner,
                                              const std::string& password, unsigned number) {
    VncOptions vnc = options_for(s, "takeover");
    vnc.view_only = false;
    vnc.single_viewer = true;
    vnc.password = password;
    vnc.socket_owner = owner;
    vnc.rfb_port = 5901 + static_cast<int>(number % 99);  // beside the view's 5900, below 6000 (X's)
    return start(s, std::move(vnc));
}

}  // namespace deskbox
