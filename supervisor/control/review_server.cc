#include "supervisor/control/review_server.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace deskbox {

namespace {

constexpr std::size_t kMaxNote = 4096;

struct BadRequest {
    std::string message;
};

std::string string_field(const Json& request, const char* key, bool required) {
    if (!request.contains(key)) {
        if (required) throw BadRequest{std::string(key) + ": missing"};
        return {};
    }
    const Json& v = request[key];
    if (!v.is_string()) throw BadRequest{std::string(key) + ": expected a string"};
    std::string s = v.get<std::string>();
    if (s.size() > kMaxNote) throw BadRequest{std::string(key) + ": longer than 4096 bytes"};
    return s;
}

std::optional<std::string> user_name(uid_t uid, gid_t* primary = nullptr) {
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) != 0 || !found) return std::nullopt;
    if (primary) *primary = found->pw_gid;
    return std::string(found->pw_name);
}

}  // namespace

bool reviewer_allowed(const PeerCredentials& peer, const ReviewAccess& access) {
    if (peer.uid == 0 || peer.uid == geteuid()) return true;
    if (!access.group) return false;
    if (peer.gid == *access.group) return true;
    gid_t primary = 0;
    const auto name = user_name(peer.uid, &primary);
    if (!name) return false;
    int count = 64;
    std::vector<gid_t> groups(static_cast<std::size_t>(count));
    if (getgrouplist(name->c_str(), primary, groups.data(), &count) < 0) {
        groups.resize(static_cast<std::size_t>(count));
        if (getgrouplist(name->c_str(), primary, groups.data(), &count) < 0) return false;
    }
    groups.resize(static_cast<std::size_t>(count));
    for (gid_t g : groups)
        if (g == *access.group) return true;
    return false;
}

ReviewerIdentity identify_reviewer(const PeerCredentials& peer) {
    ReviewerIdentity who;
    who.uid = peer.uid;
    who.pid = peer.pid;
    who.user = user_name(peer.uid).value_or("uid " + std::to_string(peer.uid));
    return who;
}

Json handle_review_request(ReviewHandler& handler, const Json& request, const ReviewerIdentity& peer) {
    const Json* id = request.contains("id") ? &request["id"] : nullptr;
    auto ok = [&](Json reply) {
        if (id) reply["id"] = *id;
        reply["ok"] = true;
        return reply;
    };
    try {
        const std::string type = string_field(request, "type", true);
        ReviewerIdentity who = peer;
        who.reviewer = string_field(request, "reviewer", false);
        who.via = string_field(request, "via", false);
        if (who.reviewer.size() > 64) throw BadRequest{"reviewer: longer than 64 bytes"};
        if (who.via.size() > 32) throw BadRequest{"via: longer than 32 bytes"};
        if (!who.via.empty() && who.reviewer.empty()) throw BadRequest{"via: given without reviewer"};
        if (type == "observation")
            return ok({{"observation", handler.observation(string_field(request, "approval", true))}});
        if (type == "audit") {
            std::size_t last = 200;
            if (request.contains("last")) {
                const Json& n = request["last"];
                if (!n.is_number_integer() || n.get<std::int64_t>() < 0) throw BadRequest{"last: expected a count"};
                last = static_cast<std::size_t>(std::min<std::int64_t>(n.get<std::int64_t>(), 2000));
            }
            return ok({{"audit", handler.audit(last)}});
        }
        if (type == "kept_screenshot")
            return ok({{"screenshot", handler.kept_screenshot(string_field(request, "name", true))}});
        if (type == "approvals") return ok({{"approvals", handler.list_approvals()}});
        if (type == "status") return ok({{"status", handler.status()}});
        if (type == "verify") return ok({{"verification", handler.verify(who)}});
        if (type == "collect") return ok({{"collected", handler.collect(who)}});
        if (type == "approve" || type == "deny") {
            const std::string approval = string_field(request, "approval", true);
            const std::string note = string_field(request, "note", false);
            if (type == "approve")
                handler.approve(approval, who, note);
            else
                handler.deny(approval, who, note);
            return ok(Json::object());
        }
        const std::string note = string_field(request, "note", false);
        if (type == "takeover") return ok({{"takeover", handler.takeover(who, note)}});
        if (type == "pause")
            handler.pause(who, note);
        else if (type == "resume")
            handler.resume(who, note);
        else if (type == "stop")
            handler.stop(who, note);
        else if (type == "handback")
            handler.handback(who, note);
        else
            return make_error_reply("unknown_type",
                                    "unknown request type '" + type +
                                        "' (expected approvals, observation, audit, kept_screenshot, approve, deny, "
                                        "pause, resume, stop, takeover, handback, status, verify or collect)",
                                    id);
        return ok(Json::object());
    } catch (const BadRequest& e) {
        return make_error_reply("bad_request", e.message, id);
    } catch (const NotFoundError& e) {
        return make_error_reply("not_found", e.what(), id);
    } catch (const Error& e) {
        return make_error_reply("failed", e.what(), id);
    }
}

ReviewServer::ReviewServer(EventLoop& loop, const std::string& socket_path, ReviewHandler& handler, ReviewAccess access)
    : handler_(handler), access_(access) {
    server_ = std::make_unique<JsonlServer>(
        loop, socket_path, SocketAccess{access_.mode, access_.group}, JsonlLimits{64 << 10, 8, 8 << 20, 4},
        [this](const std::shared_ptr<JsonlConnection>& connection, Json request) {
            const Json approval = request.value("approval", Json());
            const bool observation = request.value("type", Json()) == "observation" && approval.is_string();
            auto answer = [this, connection, request = std::move(request)] {
                connection->reply(handle_review_request(handler_, request, identify_reviewer(connection->peer())));
            };
            // An approval's picture may still be being taken: its request waits for it.
            if (observation) return handler_.when_observation_ready(approval.get<std::string>(), std::move(answer));
            answer();
        },
        [this](const PeerCredentials& peer) -> std::string {
            if (reviewer_allowed(peer, access_)) return {};
            return "uid " + std::to_string(peer.uid) + " may not review this session";
        });
    // A reviewer's stop or pause is heard even while an accessibility query
    // holds the loop (docs/session.md, "The kill switch").
    server_->make_urgent();
}

}  // namespace deskbox
