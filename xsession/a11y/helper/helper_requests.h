// The deskbox-a11y helper's requests: one JSON object per line in, one bounded
// JSON object per line out ({"seq": N, "ok": true, ...} or {"ok": false, "error": ...}).
//   ping                                      -> {"pong": true}
//   tree {limits, prune_hidden, app}          -> {"elements": [...], "truncated", "reason"}
//   find {target, limits}                     -> {"elements": matches (parent -1), "truncated", "reason"}
//   hit_test {x, y}                           -> {"elements": chain from the application to the deepest element}
//   focused                                   -> {"elements": [the element with keyboard focus]} or []
//   action {path, action, text, expect}       -> {"done": "press"}
//   browser_context {app?, window?}           -> {"url", "title", "app"} (of that app and top-level window)
//   wait_event {since, timeout_ms}            -> {"events": N} once more than `since` AT-SPI events
//                                                 (windows, children, showing, loads) have arrived, or at the timeout
// Every reply carries "events": the count so far, for the next wait_event.
#pragma once

#include <string>
#include <string_view>

namespace deskbox::a11y {

// Handles one request line and returns the reply line (without the newline).
// Never throws: bad requests get {"ok": false, "error": ...}.
std::string handle_request(std::string_view line);

// Registers the AT-SPI event listeners that wait_event counts. Call once after atspi_init().
void start_event_counting();

}  // namespace deskbox::a11y
