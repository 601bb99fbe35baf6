// The parts of Session that other areas plug into (see session_services.h):
// extra app environment and status fields.

#include "supervisor/base/error.h"
#include "supervisor/sandbox/mounts.h"
#include "supervisor/session/session.h"

namespace deskbox {

void Session::add_app_env(const std::vector<std::string>& env) {
    extra_app_env_.insert(extra_app_env_.end(), env.begin(), env.end());
}

std::string Session::staging_child(const std::string& file) const {
    return std::string(sandbox::kStagingInside) + "/" + file;
}

nlohmann::json Session::status_json() const { return status_to_json(status_); }

void Session::set_vnc_description(const std::string& text) {
    status_.vnc = text;
    write_status();
}

void Session::set_sockets(const std::string& agent_socket, const std::string& review_socket) {
    status_.agent_socket = agent_socket;
    status_.review_socket = review_socket;
    write_status();
}

}  // namespace deskbox
