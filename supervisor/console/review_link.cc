#include "supervisor/console/review_link.h"

#include "supervisor/control/agent_client.h"

namespace deskbox::console {

std::optional<ListedSession> find_listed_session(const std::string& name) {
    for (ListedSession& s : list_sessions())
        if (s.name == name) return std::move(s);
    return std::nullopt;
}

Json review_call(const std::filesystem::path& dir, Json request, const std::string& reviewer) {
    request["reviewer"] = reviewer;
    request["via"] = "console";
    AgentClient client((dir / "review.sock").string());
    return client.call(request);
}

std::string review_error(const Json& reply) {
    if (reply.value("ok", false)) return "";
    if (reply.contains("error") && reply["error"].is_object()) return reply["error"].value("message", "failed");
    return "the session gave no answer";
}

}  // namespace deskbox::console
