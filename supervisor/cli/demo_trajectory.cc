#include "supervisor/cli/demo_trajectory.h"

#include <fstream>
#include <set>
#include <sstream>

#include "supervisor/base/error.h"

namespace deskbox {

namespace {

class Reader {
public:
    explicit Reader(const std::filesystem::path& file) : file_(file.string()) {}

    [[noreturn]] void fail(const std::string& path, const std::string& message) const {
        throw InputError(file_, 0, 0, (path.empty() ? "" : path + ": ") + message);
    }

    // Refuses fields outside `known` (a typo must not silently change the demo).
    void only(const Json& object, const std::string& path, const std::set<std::string>& known) const {
        if (!object.is_object()) fail(path, "must be an object");
        for (const auto& [key, value] : object.items())
            if (!known.contains(key)) fail(path, "unknown field '" + key + "'");
    }

    std::string text(const Json& object, const std::string& path, const char* key, bool required) const {
        if (!object.contains(key)) {
            if (required) fail(path, "missing field '" + std::string(key) + "'");
            return {};
        }
        if (!object[key].is_string()) fail(path + "." + key, "must be a string");
        return object[key].get<std::string>();
    }

    const Json& array(const Json& object, const std::string& path, const char* key) const {
        if (!object.contains(key) || !object[key].is_array() || object[key].empty())
            fail(path.empty() ? key : path + "." + key, "must be a non-empty array");
        return object[key];
    }

private:
    std::string file_;
};

DemoStep parse_step(const Reader& r, const Json& j, const std::string& path) {
    r.only(j, path, {"say", "await", "await_focus", "block", "expect", "refusal", "review"});
    DemoStep step;
    step.say = r.text(j, path, "say", true);
    step.await = r.text(j, path, "await", false);
    if (j.contains("await_focus")) {
        const Json& p = j["await_focus"];
        if (!p.is_array() || p.size() != 2 || !p[0].is_number_integer() || !p[1].is_number_integer())
            r.fail(path + ".await_focus", "must be a point [x, y]");
        step.await_focus = std::pair{p[0].get<int>(), p[1].get<int>()};
    }
    if (!j.contains("block") || !j["block"].is_object())
        r.fail(path + ".block", "must be an object (the agent's request)");
    step.block = j["block"];
    const std::string expect = r.text(j, path, "expect", true);
    if (expect != "ok" && expect != "refused") r.fail(path + ".expect", "must be ok or refused, not '" + expect + "'");
    step.expect_ok = expect == "ok";
    step.refusal = r.text(j, path, "refusal", false);
    if (step.expect_ok && !step.refusal.empty()) r.fail(path + ".refusal", "only for expect: refused");
    if (j.contains("review")) {
        const std::string rp = path + ".review";
        r.only(j["review"], rp, {"decide", "note"});
        const std::string decide = r.text(j["review"], rp, "decide", true);
        if (decide != "approve" && decide != "deny")
            r.fail(rp + ".decide", "must be approve or deny, not '" + decide + "'");
        step.review = DemoReview{decide == "approve", r.text(j["review"], rp, "note", true)};
    }
    return step;
}

}  // namespace

DemoTrajectory parse_demo_trajectory(const std::string& text, const std::filesystem::path& file) {
    const Reader r(file);
    Json j;
    try {
        j = Json::parse(text);
    } catch (const Json::parse_error& e) {
        r.fail("", std::string("not JSON: ") + e.what());
    }
    r.only(j, "", {"task", "site", "expected_exit", "steps", "outcomes"});
    DemoTrajectory t;
    t.task = r.text(j, "", "task", true);
    if (!j.contains("site")) r.fail("", "missing field 'site'");
    r.only(j["site"], "site", {"user", "password"});
    t.site_user = r.text(j["site"], "site", "user", true);
    t.site_password = r.text(j["site"], "site", "password", true);
    if (!j.contains("expected_exit") || !j["expected_exit"].is_number_integer())
        r.fail("expected_exit", "must be the session's exit code (an integer)");
    t.expected_exit = j["expected_exit"].get<int>();
    const Json& steps = r.array(j, "", "steps");
    for (std::size_t i = 0; i < steps.size(); ++i)
        t.steps.push_back(parse_step(r, steps[i], "steps[" + std::to_string(i) + "]"));
    const Json& outcomes = r.array(j, "", "outcomes");
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
        const std::string path = "outcomes[" + std::to_string(i) + "]";
        r.only(outcomes[i], path, {"scenario", "audit"});
        DemoOutcome o{r.text(outcomes[i], path, "scenario", true), {}};
        for (const Json& line : r.array(outcomes[i], path, "audit")) {
            if (!line.is_string()) r.fail(path + ".audit", "must hold strings");
            o.audit.push_back(line.get<std::string>());
        }
        t.outcomes.push_back(std::move(o));
    }
    return t;
}

DemoTrajectory load_demo_trajectory(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw Error("cannot read the demo trajectory " + file.string());
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_demo_trajectory(ss.str(), file);
}

}  // namespace deskbox
