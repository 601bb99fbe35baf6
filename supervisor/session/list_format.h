// What `deskbox list` shows: one stable JSON object per session (the schema
// of `deskbox list --json`, documented in docs/session.md "Listing
// sessions"), and the aligned table made from those same objects, so the two
// views never disagree. Pure functions: `now` is given (unix seconds).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "supervisor/session/session_list.h"

namespace deskbox {

// The schema's version in `deskbox list --json` ("schema": 1); raised only when a
// field changes meaning or goes away (new fields may be added).
inline constexpr int kListSchemaVersion = 1;

// One session as the schema says. Every key is always present; unknown values are null.
// state: status.json's state (starting | running | stopping | ended | failed) for a live
// session, "stale" when its supervisor is gone, "no access" when the caller may not
// read its status, "unknown" when the status is missing or unreadable.
nlohmann::json list_entry(const ListedSession& s, std::int64_t now);

// {"schema": 1, "sessions": [entries]}.
nlohmann::json list_document(const std::vector<nlohmann::json>& entries);

// An aligned table with a header line; "no sessions" when empty.
std::string format_list_table(const std::vector<nlohmann::json>& entries, std::int64_t now);

// "42s", "5m03s", "2h07m", "3d04h": an uptime in two units at most.
std::string format_uptime(std::int64_t seconds);

}  // namespace deskbox
