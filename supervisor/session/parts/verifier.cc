#include "supervisor/session/parts/verifier.h"

#include <functional>
#include <memory>
#include <optional>

#include "supervisor/base/event_loop.h"
#include "supervisor/base/units.h"
#include "supervisor/session/host_command.h"
#include "supervisor/session/spreadsheet_check.h"
#include "supervisor/session/verify_windows.h"
#include "xsession/a11y/a11y_lookups.h"

namespace deskbox {
namespace {

// How long one turn of the loop may take while a check waits for an answer
// (the accessibility helper's own reply timeout ends the wait).
constexpr Millis kWaitSlice{100};

// Asks a question that is answered from the loop (`ask` gets the callback) and
// turns the session's loop until the answer comes, as a verify command's wait
// does: agents, reviewers and the kill switch are served meanwhile. A new stop
// request abandons the wait; the late answer then goes to a value nobody reads.
template <class T>
T wait_on_loop(EventLoop& loop, const std::function<bool()>& stop_asked,
               const std::function<void(std::function<void(T)>)>& ask) {
    auto answer = std::make_shared<std::optional<T>>();
    ask([answer](T got) { *answer = std::move(got); });
    std::optional<T>& got = *answer;
    while (!got) {
        if (stop_asked()) throw Error("interrupted: the session is stopping");
        loop.run_once(kWaitSlice);
    }
    return std::move(*got);
}

}  // namespace

VerifierPart::VerifierPart(const VerifierParts& parts, SessionControl& control) : parts_(parts), control_(control) {
    parts_.gate.gate().on_verify([this](const Reviewer& by) { return verify_now(reviewer_json(by)); });
}

VerifierPart::~VerifierPart() {
    parts_.gate.gate().on_verify({});
}

VerifyOutcome VerifierPart::run_checks() {
    // Host commands are waited for by running the session's loop, which serves
    // the review socket meanwhile: a second `verify` must not nest in the first.
    if (running_) throw Error("a verification is already running");
    // Served from inside an action's accessibility query (the kill switch's
    // path): the checks would need the same helper and the same loop.
    if (control_.loop().in_urgent_wait())
        throw Error("an action is waiting for the accessibility helper; ask for verify again in a moment");
    running_ = true;
    struct Done {
        bool& flag;
        ~Done() { flag = false; }
    } done{running_};
    const std::uint64_t stops_before = control_.stop_requests();
    auto stop_asked = [this, stops_before] { return control_.stop_requests() != stops_before; };
    DesktopPart& desktop = parts_.desktop;
    const SandboxFiles& files = parts_.files.files();
    VerifyEnvironment env;
    // The home or /tmp, no link followed (sandbox_files.h), at most 1 MiB.
    env.read_file = [&files](const std::string& path) { return files.read(path, 1 << 20); };
    if (a11y::A11yLookups* lookups = desktop.executor().loop_lookups()) {
        env.find_elements = [this, lookups, stop_asked](const ElementTarget& target) {
            return wait_on_loop<a11y::Looked<a11y::FindResult>>(
                       control_.loop(), stop_asked, [&](auto answer) { lookups->find(target, std::move(answer)); })
                .value_or_throw();
        };
    }
    env.current_url = [this, &desktop, stop_asked] {
        a11y::A11yLookups* lookups = desktop.executor().loop_lookups();
        if (!lookups) throw Error("accessibility is not available in this session: the browser's URL cannot be read");
        std::string url = wait_on_loop<std::string>(control_.loop(), stop_asked, [&](auto answer) {
            desktop.executor().focused_browser_url_later(std::move(answer));
        });
        if (!url.empty()) return url;
        // Not focused (a dialog, another app): the browser document that shows.
        const auto showing = wait_on_loop<a11y::Looked<a11y::BrowserContext>>(
            control_.loop(), stop_asked, [&](auto answer) { lookups->browser_context({}, {}, std::move(answer)); });
        return showing.value ? showing.value->url : std::string();
    };
    env.windows = [&desktop] { return verify_windows(desktop.x()); };
    env.spreadsheet_csv = [this, &files, stop_asked](const VerifyCheck& check) {
        OfficeConverter office{control_.loop(), parts_.sandbox.spawner(), parts_.display.env(), files, stop_asked};
        return convert_sheet_to_csv(office, check);
    };
    env.run_command = [this, stop_asked](const VerifyCheck& check) {
        if (interrupted_) throw Error("not run: a stop request interrupted an earlier verify command");
        HostCommandOptions options;
        options.timeout = check.timeout;
        // As much as the audit log records of one string: the record and the reply agree.
        options.max_output = kMaxRecordedText;
        options.interrupted = stop_asked;
        HostCommandResult result = run_host_command(control_.loop(), check.command, options);
        if (result.end == HostCommandResult::End::Interrupted) interrupted_ = true;
        return result;
    };
    return run_verify_checks(parts_.plan.manifest.verify, env);
}

nlohmann::json VerifierPart::verify_now(const nlohmann::json& requested_by) {
    AuditLog& log = parts_.audit.log();
    try {
        const VerifyOutcome outcome = run_checks();
        nlohmann::json results = nlohmann::json::array();
        for (auto r : outcome.results) {
            if (!requested_by.is_null()) r["requested_by"] = requested_by;
            log.append("verification", r, Durability::Sync);
            // The reviewer sees what the log keeps: a command's output can hold a secret.
            log.redactor().redact_json(r);
            results.push_back(std::move(r));
        }
        return {{"passed", outcome.passed}, {"results", std::move(results)}};
    } catch (const Error& e) {
        nlohmann::json r = {{"error", e.what()}};
        if (!requested_by.is_null()) r["requested_by"] = requested_by;
        log.append("verification", r, Durability::Sync);
        return {{"passed", false}, {"error", e.what()}, {"results", nlohmann::json::array()}};
    }
}

void EndChecksPart::stop() {
    if (!verifier_.verify_now(nullptr).at("passed").get<bool>()) control_.fail_with(3);
}

}  // namespace deskbox
