// The agent's side of reviewer-view tests: an agent.sock client that paces
// itself under the session's rate limit and reads back what the app shows
// (its one editable text element, the pointer), so that a test can tell
// whether input from elsewhere (a VNC viewer) reached the app.
#pragma once

#include <string>
#include <utility>

#include "supervisor/control/agent_client.h"
#include "xsession/capture/codecs.h"

namespace deskbox::test {

class AgentProbe {
public:
    explicit AgentProbe(const std::string& socket) : client_(socket) {}
    // One request; the reply whatever it says (a refusal included).
    Json call_raw(Json request);
    // One request that must succeed; throws Error with the reply otherwise.
    Json call(Json request);
    // `settle`: once the screen stopped changing (the executor's capped wait).
    RgbImage screenshot(bool settle);
    std::pair<int, int> cursor();
    // The text of the one editable text element.
    std::string text();
    // Polls (each poll a round trip to the app, at most 60 s) until text() answers.
    void wait_for_text_element();
    // Polls until the app's text contains `marker` (at most 30 s); returns the text.
    std::string text_with(const std::string& marker);

private:
    AgentClient client_;
    int id_ = 0;
};

}  // namespace deskbox::test
