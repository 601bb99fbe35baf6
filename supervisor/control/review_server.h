// The reviewer socket, <session dir>/review.sock: a JSON-lines server separate
// from the agent socket, for people (deskbox approvals / approve / deny /
// pause / resume / stop). Nothing here is reachable from agent.sock: the agent
// server has no handler for these requests, and this socket has its own
// file permissions (chosen by the session, supervisor/session/session_access.h):
//   - supervisor running as root and group "deskbox-review" exists:
//     root:deskbox-review 0660 (members of the group may review);
//   - otherwise: 0600, owned by the supervisor's user.
// Each peer is identified with SO_PEERCRED (uid, pid, user name) and checked
// again on connect (root, the supervisor's own uid, or the review group);
// that identity is what the audit log records for approvals and controls.
//
// Requests (one JSON object per line; "id" is echoed):
//   {"type":"approvals"}                               -> {"ok":true,"approvals":[...]}
//   {"type":"approve","approval":"A1","note":"..."}    -> {"ok":true}
//   {"type":"deny","approval":"A1","note":"..."}       -> {"ok":true}
//   {"type":"pause"|"resume"|"stop","note":"..."}      -> {"ok":true}
//   {"type":"status"}                                  -> {"ok":true,"status":{...}}
//   {"type":"verify"}                                  -> {"ok":true,"verification":{"passed":B,"results":[...]}}
//   {"type":"collect"}                                 -> {"ok":true,"collected":{"folder":F,"files":[...]}}
//   {"type":"observation","approval":"A1"}             ->
//   {"ok":true,"observation":{"png_base64":S,"box":{x,y,width,height}|null}}
//   (answered once the picture is taken: ReviewHandler::when_observation_ready)
//   {"type":"audit","last":N}                          -> {"ok":true,"audit":{"records":[...newest
//   N],"verification":{...}}}
//   {"type":"kept_screenshot","name":"<sha256>.png"}   -> {"ok":true,"screenshot":{"mime":M,"base64":S}}
//   {"type":"takeover","note":"..."}                   -> {"ok":true,"takeover":{"socket":PATH,"password":P}}
//   {"type":"handback","note":"..."}                   -> {"ok":true}
// Any request may carry "reviewer":NAME and "via":CHANNEL (a front end such as
// the web console naming the person it speaks for); approvals and controls
// then record {"reviewer":NAME,"via":CHANNEL} beside the peer's identity.
// Errors: {"ok":false,"error":{"code":C,"message":M}} with codes bad_request,
// unknown_type, not_found (no such pending approval), failed.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "supervisor/base/error.h"
#include "supervisor/control/jsonl_server.h"

namespace deskbox {

// A request named something that does not exist (an approval id).
class NotFoundError : public Error {
public:
    using Error::Error;
};

struct ReviewerIdentity {
    uid_t uid = static_cast<uid_t>(-1);
    pid_t pid = -1;
    std::string user;  // login name, or "uid N" when the uid has none
    // Named by the request ("reviewer", "via"): the person a front end such as
    // the web console speaks for. Only peers allowed to review reach the
    // handler at all, so the field is honoured from any of them; the peer's
    // own uid is recorded beside it.
    std::string reviewer;
    std::string via;
};

// What the reviewer socket drives; the session implements it (through the
// audited gate). Throwing NotFoundError for an unknown approval id gives the
// client "not_found"; any other deskbox::Error gives "failed" with its text.
class ReviewHandler {
public:
    virtual ~ReviewHandler() = default;
    virtual Json list_approvals() = 0;  // a JSON array
    virtual void approve(const std::string& id, const ReviewerIdentity& who, const std::string& note) = 0;
    virtual void deny(const std::string& id, const ReviewerIdentity& who, const std::string& note) = 0;
    virtual void pause(const ReviewerIdentity& who, const std::string& note) = 0;
    virtual void resume(const ReviewerIdentity& who, const std::string& note) = 0;
    virtual void stop(const ReviewerIdentity& who, const std::string& note) = 0;
    virtual Json status() = 0;
    // Runs the manifest's verify checks now (audited with who asked); returns
    // {"passed": bool, "results": [{check, passed, detail}...]}.
    virtual Json verify(const ReviewerIdentity& who) = 0;
    // Copies the manifest's `collect` files out of the sandbox now (each
    // audited with its sha256); returns {"folder": F, "files": [...]}.
    virtual Json collect(const ReviewerIdentity& who) = 0;
    // The redacted screenshot kept when approval `id` was asked for, with the
    // target's box: {"png_base64", "width", "height", "box"}. NotFoundError
    // when not pending or nothing was kept.
    virtual Json observation(const std::string& id) = 0;
    // Calls `ready` once approval `id`'s picture can be answered: at once, or
    // when it is taken (the session asks the accessibility helper for the
    // password fields without holding the loop). The server answers an
    // "observation" request then.
    virtual void when_observation_ready(const std::string& id, std::function<void()> ready) {
        (void)id;
        ready();
    }
    // Takeover (docs/review.md): this reviewer takes control; the agent is
    // refused until handback. Returns how to reach the display with input, for
    // this reviewer alone: {"socket": PATH, "password": P}. Refused (Error)
    // when the manifest does not allow it or someone already has control.
    virtual Json takeover(const ReviewerIdentity& who, const std::string& note) = 0;
    // Ends the takeover (any reviewer may; the record names who); the agent resumes.
    virtual void handback(const ReviewerIdentity& who, const std::string& note) = 0;
    // The newest `last` audit records (oldest first) and the whole log's
    // hash-chain verification {"ok","records","problem","last_seq"}.
    virtual Json audit(std::size_t last) = 0;
    // A screenshot kept beside the log (an observation record's `kept_as`):
    // {"mime", "base64"}. NotFoundError when the session keeps none or has
    // no such file; Error when the name is not one the gate writes.
    virtual Json kept_screenshot(const std::string& name) = 0;
};

// Permissions of the socket file and who may connect.
struct ReviewAccess {
    mode_t mode = 0600;
    std::optional<gid_t> group;  // the review group, when the socket is shared with it
};

// May this peer review? Root, our own uid, or a member of the review group.
bool reviewer_allowed(const PeerCredentials& peer, const ReviewAccess& access);
ReviewerIdentity identify_reviewer(const PeerCredentials& peer);

// Pure request handling (exposed for unit tests): one request in, one reply out.
Json handle_review_request(ReviewHandler& handler, const Json& request, const ReviewerIdentity& who);

class ReviewServer {
public:
    ReviewServer(EventLoop& loop, const std::string& socket_path, ReviewHandler& handler, ReviewAccess access);
    const std::string& path() const { return server_->path(); }
    void close_all(const std::string& reason) { server_->close_all(reason); }

private:
    ReviewHandler& handler_;
    ReviewAccess access_;
    std::unique_ptr<JsonlServer> server_;
};

}  // namespace deskbox
