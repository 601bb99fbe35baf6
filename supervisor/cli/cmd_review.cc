// The reviewer's commands, over <session dir>/review.sock:
//   deskbox approvals -s NAME                 pending proposals
//   deskbox approve|deny -s NAME ID [--note]  answer one
//   deskbox pause|resume|stop -s NAME         control the session (stop: the kill switch)
//   deskbox stop --all                        stop every session the caller may stop (an operator's)
//   deskbox verify -s NAME                    run the manifest's verify checks now
//   deskbox collect -s NAME                   copy the manifest's collect files out now
//   deskbox takeover|handback -s NAME         take control over VNC (audited), give it back
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include "supervisor/audit/audit_timeline.h"
#include "supervisor/base/error.h"
#include "supervisor/cli/cli.h"
#include "supervisor/cli/commands.h"
#include "supervisor/control/agent_client.h"
#include "supervisor/session/list_format.h"
#include "supervisor/session/paths.h"
#include "supervisor/session/session_list.h"
#include "xsession/vnc/vnc_password.h"

namespace deskbox {

namespace {

struct ReviewOptions {
    std::string session;
    std::string socket;  // overrides the session's review.sock (tests, unusual layouts)
    std::string id;
    std::string note;
    bool json = false;
    bool all = false;           // stop --all
    std::string password_file;  // takeover: where the one-time VNC password goes
};

std::string review_socket(const ReviewOptions& o) {
    if (!o.socket.empty()) return o.socket;
    validate_session_name(o.session);
    return (find_session_dir(o.session) / "review.sock").string();
}

// The session's refusal in `reply`, or "" when it says ok.
std::string refusal(const Json& reply) {
    if (reply.value("ok", false)) return "";
    const Json error = reply.value("error", Json::object());
    return error.is_object() ? error.value("message", reply.dump()) : reply.dump();
}

// Sends one request; prints the error and returns 1 when refused.
int call(const ReviewOptions& o, const Json& request, Json* reply_out, const char* command) {
    AgentClient client(review_socket(o));
    const Json reply = client.call(request);
    if (const std::string why = refusal(reply); !why.empty()) {
        std::cerr << "deskbox " << command << ": " << why << "\n";
        return kExitFailure;
    }
    if (reply_out) *reply_out = reply;
    return kExitOk;
}

// Why `deskbox stop --all` leaves a listed session alone, or "" to stop it.
std::string skip_reason(const Json& entry, const std::string& socket) {
    if (entry["live"] != true) return "its supervisor is gone";
    const Json& state = entry["state"];
    if (state == "stopping" || state == "ended" || state == "failed") return "already ending";
    if (access(socket.c_str(), W_OK) != 0 && errno == EACCES)
        return "no access to its review.sock (system sessions: root and the deskbox-review group)";
    return "";
}

// stop --all: one line per session, then a count; exit 1 when any stop failed.
int stop_all(const ReviewOptions& o) {
    const std::int64_t now = std::time(nullptr);
    int stopped = 0, failed = 0, skipped = 0;
    for (const ListedSession& s : list_sessions()) {
        const std::string socket = (s.dir / "review.sock").string();
        const std::string label = s.name + " (" + s.dir.string() + ")";
        if (const std::string why = skip_reason(list_entry(s, now), socket); !why.empty()) {
            std::cout << label << ": skipped, " << why << "\n";
            ++skipped;
            continue;
        }
        Json request = {{"type", "stop"}};
        if (!o.note.empty()) request["note"] = o.note;
        std::string error;
        try {
            error = refusal(AgentClient(socket).call(request));
        } catch (const Error& e) {
            error = e.what();
        }
        if (error.empty()) {
            std::cout << label << ": stopped\n";
            ++stopped;
        } else {
            std::cout << label << ": FAILED, " << error << "\n";
            ++failed;
        }
    }
    std::cout << stopped << " stopped, " << failed << " failed, " << skipped << " skipped\n";
    return failed > 0 ? kExitFailure : kExitOk;
}

std::string seconds(const Json& ms) {
    if (!ms.is_number()) return "?";
    return std::to_string(ms.get<std::int64_t>() / 1000) + "s";
}

// One line per check; returns whether all passed.
bool print_verification(const Json& v) {
    if (v.contains("error")) std::cout << "could not run the checks: " << v["error"].get<std::string>() << "\n";
    const Json results = v.value("results", Json::array());
    if (results.empty() && !v.contains("error")) std::cout << "the manifest has no verify checks\n";
    for (const Json& r : results) {
        std::cout << (r.value("passed", false) ? "pass  " : "FAIL  ") << r.value("check", "?");
        if (r.contains("line")) std::cout << " (manifest line " << r["line"].dump() << ")";
        if (!r.value("detail", "").empty()) std::cout << ": " << r.value("detail", "");
        std::cout << "\n";
    }
    return v.value("passed", false);
}

// One line per file.
void print_collected(const Json& c) {
    const Json files = c.value("files", Json::array());
    if (files.empty()) std::cout << "the manifest has no collect entries\n";
    for (const Json& f : files) {
        const bool copied = f.value("copied", false);
        std::cout << (copied ? "copied  " : "FAILED  ") << f.value("path", "?");
        if (copied)
            std::cout << " -> " << f.value("to", "?") << " (" << f["size"].dump() << " bytes, sha256 "
                      << f.value("sha256", "?") << ")";
        else
            std::cout << ": " << f.value("error", "?");
        std::cout << "\n";
    }
}

void print_approvals(const Json& list) {
    if (!list.is_array() || list.empty()) {
        std::cout << "no pending approvals\n";
        return;
    }
    for (const Json& a : list) {
        std::cout << a.value("id", "?") << "  rule '" << a.value("rule", "?") << "', waiting "
                  << seconds(a.value("waiting_ms", Json())) << ", denied in "
                  << seconds(a.value("expires_in_ms", Json())) << "\n";
        const Json proposal = a.value("proposal", Json::object());
        std::cout << "    " << summarize_audit_record({{"type", "proposal"}, {"data", proposal}}) << "\n";
        if (proposal.contains("reason")) std::cout << "    " << proposal["reason"].get<std::string>() << "\n";
        // OpenAI safety checks: approving acknowledges them on the agent's behalf.
        const Json action = proposal.value("action", Json::object());
        for (const Json& c : action.value("safety_checks", Json::array()))
            std::cout << "    safety check " << c.value("id", "?") << " [" << c.value("code", "")
                      << "]: " << c.value("message", "") << "\n";
        if (proposal.value("tainted", false)) std::cout << "    the session is tainted (see deskbox status)\n";
    }
}

CLI::App* add_review_subcommand(CLI::App& app, const char* name, const char* help,
                                std::shared_ptr<ReviewOptions> opts) {
    CLI::App* cmd = app.add_subcommand(name, help);
    cmd->add_option("-s,--session", opts->session, kSessionOptionHelp);
    cmd->add_option("--socket", opts->socket, "Reviewer socket path (default: the session's review.sock)");
    return cmd;
}

// Where `deskbox takeover` writes the password when not told: the caller's
// runtime dir, else their home (the file is 0600 either way).
std::string default_password_file(const std::string& session) {
    const std::string file = "deskbox-takeover-" + (session.empty() ? std::string("session") : session) + ".passwd";
    if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg) return std::string(xdg) + "/" + file;
    if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/." + file;
    return file;
}

int require_session(const ReviewOptions& o, const char* command) {
    if (o.session.empty() && o.socket.empty()) {
        std::cerr << "deskbox " << command << ": --session NAME is required\n";
        return kExitUsage;
    }
    return kExitOk;
}

}  // namespace

void add_review_commands(CLI::App& app, CommandAction& selected) {
    {
        auto opts = std::make_shared<ReviewOptions>();
        CLI::App* cmd = add_review_subcommand(app, "approvals", "List proposals waiting for a reviewer", opts);
        cmd->add_flag("--json", opts->json, "Print the list as JSON");
        cmd->footer("Exit codes: 0 listed, 1 the session refused or is not running, 64 bad command line.");
        cmd->callback([opts, &selected] {
            selected = [opts]() -> int {
                if (int rc = require_session(*opts, "approvals")) return rc;
                Json reply;
                if (int rc = call(*opts, {{"type", "approvals"}}, &reply, "approvals")) return rc;
                if (opts->json)
                    std::cout << reply["approvals"].dump(2) << "\n";
                else
                    print_approvals(reply["approvals"]);
                return kExitOk;
            };
        });
    }
    for (const char* verb : {"approve", "deny"}) {
        auto opts = std::make_shared<ReviewOptions>();
        const bool approve = std::string(verb) == "approve";
        CLI::App* cmd = add_review_subcommand(
            app, verb, approve ? "Approve a pending proposal (it runs)" : "Deny a pending proposal (it never runs)",
            opts);
        cmd->add_option("id", opts->id, "Approval id, as 'deskbox approvals' lists it (A1, A2, ...)")->required();
        cmd->add_option("--note", opts->note, "A note kept in the audit log with your name");
        cmd->footer("Exit codes: 0 done, 1 no such pending approval or the session is not running.");
        cmd->callback([opts, verb, &selected] {
            selected = [opts, verb]() -> int {
                if (int rc = require_session(*opts, verb)) return rc;
                Json request = {{"type", verb}, {"approval", opts->id}};
                if (!opts->note.empty()) request["note"] = opts->note;
                if (int rc = call(*opts, request, nullptr, verb)) return rc;
                std::cout << opts->id << (std::string(verb) == "approve" ? " approved\n" : " denied\n");
                return kExitOk;
            };
        });
    }
    struct Control {
        const char* verb;
        const char* help;
        const char* done;
    };
    for (const Control c :
         {Control{"pause", "Pause the session: nothing executes until resume", "paused"},
          Control{"resume", "Resume a paused session", "resumed"},
          Control{"stop", "Stop the session now (kill switch): pending proposals are denied", "stopped"}}) {
        auto opts = std::make_shared<ReviewOptions>();
        CLI::App* cmd = add_review_subcommand(app, c.verb, c.help, opts);
        cmd->add_option("--note", opts->note, "A note kept in the audit log with your name");
        const bool is_stop = std::string(c.verb) == "stop";
        if (is_stop) {
            cmd->add_flag("--all", opts->all,
                          "Stop every session you may stop (those 'deskbox list' shows live), each through its "
                          "review.sock; prints one result per session");
            cmd->footer(
                "Exit codes: 0 done, 1 refused or the session is not running (--all: any stop failed;\n"
                "sessions whose supervisor is gone, already ending or whose review.sock you may not\n"
                "use are skipped, not failed), 64 bad command line.");
        } else {
            cmd->footer("Exit codes: 0 done, 1 refused or the session is not running.");
        }
        cmd->callback([opts, c, &selected] {
            selected = [opts, c]() -> int {
                if (opts->all) {
                    if (!opts->session.empty() || !opts->socket.empty()) {
                        std::cerr << "deskbox stop: --all stops every session; it takes no --session or --socket\n";
                        return kExitUsage;
                    }
                    return stop_all(*opts);
                }
                if (int rc = require_session(*opts, c.verb)) return rc;
                Json request = {{"type", c.verb}};
                if (!opts->note.empty()) request["note"] = opts->note;
                if (int rc = call(*opts, request, nullptr, c.verb)) return rc;
                std::cout << "session " << c.done << "\n";
                return kExitOk;
            };
        });
    }
    {
        auto opts = std::make_shared<ReviewOptions>();
        CLI::App* cmd = add_review_subcommand(
            app, "takeover",
            "Take control of the session (review.takeover: true): the agent is refused until handback, and a VNC "
            "server with input runs for you alone",
            opts);
        cmd->add_option("--note", opts->note, "A note kept in the audit log with your name");
        cmd->add_option("--password-file", opts->password_file,
                        "Where to write the one-time VNC password (vncpasswd format, mode 0600; default: "
                        "$XDG_RUNTIME_DIR/deskbox-takeover-NAME.passwd, else ~/.deskbox-takeover-NAME.passwd)");
        cmd->add_flag("--json", opts->json, "Print the session's answer (socket and password) as JSON");
        cmd->footer(
            "The start and the end are audited with your name. Connect with the printed command\n"
            "(TigerVNC's viewer reads the unix socket, which belongs to you); one viewer at a time.\n"
            "Exit codes: 0 you have control, 1 refused (not allowed by the manifest, someone\n"
            "else has control) or the session is not running, 64 bad command line.");
        cmd->callback([opts, &selected] {
            selected = [opts]() -> int {
                if (int rc = require_session(*opts, "takeover")) return rc;
                Json request = {{"type", "takeover"}};
                if (!opts->note.empty()) request["note"] = opts->note;
                Json reply;
                if (int rc = call(*opts, request, &reply, "takeover")) return rc;
                const Json t = reply.value("takeover", Json::object());
                if (opts->json) {
                    std::cout << t.dump(2) << "\n";
                    return kExitOk;
                }
                const std::string file =
                    opts->password_file.empty() ? default_password_file(opts->session) : opts->password_file;
                write_vnc_password_file(file, t.value("password", ""));
                const std::string name = opts->session.empty() ? "NAME" : opts->session;
                std::cout << "you have control of the session; the agent is refused until 'deskbox handback -s " << name
                          << "'\n"
                          << "VNC with input, for you alone: xtigervncviewer -passwd " << file << " "
                          << t.value("socket", "?") << "\n";
                return kExitOk;
            };
        });
    }
    {
        auto opts = std::make_shared<ReviewOptions>();
        CLI::App* cmd = add_review_subcommand(
            app, "handback", "End a takeover: the reviewer's VNC input stops and the agent may act again", opts);
        cmd->add_option("--note", opts->note, "A note kept in the audit log with your name");
        cmd->footer("Exit codes: 0 handed back, 1 not taken over or the session is not running.");
        cmd->callback([opts, &selected] {
            selected = [opts]() -> int {
                if (int rc = require_session(*opts, "handback")) return rc;
                Json request = {{"type", "handback"}};
                if (!opts->note.empty()) request["note"] = opts->note;
                if (int rc = call(*opts, request, nullptr, "handback")) return rc;
                std::cout << "handed back; the agent may act again\n";
                return kExitOk;
            };
        });
    }
    {
        auto opts = std::make_shared<ReviewOptions>();
        CLI::App* cmd = add_review_subcommand(
            app, "verify", "Run the manifest's final-state verify checks now (each result is audited)", opts);
        cmd->add_flag("--json", opts->json, "Print the results as JSON");
        cmd->footer(
            "The same checks run when the session ends; this runs them on demand, e.g. before\n"
            "approving the last step. Exit codes: 0 every check passed, 3 a check failed,\n"
            "1 the session is not running or refused, 64 bad command line.");
        cmd->callback([opts, &selected] {
            selected = [opts]() -> int {
                if (int rc = require_session(*opts, "verify")) return rc;
                Json reply;
                if (int rc = call(*opts, {{"type", "verify"}}, &reply, "verify")) return rc;
                const Json& v = reply["verification"];
                bool passed = v.value("passed", false);
                if (opts->json)
                    std::cout << v.dump(2) << "\n";
                else
                    passed = print_verification(v);
                return passed ? kExitOk : kExitVerifyFailed;
            };
        });
    }
    {
        auto opts = std::make_shared<ReviewOptions>();
        CLI::App* cmd = add_review_subcommand(
            app, "collect", "Copy the manifest's collect files out of the session now (each audited with its sha256)",
            opts);
        cmd->add_flag("--json", opts->json, "Print the result as JSON");
        cmd->footer(
            "The same files are collected when the session ends, into the next numbered folder\n"
            "under collected/ beside the kept audit.jsonl. Exit codes: 0 every file copied, 1 a file\n"
            "was not copied, the session is not running or refused, 64 bad command line.");
        cmd->callback([opts, &selected] {
            selected = [opts]() -> int {
                if (int rc = require_session(*opts, "collect")) return rc;
                Json reply;
                if (int rc = call(*opts, {{"type", "collect"}}, &reply, "collect")) return rc;
                const Json& c = reply["collected"];
                bool copied = true;
                for (const Json& f : c.value("files", Json::array())) copied = copied && f.value("copied", false);
                if (opts->json)
                    std::cout << c.dump(2) << "\n";
                else
                    print_collected(c);
                return copied ? kExitOk : kExitFailure;
            };
        });
    }
}

}  // namespace deskbox
