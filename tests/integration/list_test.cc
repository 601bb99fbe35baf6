// deskbox list and deskbox stop --all over real sessions: three started with
// `deskbox run`, one stopped meanwhile (it disappears from the list), a
// left-over dir of a dead supervisor (listed as stale, skipped by stop --all),
// the JSON schema checked field by field, and stop --all ending the rest with
// nothing left behind.
#define BOOST_TEST_MODULE deskbox list integration
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <ctime>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "tests/integration/session_harness.h"

using namespace deskbox::test;
using nlohmann::json;

namespace {

const char* kSandbox = "sandbox: {memory: 256M, pids: 64, home_size: 16M, tmp_size: 16M}\nnetwork: {mode: none}\n";

std::string manifest_yaml(const std::string& name, int steps) {
    return "version: 1\nsession: {name: " + name + ", budget: {steps: " + std::to_string(steps) + "}}\n" + kSandbox +
           "apps:\n  - {name: idle, exec: [sleep, infinity]}\n";
}

// The table line of session `name`, or "" when it is not listed.
std::string table_line(const std::string& table, const std::string& name) {
    std::istringstream in(table);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(name + " ", 0) == 0) return line;
    return "";
}

const json* entry_named(const json& doc, const std::string& name) {
    for (const json& e : doc["sessions"])
        if (e["name"] == name) return &e;
    return nullptr;
}

struct Running {
    std::string name;
    std::unique_ptr<SessionProcess> process;
    json status;
    std::vector<std::string> cgroups;
};

}  // namespace

BOOST_AUTO_TEST_CASE(list_shows_live_sessions_and_stop_all_ends_them) {
    if (!require_root()) return;
    TestDirs dirs;
    std::vector<Running> sessions;
    for (const auto& [name, steps] :
         std::vector<std::pair<std::string, int>>{{"it-list-a", 20}, {"it-list-b", 0}, {"it-list-c", 0}}) {
        Running r{
            name, std::make_unique<SessionProcess>(dirs, dirs.manifest(name, manifest_yaml(name, steps))), {}, {}};
        BOOST_REQUIRE_MESSAGE(r.process->wait_for("ready on display", 60'000), r.process->output());
        r.status = session_status(dirs, name);
        r.cgroups = r.status["sandbox"]["cgroup"]["paths"].get<std::vector<std::string>>();
        sessions.push_back(std::move(r));
    }

    // b is stopped meanwhile, the way a reviewer does it.
    auto [stop_code, stop_out] = run_deskbox(dirs, {"stop", "-s", "it-list-b"});
    BOOST_TEST(stop_code == 0, stop_out);
    BOOST_TEST(sessions[1].process->wait_exit() == 0, sessions[1].process->output());
    BOOST_TEST(leftovers(dirs, "it-list-b", sessions[1].cgroups).empty());

    // A supervisor killed along with its janitor leaves its dir behind: listed as stale.
    std::filesystem::create_directory(dirs.runtime() / "it-list-stale");
    std::filesystem::copy_file(dirs.state() / "it-list-b" / "status.json",
                               dirs.runtime() / "it-list-stale" / "status.json");

    auto [code, table] = run_deskbox(dirs, {"list"});
    BOOST_TEST(code == 0);
    BOOST_TEST(table.rfind("NAME ", 0) == 0u, table);
    for (const char* column : {"STATE", "DISPLAY", "APPS", "PENDING", "TAINT", "BUDGET", "UPTIME", "NOTE"})
        BOOST_TEST(table.substr(0, table.find('\n')).find(column) != std::string::npos, column);
    for (std::size_t i : {0u, 2u}) {
        const std::string line = table_line(table, sessions[i].name);
        BOOST_TEST(line.find(" running ") != std::string::npos, table);
        BOOST_TEST(line.find(" " + sessions[i].status["display"].get<std::string>() + " ") != std::string::npos, table);
        BOOST_TEST(line.find(" idle ") != std::string::npos, table);
        BOOST_TEST(line.find(" clean ") != std::string::npos, table);
    }
    BOOST_TEST(table_line(table, "it-list-a").find("0/20 steps") != std::string::npos, table);
    BOOST_TEST(table_line(table, "it-list-b").empty(), table);
    BOOST_TEST(table_line(table, "it-list-stale").find(" stale ") != std::string::npos, table);

    auto [json_code, json_text] = run_deskbox(dirs, {"list", "--json"});
    BOOST_TEST(json_code == 0);
    const json doc = json::parse(json_text);
    BOOST_TEST(doc.size() == 2u);
    BOOST_TEST(doc["schema"] == 1);
    BOOST_REQUIRE(doc["sessions"].is_array());
    BOOST_TEST(doc["sessions"].size() == 3u, json_text);
    BOOST_TEST(entry_named(doc, "it-list-b") == nullptr);
    const std::set<std::string> keys = {"name",
                                        "scope",
                                        "dir",
                                        "state",
                                        "live",
                                        "problem",
                                        "reason",
                                        "supervisor_pid",
                                        "display",
                                        "apps",
                                        "pending_approvals",
                                        "tainted",
                                        "paused",
                                        "steps_used",
                                        "steps_limit",
                                        "wall_clock_deadline",
                                        "started_at",
                                        "uptime_s",
                                        "taken_over"};
    const std::int64_t now = std::time(nullptr);
    for (std::size_t i : {0u, 2u}) {
        const Running& r = sessions[i];
        const json* e = entry_named(doc, r.name);
        BOOST_REQUIRE_MESSAGE(e, r.name << " missing from " << json_text);
        std::set<std::string> seen;
        for (const auto& [k, v] : e->items()) seen.insert(k);
        BOOST_TEST((seen == keys), e->dump());
        BOOST_TEST((*e)["scope"] == "system");  // root's sessions
        BOOST_TEST((*e)["dir"] == (dirs.runtime() / r.name).string());
        BOOST_TEST((*e)["state"] == "running");
        BOOST_TEST((*e)["live"] == true);
        BOOST_TEST((*e)["problem"].is_null());
        BOOST_TEST((*e)["reason"] == "");
        BOOST_TEST((*e)["supervisor_pid"] == r.process->pid());
        BOOST_TEST((*e)["display"] == r.status["display"]);
        BOOST_TEST((*e)["apps"] == json::parse(R"([{"name": "idle", "state": "running", "restarts": 0}])"));
        BOOST_TEST((*e)["pending_approvals"] == 0);
        BOOST_TEST((*e)["tainted"] == false);
        BOOST_TEST((*e)["paused"] == false);
        BOOST_TEST((*e)["steps_used"] == 0);
        BOOST_TEST((*e)["steps_limit"] == (i == 0 ? 20 : 0));
        BOOST_TEST((*e)["wall_clock_deadline"].get<std::int64_t>() > now);  // the default 15m budget
        BOOST_TEST((*e)["started_at"] == r.status["started_at"]);
        BOOST_TEST((*e)["uptime_s"].get<std::int64_t>() >= 0);
        BOOST_TEST((*e)["uptime_s"].get<std::int64_t>() <= now - r.status["started_at"].get<std::int64_t>());
    }
    const json* stale = entry_named(doc, "it-list-stale");
    BOOST_REQUIRE(stale);
    BOOST_TEST((*stale)["state"] == "stale");
    BOOST_TEST((*stale)["live"] == false);
    BOOST_TEST((*stale)["uptime_s"].is_null());
    BOOST_TEST((*stale)["problem"].get<std::string>().find("is gone (last state ended)") != std::string::npos,
               stale->dump());

    auto [all_code, all_out] = run_deskbox(dirs, {"stop", "--all", "--note", "end of the run"});
    BOOST_TEST(all_code == 0, all_out);
    for (std::size_t i : {0u, 2u})
        BOOST_TEST(all_out.find(sessions[i].name + " (" + (dirs.runtime() / sessions[i].name).string() +
                                "): stopped\n") != std::string::npos,
                   all_out);
    BOOST_TEST(all_out.find("it-list-stale (" + (dirs.runtime() / "it-list-stale").string() +
                            "): skipped, its supervisor is gone\n") != std::string::npos,
               all_out);
    BOOST_TEST(all_out.find("2 stopped, 0 failed, 1 skipped\n") != std::string::npos, all_out);
    for (std::size_t i : {0u, 2u}) {
        const Running& r = sessions[i];
        const auto pids = cgroup_pids(r.status);
        BOOST_TEST(r.process->wait_exit() == 0, r.process->output());
        BOOST_TEST(wait_pids_gone(pids));
        BOOST_TEST(leftovers(dirs, r.name, r.cgroups).empty());
        std::ifstream kept(dirs.state() / r.name / "status.json");
        BOOST_TEST(json::parse(kept)["reason"] == "stopped by a reviewer");
    }
    std::filesystem::remove_all(dirs.runtime() / "it-list-stale");
    BOOST_TEST(run_deskbox(dirs, {"list"}).second == "no sessions\n");
    auto [none_code, none_out] = run_deskbox(dirs, {"stop", "--all"});
    BOOST_TEST(none_code == 0);
    BOOST_TEST(none_out == "0 stopped, 0 failed, 0 skipped\n");
}

// A session that looks alive (its lock held, its supervisor pid there) but whose
// review.sock does not answer: stop --all reports it and exits 1.
BOOST_AUTO_TEST_CASE(stop_all_fails_when_a_live_session_cannot_be_stopped) {
    if (!require_root()) return;
    TestDirs dirs;
    std::filesystem::create_directories(dirs.runtime() / "it-list-mute");
    std::ofstream(dirs.runtime() / "it-list-mute" / "status.json")
        << json({{"name", "it-list-mute"}, {"state", "running"}, {"supervisor_pid", getpid()}}).dump();
    const int fd = open((dirs.runtime() / "it-list-mute.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    BOOST_REQUIRE(fd >= 0);
    BOOST_REQUIRE(flock(fd, LOCK_EX | LOCK_NB) == 0);
    auto [code, out] = run_deskbox(dirs, {"stop", "--all"});
    BOOST_TEST(code == 1, out);
    BOOST_TEST(
        out.find("it-list-mute (" + (dirs.runtime() / "it-list-mute").string() + "): FAILED, ") != std::string::npos,
        out);
    BOOST_TEST(out.find("review.sock") != std::string::npos, out);
    BOOST_TEST(out.find("0 stopped, 1 failed, 0 skipped\n") != std::string::npos, out);
    close(fd);
}
