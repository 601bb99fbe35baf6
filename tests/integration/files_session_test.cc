// Files into and out of real sessions, and the end-state checks that read
// files and app state:
//   1. LibreOffice Calc opens an .xlsx; the agent (agent.sock) types 42 into
//      B2 and saves it in its format (Ctrl+S, Enter on "Use Excel 2007-365!"); a
//      `verify: spreadsheet` check passes, another names the cell that
//      differs; `deskbox collect` brings the file out with its sha256 in the
//      audit log, and refuses a symlink planted at a collect path that points
//      at a host file; the agent uploads a CSV that LibreOffice (as the app
//      user) then reads for a second spreadsheet check; teardown collects again.
//   2. An idle session (zenity): the policy refuses `upload`; window and file
//      checks pass and fail as they should; a url check without a browser fails.
//   3. Chromium on a data: URL: url checks pass (matches) and fail (equals).
#define BOOST_TEST_MODULE deskbox files session
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "supervisor/audit/audit_record.h"
#include "supervisor/control/agent_client.h"
#include "supervisor/control/base64.h"
#include "tests/integration/calc_profile.h"
#include "tests/integration/session_harness.h"

using namespace deskbox;
using namespace deskbox::test;

namespace {

constexpr int kCalcTimeoutMs = 240'000;

const char* kCalcPolicy = R"(version: 1
default: deny
tiers: {low: allow, medium: allow}
rules:
  - {name: observe, when: {action: [screenshot, tree, hit_test, cursor_position, wait]}, tier: low}
  - {name: work, when: {action: [mouse_move, click, type, key, click_element, focus_element, upload]}, tier: medium}
)";

bool installed(const std::string& program) {
    const auto [code, out] = run_command({"sh", "-c", "command -v " + program});
    if (code == 0) return true;
    const char* must = std::getenv("DESKBOX_MUST_WORK");
    if (must && std::string(must) == "1") BOOST_FAIL(program + " is not installed (DESKBOX_MUST_WORK=1)");
    BOOST_TEST_MESSAGE("skipped: " + program + " is not installed");
    return false;
}

std::filesystem::path fixture(const std::string& file) {
    const char* root = std::getenv("DESKBOX_SOURCE_ROOT");
    BOOST_REQUIRE(root);
    return std::filesystem::path(root) / "tests/fixtures/files" / file;
}

std::vector<nlohmann::json> records_of(const TestDirs& dirs, const std::string& name, const std::string& type) {
    std::ifstream in(dirs.state() / name / "audit.jsonl");
    BOOST_REQUIRE_MESSAGE(in, "the kept audit log of " << name << " is missing");
    std::vector<nlohmann::json> records;
    for (std::string line; std::getline(in, line);) {
        auto record = nlohmann::json::parse(line);
        if (record["type"] == type) records.push_back(record["data"]);
    }
    return records;
}

std::string file_content(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// Polls the tree after each settled screenshot (the screen settling is the
// event) until an element with this role and name shows; fails at the timeout.
void wait_for_element(AgentClient& agent, const std::string& role, const std::string& name) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kCalcTimeoutMs);
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
        const Json shot = agent.call({{"action", "screenshot"}, {"format", "jpeg"}, {"settle", true}});
        BOOST_TEST_REQUIRE(shot.value("ok", false), shot.dump().substr(0, 400));
        const Json tree = agent.call({{"action", "tree"}, {"role", role}, {"name", name}});
        BOOST_TEST_REQUIRE(tree.value("ok", false), tree.dump().substr(0, 400));
        last = tree.dump();
        if (!tree["result"]["data"]["elements"].empty()) return;
    }
    BOOST_FAIL("no " + role + " '" + name + "' within " + std::to_string(kCalcTimeoutMs) +
               " ms; last: " + last.substr(0, 2000));
}

Json act(AgentClient& agent, const Json& request) {
    const Json reply = agent.call(request);
    BOOST_TEST_REQUIRE(reply.value("ok", false), request.dump() + " -> " + reply.dump().substr(0, 600));
    return reply;
}

// Waits (inotify, not a timer) until `name` is written or renamed into `dir`.
class FolderWatch {
public:
    explicit FolderWatch(const std::filesystem::path& dir) : fd_(inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) {
        BOOST_REQUIRE(fd_ >= 0);
        BOOST_REQUIRE_MESSAGE(inotify_add_watch(fd_, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO) >= 0, dir);
    }
    ~FolderWatch() { close(fd_); }
    bool wait_for(const std::string& name, int timeout_ms) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        for (;;) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
            alignas(inotify_event) char buf[4096];
            const ssize_t n = read(fd_, buf, sizeof buf);
            for (ssize_t off = 0; off < n;) {
                const auto* e = reinterpret_cast<const inotify_event*>(buf + off);
                if (e->len > 0 && name == e->name) return true;
                off += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
            }
        }
    }

private:
    int fd_;
};

}  // namespace

BOOST_AUTO_TEST_CASE(calc_edit_verified_collected_and_an_uploaded_file_read_by_libreoffice) {
    if (!require_root() || !installed("libreoffice")) return;
    TestDirs dirs;
    const auto policy = dirs.root() / "policy.yaml";
    std::ofstream(policy) << kCalcPolicy;
    const auto profile = dirs.root() / "registrymodifications.xcu";
    std::ofstream(profile) << kCalcProfile;
    // A host file the sandbox cannot see: the planted link points at it.
    const auto secret = dirs.root() / "host-secret.txt";
    std::ofstream(secret) << "host only";
    const std::string name = "files-calc";
    const std::string yaml = "session: {name: " + name +
                             ", budget: {actions_per_second: 0}}\n"
                             "sandbox:\n"
                             "  memory: 2G\n"
                             "  pids: 1024\n"
                             "  files:\n"
                             "    - {from: " +
                             profile.string() +
                             ", to: ~/.config/libreoffice/4/user/registrymodifications.xcu}\n"
                             "    - {from: " +
                             fixture("budget.xlsx").string() +
                             ", to: ~/budget.xlsx}\n"
                             "apps:\n"
                             "  - name: calc\n"
                             "    exec: [libreoffice, --calc, --norestore, --nologo, /home/agent/budget.xlsx]\n"
                             "    ready: {title: budget, timeout: 240s}\n"
                             "  - name: planter\n"
                             "    exec: [sh, -c, 'ln -s " +
                             secret.string() +
                             " ~/escape.xlsx && exec sleep 100000']\n"
                             "policy: " +
                             policy.string() +
                             "\n"
                             "review: {vnc: {enabled: false}}\n"
                             "collect:\n"
                             "  - ~/budget.xlsx\n"
                             "  - ~/escape.xlsx\n"
                             "verify:\n"
                             "  - spreadsheet: {path: ~/budget.xlsx, cells: {A2: Rent, B2: 42}}\n"
                             "  - spreadsheet: {path: ~/budget.xlsx, cells: {\"A3:B3\": [[Food, 8]]}}\n"
                             "  - spreadsheet: {path: ~/upload.csv, cells: {B2: 2}}\n";
    SessionProcess session(dirs, dirs.manifest(name, yaml));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", kCalcTimeoutMs), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());

    // The agent edits B2 and saves in the file's own format.
    act(agent, {{"code", "pyautogui.moveTo(600, 400)"}});
    wait_for_element(agent, "table cell", "B2");
    act(agent, {{"action", "click_element"}, {"role", "table cell"}, {"name", "B2"}});
    act(agent, {{"code", "pyautogui.typewrite('42')\npyautogui.press('enter')"}});
    const auto home = std::filesystem::path("/proc") /
                      std::to_string(session_status(dirs, name)["sandbox"]["init_pid"].get<int>()) / "root/home/agent";
    FolderWatch watch(home);
    act(agent, {{"code", "pyautogui.hotkey('ctrl', 's')"}});
    wait_for_element(agent, "push button", "Use Excel 2007-365!");
    // The dialog's default button keeps the format.
    act(agent, {{"code", "pyautogui.press('enter')"}});
    BOOST_REQUIRE_MESSAGE(watch.wait_for("budget.xlsx", kCalcTimeoutMs), "Calc did not save budget.xlsx");

    // The agent uploads a CSV; LibreOffice, as the app user, reads it in the checks below.
    const std::string csv = "x,y\n1,2\n";
    const Json up = act(agent, {{"action", "upload"}, {"path", "~/upload.csv"}, {"data", base64_encode(csv)}});

    // verify: the edited cell passes; the other check names the cell that differs.
    const auto [vcode, vout] = run_deskbox(dirs, {"verify", "-s", name});
    BOOST_TEST(vcode == 3, vout);
    BOOST_TEST(contains(vout, "pass  spreadsheet ~/budget.xlsx (2 cell(s))"), vout);
    BOOST_TEST(contains(vout,
                        "FAIL  spreadsheet ~/budget.xlsx (2 cell(s)) (manifest line 21): "
                        "B3: expected '8', found '7.5' (1 of 2 cells differ)"),
               vout);
    BOOST_TEST(contains(vout, "pass  spreadsheet ~/upload.csv (1 cell(s))"), vout);

    // collect: the saved file with its hash; the planted link is refused, not followed.
    const auto [ccode, cout_] = run_deskbox(dirs, {"collect", "-s", name});
    BOOST_TEST(ccode == 1, cout_);
    const auto collected = dirs.state() / name / "collected" / "1";
    BOOST_TEST(contains(cout_, "copied  ~/budget.xlsx -> " + (collected / "budget.xlsx").string()), cout_);
    BOOST_TEST(contains(cout_,
                        "FAILED  ~/escape.xlsx: opening ~/escape.xlsx: a symbolic link is on the way "
                        "(links are not followed)"),
               cout_);
    BOOST_TEST(!std::filesystem::exists(collected / "escape.xlsx"));
    const std::string saved = file_content(collected / "budget.xlsx");
    BOOST_TEST(saved != file_content(fixture("budget.xlsx")), "the collected file is the unedited fixture");

    session.signal(SIGTERM);
    BOOST_TEST(session.wait_exit(kCalcTimeoutMs) == 3, session.output());

    // The audit log: the upload by hash, both collections, each file's sha256.
    const auto proposals = records_of(dirs, name, "proposal");
    bool upload_seen = false;
    for (const auto& p : proposals) {
        if (p["action"].value("kind", "") != "upload") continue;
        upload_seen = true;
        BOOST_TEST(p["action"]["sha256"] == sha256_hex_of(csv), p.dump());
        BOOST_TEST(p["action"]["size"] == csv.size(), p.dump());
        BOOST_TEST(!p["action"].contains("data"), p.dump());
    }
    BOOST_TEST(upload_seen);
    bool upload_result = false;
    for (const auto& r : records_of(dirs, name, "result"))
        upload_result = upload_result ||
                        contains(r.value("detail", ""), "upload ~/upload.csv: 8 bytes, sha256 " + sha256_hex_of(csv));
    BOOST_TEST(upload_result);
    const auto collects = records_of(dirs, name, "collect");
    BOOST_REQUIRE_EQUAL(collects.size(), 4u);
    BOOST_TEST(collects[0]["sha256"] == sha256_hex_of(saved), collects[0].dump());
    BOOST_TEST(collects[0]["size"] == saved.size(), collects[0].dump());
    BOOST_TEST(collects[0].contains("requested_by"), collects[0].dump());
    BOOST_TEST(collects[1]["copied"] == false, collects[1].dump());
    BOOST_TEST(!collects[2].contains("requested_by"), collects[2].dump());  // teardown
    BOOST_TEST(collects[2]["sha256"] == sha256_hex_of(saved), collects[2].dump());
    BOOST_TEST(file_content(dirs.state() / name / "collected" / "2" / "budget.xlsx") == saved);
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dirs.state() / name / "collected"))
        if (entry.is_regular_file()) BOOST_TEST(file_content(entry.path()) != "host only", entry.path());
    const auto [acode, aout] = run_deskbox(dirs, {"audit", "verify", (dirs.state() / name / "audit.jsonl").string()});
    BOOST_TEST(acode == 0, aout);
}

BOOST_AUTO_TEST_CASE(upload_refused_by_policy_and_window_file_url_checks) {
    if (!require_root() || !installed("zenity")) return;
    TestDirs dirs;
    const auto policy = dirs.root() / "policy.yaml";
    std::ofstream(policy) << "version: 1\ndefault: deny\ntiers: {low: allow}\n"
                             "rules:\n  - {name: observe, when: {action: [screenshot]}, tier: low}\n";
    const auto placed = dirs.root() / "notes.txt";
    std::ofstream(placed) << "Total: 42\n";
    const std::string name = "files-idle";
    const std::string sha = sha256_hex_of("Total: 42\n");
    const std::string yaml = "session: {name: " + name +
                             "}\n"
                             "sandbox:\n"
                             "  files: [{from: " +
                             placed.string() +
                             ", to: ~/notes.txt}]\n"
                             "apps:\n"
                             "  - name: entry\n"
                             "    exec: [zenity, --entry, --title, Quarterly numbers]\n"
                             "    ready: {title: Quarterly numbers}\n"
                             "policy: " +
                             policy.string() +
                             "\n"
                             "review: {vnc: {enabled: false}}\n"
                             "verify:\n"
                             "  - window: {title: Quarterly}\n"
                             "  - window: {wm_class: Zenity, title: Quarterly}\n"
                             "  - window: {title: Quarterly, present: false}\n"
                             "  - window: {wm_class: libreoffice-calc}\n"
                             "  - file: {path: ~/notes.txt, sha256: " +
                             sha +
                             "}\n"
                             "  - file: {path: ~/notes.txt, sha256: " +
                             std::string(64, '0') +
                             "}\n"
                             "  - file: {path: ~/notes.txt, matches: '(?im)^total: [0-9]+$'}\n"
                             "  - file: {path: ~/notes.txt, matches: 'Total: 43'}\n"
                             "  - url: {matches: .}\n";
    SessionProcess session(dirs, dirs.manifest(name, yaml));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 120'000), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());

    // The policy has no rule for upload: the default refuses it, nothing is written.
    const Json refused = agent.call({{"action", "upload"}, {"path", "~/x.txt"}, {"data", base64_encode("x")}});
    BOOST_TEST(refused.value("ok", true) == false, refused.dump());
    BOOST_TEST(refused["error"].value("code", "") == "refused", refused.dump());
    const Json bad = agent.call({{"action", "upload"}, {"path", "~/x.txt"}, {"data", "not base64!"}});
    BOOST_TEST(bad["error"].value("message", "") == "field 'data' is not valid base64", bad.dump());

    const auto [code, out] = run_deskbox(dirs, {"verify", "-s", name, "--json"});
    BOOST_TEST(code == 3, out);
    const Json results = nlohmann::json::parse(out)["results"];
    BOOST_REQUIRE_EQUAL(results.size(), 9u);
    const std::vector<bool> expected = {true, true, false, false, true, false, true, false, false};
    for (std::size_t i = 0; i < expected.size(); ++i)
        BOOST_TEST(results[i]["passed"].get<bool>() == expected[i], i << ": " << results[i].dump());
    BOOST_TEST(results[0]["detail"] == "1 matching window(s)", results[0].dump());
    BOOST_TEST(results[5]["detail"] == "sha256 is " + sha + ", expected " + std::string(64, '0'), results[5].dump());
    BOOST_TEST(results[7]["detail"] == "does not match 'Total: 43'", results[7].dump());
    BOOST_TEST(results[8]["detail"] == "no browser document is showing", results[8].dump());

    session.signal(SIGTERM);
    BOOST_TEST(session.wait_exit(60'000) == 3, session.output());
    bool refused_upload = false;
    for (const auto& d : records_of(dirs, name, "decision"))
        refused_upload = refused_upload || d.value("outcome", "") == "deny";
    BOOST_TEST(refused_upload);
    BOOST_TEST(records_of(dirs, name, "collect").empty());
}

BOOST_AUTO_TEST_CASE(url_checks_read_the_browser_document) {
    if (!require_root() || !installed("chromium")) return;
    TestDirs dirs;
    const auto policy = dirs.root() / "policy.yaml";
    std::ofstream(policy) << "version: 1\ndefault: deny\n";
    const std::string name = "files-url";
    const std::string url = "data:text/html,<title>Local page</title><p>hello</p>";
    const std::string yaml =
        "session: {name: " + name +
        "}\n"
        "sandbox: {memory: 2G, pids: 1024}\n"
        "apps:\n"
        "  - name: browser\n"
        "    exec: [chromium, --no-sandbox, --disable-gpu, --no-first-run, --disable-background-networking,\n"
        "           --disable-component-update, --disable-sync, --user-data-dir=/tmp/profile, '" +
        url +
        "']\n"
        "    ready: {title: Local page, timeout: 180s}\n"
        "policy: " +
        policy.string() +
        "\n"
        "review: {vnc: {enabled: false}}\n"
        "verify:\n"
        "  - url: {matches: '^data:text/html,'}\n"
        "  - url: {equals: 'https://elsewhere.example/'}\n";
    SessionProcess session(dirs, dirs.manifest(name, yaml));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", 240'000), session.output());
    const auto [code, out] = run_deskbox(dirs, {"verify", "-s", name, "--json"});
    BOOST_TEST(code == 3, out);
    const Json results = nlohmann::json::parse(out)["results"];
    BOOST_REQUIRE_EQUAL(results.size(), 2u);
    BOOST_TEST(results[0]["passed"] == true, results[0].dump());
    BOOST_TEST(results[1]["passed"] == false, results[1].dump());
    BOOST_TEST(contains(results[1]["detail"].get<std::string>(), "the browser shows data:text/html"),
               results[1].dump());
    session.signal(SIGTERM);
    BOOST_TEST(session.wait_exit(60'000) == 3, session.output());
    // The end's checks read the same URL while the session is stopping.
    const auto verifications = records_of(dirs, name, "verification");
    BOOST_REQUIRE_EQUAL(verifications.size(), 4u);
    BOOST_TEST(verifications[2]["passed"] == true, verifications[2].dump());
    BOOST_TEST(verifications[3]["detail"] == results[1]["detail"], verifications[3].dump());
}
