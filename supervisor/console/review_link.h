// The console's only way into a session: its review.sock (and status.json,
// read through the session listing). Each call is one connection, one
// request, one reply, named as the logged-in reviewer via "console"
// (review_server.h); agent.sock is never opened.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "supervisor/control/jsonl_channel.h"
#include "supervisor/session/session_list.h"

namespace deskbox::console {

// The listed session called `name`, if the console can see it.
std::optional<ListedSession> find_listed_session(const std::string& name);

// Sends `request` to `dir`/review.sock as `reviewer` via the console and
// returns the reply. Throws deskbox::Error when the socket cannot be reached
// or the reply is not JSON.
Json review_call(const std::filesystem::path& dir, Json request, const std::string& reviewer);

// The reply's error text ("" when ok).
std::string review_error(const Json& reply);

}  // namespace deskbox::console
