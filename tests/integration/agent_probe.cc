#include "tests/integration/agent_probe.h"

#include <chrono>
#include <regex>
#include <thread>
#include <vector>

#include "supervisor/base/error.h"
#include "supervisor/control/base64.h"

namespace deskbox::test {

Json AgentProbe::call_raw(Json request) {
    // The session's rate limit (actions per second) refuses a burst: proposed
    // again when the session says its bucket has refilled.
    request["id"] = ++id_;
    return client_.call_paced(request);
}

Json AgentProbe::call(Json request) {
    const Json reply = call_raw(request);
    if (!reply.value("ok", false)) throw Error("agent request " + request.dump() + " failed: " + reply.dump());
    return reply;
}

RgbImage AgentProbe::screenshot(bool settle) {
    const Json reply = call({{"action", "screenshot"}, {"format", "png"}, {"settle", settle}});
    std::string png;
    if (!base64_decode(reply.at("result").at("image").at("data").get<std::string>(), png))
        throw Error("the agent's screenshot is not base64");
    return decode_png(png);
}

std::pair<int, int> AgentProbe::cursor() {
    const Json reply = call({{"action", "cursor_position"}});
    std::smatch m;
    const std::string text = reply.dump();
    if (!std::regex_search(text, m, std::regex("X=(\\d+),Y=(\\d+)"))) throw Error("no cursor position in " + text);
    return {std::stoi(m[1]), std::stoi(m[2])};
}

std::string AgentProbe::text() {
    const Json reply = call({{"action", "tree"}, {"role", "text"}});
    std::vector<std::string> texts;
    for (const auto& e : reply.at("result").at("data").at("elements"))
        if (e.value("editable", false)) texts.push_back(e.value("text", ""));
    if (texts.size() != 1)
        throw Error("expected one editable text element in the app, found " + std::to_string(texts.size()));
    return texts[0];
}

void AgentProbe::wait_for_text_element() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
        try {
            text();
            return;
        } catch (const Error&) {
            if (std::chrono::steady_clock::now() > deadline) throw;
        }
    }
}

std::string AgentProbe::text_with(const std::string& marker) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    for (;;) {
        const std::string now = text();
        if (now.find(marker) != std::string::npos) return now;
        if (std::chrono::steady_clock::now() > deadline)
            throw Error("the agent typed '" + marker + "' but the app's text is still '" + now + "'");
    }
}

}  // namespace deskbox::test
