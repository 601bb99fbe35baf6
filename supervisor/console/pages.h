// The console's pages, rendered on the server as plain HTML (escaped
// throughout: everything shown comes from sessions and may be hostile). The
// only script is /static/console.js; nothing is loaded from elsewhere.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace deskbox::console {

struct PageContext {
    std::string reviewer;  // who is logged in
    std::string csrf;      // goes into every form
};

// Title, the reviewer's bar (with logout) when logged in, and the body.
std::string page_layout(const std::string& title, const PageContext* who, const std::string& body);
std::string login_page(const std::string& error);
// A short page: a heading, escaped text, a link back.
std::string message_page(const PageContext& who, const std::string& title, const std::string& text,
                         const std::string& back);

// The sessions on the host: entries of list_entry() with "taint_cause" added.
std::string sessions_page(const PageContext& who, const std::vector<nlohmann::json>& entries);

// One session: its entry, review.sock's approvals and audit replies
// ({"records","verification"}); `live_view` adds the noVNC view, with input
// when `in_control` (this reviewer took control here).
std::string session_page(const PageContext& who, const nlohmann::json& entry, const nlohmann::json& approvals,
                         const nlohmann::json& audit, bool live_view, bool in_control = false);
// The parts session_page is made of, also served alone for live updates.
std::string approvals_section(const PageContext& who, const std::string& session, const nlohmann::json& approvals);
std::string timeline_section(const std::string& session, const nlohmann::json& audit);

// The intended change of a pending approval in words: label -> text pairs.
std::vector<std::pair<std::string, std::string>> approval_words(const nlohmann::json& approval);

}  // namespace deskbox::console
