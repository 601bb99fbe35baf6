// deskbox list without a real session: the JSON entry made from a session
// dir's state (live, stale, no access, broken status.json), the table, and the
// scan of a runtime dir with real locks (flock) and real pids.
#include "supervisor/session/session_list.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

#include "supervisor/session/list_format.h"

using namespace deskbox;
using nlohmann::json;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;

json running_status() {
    return {{"name", "alpha"},
            {"state", "running"},
            {"reason", ""},
            {"supervisor_pid", 4242},
            {"started_at", kNow - 3725},
            {"wall_clock_deadline", kNow + 600},
            {"display", ":7"},
            {"gate",
             {{"pending_approvals", 2}, {"tainted", true}, {"paused", false}, {"steps_used", 3}, {"steps_limit", 50}}},
            {"apps",
             {{{"name", "term"}, {"state", "running"}, {"restarts", 0}},
              {{"name", "helper"}, {"state", "exited"}, {"restarts", 1}}}}};
}

ListedSession live_session() {
    ListedSession s;
    s.name = "alpha";
    s.dir = "/run/deskbox/alpha";
    s.scope = "system";
    s.readable = true;
    s.status = running_status();
    s.lock_held = true;
    s.supervisor_alive = true;
    return s;
}

// The schema's keys: every entry has all of them, whatever its state.
const char* const kKeys[] = {"name",
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
                             "taken_over",
                             "steps_used",
                             "steps_limit",
                             "wall_clock_deadline",
                             "started_at",
                             "uptime_s"};

void check_all_keys(const json& e) {
    BOOST_TEST(e.size() == std::size(kKeys), e.dump());
    for (const char* k : kKeys) BOOST_TEST(e.contains(k), k);
}

struct TempRuntime {
    std::filesystem::path root;
    TempRuntime() {
        char tmpl[] = "/tmp/deskbox-list-test-XXXXXX";
        root = mkdtemp(tmpl);
        setenv("DESKBOX_RUNTIME_DIR", root.c_str(), 1);
    }
    ~TempRuntime() {
        unsetenv("DESKBOX_RUNTIME_DIR");
        std::filesystem::remove_all(root);
    }
    void session(const std::string& name, const json& status) const {
        std::filesystem::create_directory(root / name);
        std::ofstream(root / name / "status.json") << status.dump();
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_live_session_shows_its_status) {
    const json e = list_entry(live_session(), kNow);
    check_all_keys(e);
    BOOST_TEST(e["name"] == "alpha");
    BOOST_TEST(e["scope"] == "system");
    BOOST_TEST(e["dir"] == "/run/deskbox/alpha");
    BOOST_TEST(e["state"] == "running");
    BOOST_TEST(e["live"] == true);
    BOOST_TEST(e["problem"].is_null());
    BOOST_TEST(e["display"] == ":7");
    BOOST_TEST(e["pending_approvals"] == 2);
    BOOST_TEST(e["tainted"] == true);
    BOOST_TEST(e["steps_used"] == 3);
    BOOST_TEST(e["steps_limit"] == 50);
    BOOST_TEST(e["uptime_s"] == 3725);
    BOOST_TEST(e["apps"].size() == 2u);
    BOOST_TEST(e["apps"][1] == json({{"name", "helper"}, {"state", "exited"}, {"restarts", 1}}));
}

BOOST_AUTO_TEST_CASE(a_dead_supervisor_is_stale_not_running) {
    ListedSession s = live_session();
    s.supervisor_alive = false;
    s.lock_held = false;
    json e = list_entry(s, kNow);
    check_all_keys(e);
    BOOST_TEST(e["state"] == "stale");
    BOOST_TEST(e["live"] == false);
    BOOST_TEST(e["uptime_s"].is_null());
    BOOST_TEST(e["problem"] == "supervisor pid 4242 is gone (last state running); the session dir was left behind");
    // Its janitor still holds the lock while it cleans up.
    s.lock_held = true;
    BOOST_TEST(list_entry(s, kNow)["problem"] ==
               "supervisor pid 4242 is gone (last state running); its janitor is cleaning up");
    // A live pid without the lock is someone else's process now.
    s.lock_held = false;
    s.supervisor_alive = true;
    e = list_entry(s, kNow);
    BOOST_TEST(e["state"] == "stale");
    BOOST_TEST(e["problem"] == "no supervisor holds alpha.lock (pid 4242 is another process now)");
}

BOOST_AUTO_TEST_CASE(unreadable_status_is_no_access_or_unknown) {
    ListedSession s;
    s.name = "beta";
    s.dir = "/run/deskbox/beta";
    s.scope = "system";
    s.access_denied = true;
    s.problem = "status.json: Permission denied";
    s.lock_held = true;
    json e = list_entry(s, kNow);
    check_all_keys(e);
    BOOST_TEST(e["state"] == "no access");
    BOOST_TEST(e["live"] == true);
    BOOST_TEST(e["display"].is_null());
    BOOST_TEST(e["apps"] == json::array());

    s.access_denied = false;
    s.problem = "status.json: not valid JSON";
    BOOST_TEST(list_entry(s, kNow)["state"] == "unknown");
    s.lock_held = false;
    e = list_entry(s, kNow);
    BOOST_TEST(e["state"] == "stale");
    BOOST_TEST(e["problem"] == "status.json: not valid JSON; no supervisor holds beta.lock");
}

BOOST_AUTO_TEST_CASE(fields_of_the_wrong_type_become_null) {
    ListedSession s = live_session();
    s.status["state"] = 7;
    s.status["display"] = json::array();
    s.status["gate"] = "broken";
    s.status["apps"] = {1, {{"name", 2}}};
    const json e = list_entry(s, kNow);
    check_all_keys(e);
    BOOST_TEST(e["state"] == "unknown");
    BOOST_TEST(e["display"].is_null());
    BOOST_TEST(e["pending_approvals"].is_null());
    BOOST_TEST(e["apps"] == json::parse(R"([{"name": null, "state": null, "restarts": null}])"));
}

BOOST_AUTO_TEST_CASE(the_table_is_aligned_under_its_header) {
    ListedSession stale = live_session();
    stale.name = "b-much-longer-name";
    stale.supervisor_alive = false;
    stale.lock_held = false;
    const std::string table = format_list_table({list_entry(live_session(), kNow), list_entry(stale, kNow)}, kNow);
    std::istringstream in(table);
    std::string header, first, second;
    std::getline(in, header);
    std::getline(in, first);
    std::getline(in, second);
    BOOST_TEST(header.rfind("NAME", 0) == 0u, table);
    for (const char* column : {"STATE", "DISPLAY", "APPS", "PENDING", "TAINT", "BUDGET", "UPTIME"}) {
        const auto at = header.find(column);
        BOOST_REQUIRE(at != std::string::npos);
        BOOST_TEST(first.at(at - 1) == ' ');
        BOOST_TEST(first.at(at) != ' ', table);
    }
    // The live session has no note (and no trailing blanks); the stale one's starts under NOTE.
    BOOST_TEST(first.size() < header.find("NOTE"), table);
    BOOST_TEST(second.find("supervisor pid") == header.find("NOTE"), table);
    BOOST_TEST(first.find("alpha") == 0u);
    BOOST_TEST(first.find(" running ") != std::string::npos, table);
    BOOST_TEST(first.find("term,helper(exited)") != std::string::npos, table);
    BOOST_TEST(first.find("tainted") != std::string::npos, table);
    BOOST_TEST(first.find("3/50 steps, 10m00s left") != std::string::npos, table);
    BOOST_TEST(first.find("1h02m") != std::string::npos, table);
    BOOST_TEST(second.find(" stale ") != std::string::npos, table);
    BOOST_TEST(second.find("the session dir was left behind") != std::string::npos, table);
    BOOST_TEST(format_list_table({}, kNow) == "no sessions\n");
}

BOOST_AUTO_TEST_CASE(uptime_uses_two_units_at_most) {
    BOOST_TEST(format_uptime(0) == "0s");
    BOOST_TEST(format_uptime(59) == "59s");
    BOOST_TEST(format_uptime(303) == "5m03s");
    BOOST_TEST(format_uptime(7620) == "2h07m");
    BOOST_TEST(format_uptime(273600) == "3d04h");
}

BOOST_AUTO_TEST_CASE(a_held_flock_is_seen_in_proc_locks) {
    TempRuntime rt;
    const auto file = rt.root / "s.lock";
    BOOST_TEST(!lock_is_held(file));
    const int fd = open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    BOOST_REQUIRE(fd >= 0);
    BOOST_TEST(!lock_is_held(file));
    BOOST_REQUIRE(flock(fd, LOCK_EX | LOCK_NB) == 0);
    BOOST_TEST(lock_is_held(file));
    flock(fd, LOCK_UN);
    BOOST_TEST(!lock_is_held(file));
    close(fd);
}

BOOST_AUTO_TEST_CASE(the_scan_finds_sessions_and_nothing_else) {
    TempRuntime rt;
    json live = running_status();
    live["supervisor_pid"] = getpid();
    rt.session("live", live);
    const int fd = open((rt.root / "live.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    BOOST_REQUIRE(fd >= 0);
    BOOST_REQUIRE(flock(fd, LOCK_EX | LOCK_NB) == 0);
    rt.session("gone", running_status());  // no lock held: its supervisor is gone
    std::filesystem::create_directory(rt.root / "broken");
    std::ofstream(rt.root / "broken" / "status.json") << "{not json";
    std::filesystem::create_directory(rt.root / "idmap");    // id-range slot locks
    std::filesystem::create_directory(rt.root / ".hidden");  // not a session name
    std::ofstream(rt.root / "plain-file") << "x";            // not a directory

    const auto sessions = list_sessions();
    BOOST_REQUIRE(sessions.size() == 3u);
    BOOST_TEST(sessions[0].name == "broken");
    BOOST_TEST(list_entry(sessions[0], kNow)["state"] == "stale");
    BOOST_TEST(sessions[0].problem == "status.json: not valid JSON");
    BOOST_TEST(sessions[1].name == "gone");
    BOOST_TEST(list_entry(sessions[1], kNow)["state"] == "stale");
    BOOST_TEST(sessions[2].name == "live");
    BOOST_TEST(sessions[2].dir == rt.root / "live");
    BOOST_TEST(sessions[2].scope == (geteuid() == 0 ? "system" : "user"));  // whose dir it is
    const json e = list_entry(sessions[2], kNow);
    BOOST_TEST(e["state"] == "running");
    BOOST_TEST(e["live"] == true);
    close(fd);
}
