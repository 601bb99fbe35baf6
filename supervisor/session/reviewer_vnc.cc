#include "supervisor/session/reviewer_vnc.h"

#include <iostream>

#include "supervisor/base/unique_fd.h"
#include "supervisor/sandbox/sandbox.h"
#include "supervisor/sandbox/userns.h"

namespace deskbox {
namespace {

// What both servers share; `name` names their files (NAME.passwd, NAME.sock).
VncOptions options_for(Session& s, const std::string& name) {
    VncOptions vnc;
    vnc.display_number = s.display_number();
    vnc.auth_file_child = s.xauthority_child();
    vnc.password_file_host = (s.staging_dir() / (name + ".passwd")).string();
    vnc.password_file_child = s.staging_child(name + ".passwd");
    // x11vnc runs as the sandbox's app user: its copy must be that user's (0600).
    const auto& ids = s.sandbox().ids();
    vnc.password_file_owner = FileOwner{ids.host_uid_of(sandbox::kAppUid), ids.host_gid_of(sandbox::kAppGid)};
    vnc.socket_path = (s.session_dir() / (name + ".sock")).string();
    vnc.extra_env = s.base_env();
    vnc.on_exit = [&s, name](int status) {
        if (!s.stopping())
            std::cerr << "deskbox: session " << s.name() << ": x11vnc (" << name << ") ended (status " << status
                      << ")\n";
    };
    return vnc;
}

std::unique_ptr<VncServer> start(Session& s, VncOptions vnc) {
    // Borrowed for start_vnc only: the forwarder keeps its own duplicate for every later connection.
    const UniqueFd netns = s.open_netns();
    vnc.netns_fd = netns.get();
    return start_vnc(s.spawner(), s.loop(), vnc);
}

}  // namespace

std::unique_ptr<VncServer> start_view_vnc(Session& s) {
    VncOptions vnc = options_for(s, "vnc");
    vnc.view_only = true;
    vnc.reviewer_password_file = (s.session_dir() / "vnc.passwd").string();
    vnc.host_port = true;
    return start(s, std::move(vnc));
}

std::unique_ptr<VncServer> start_takeover_vnc(Session& s, std::optional<uid_t> owner, const std::string& password,
                                              unsigned number) {
    VncOptions vnc = options_for(s, "takeover");
    vnc.view_only = false;
    vnc.single_viewer = true;
    vnc.password = password;
    vnc.socket_owner = owner;
    vnc.rfb_port = 5901 + static_cast<int>(number % 99);  // beside the view's 5900, below 6000 (X's)
    return start(s, std::move(vnc));
}

}  // namespace deskbox
