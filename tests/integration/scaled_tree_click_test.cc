// An agent that reads the accessibility tree and clicks where it says, in a
// scaled session: LibreOffice Calc on a 1280x800 screen, screenshots (and so
// the agent's coordinates) 1024x640. The agent reads cell B2's position from
// OSWorld's linearized table, clicks its centre with pyautogui code (as
// OSWorld's screenshot_a11y_tree agents do) and types a number; the number
// must land in B2. Were the table in screen pixels, the click would land
// about a fifth further right and down, in another cell.
#define BOOST_TEST_MODULE deskbox scaled tree click
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "supervisor/control/agent_client.h"
#include "tests/integration/calc_profile.h"
#include "tests/integration/session_harness.h"

using namespace deskbox;
using namespace deskbox::test;

namespace {

constexpr int kCalcTimeoutMs = 180'000;

const char* kPolicy = R"(version: 1
default: deny
tiers: {low: allow, medium: allow}
rules:
  - {name: observe, when: {action: [screenshot, tree, hit_test, cursor_position, wait]}, tier: low}
  - {name: pointer and keyboard, when: {action: [mouse_move, click, type, key]}, tier: medium}
)";

bool calc_installed() {
    const auto [code, out] = run_command({"sh", "-c", "command -v libreoffice"});
    if (code == 0) return true;
    const char* must = std::getenv("DESKBOX_MUST_WORK");
    if (must && std::string(must) == "1") BOOST_FAIL("libreoffice is not installed (DESKBOX_MUST_WORK=1)");
    BOOST_TEST_MESSAGE("skipped: libreoffice is not installed");
    return false;
}

std::string manifest_yaml(const std::string& name, const std::filesystem::path& policy,
                          const std::filesystem::path& profile) {
    return "session: {name: " + name +
           ", display: {width: 1280, height: 800}, budget: {actions_per_second: 0}}\n"
           "sandbox:\n"
           "  memory: 2G\n"
           "  pids: 1024\n"
           "  files: [{from: " +
           profile.string() +
           ", to: ~/.config/libreoffice/4/user/registrymodifications.xcu}]\n"
           "apps:\n"
           "  - name: calc\n"
           "    exec: [libreoffice, --calc, --norestore, --nologo]\n"
           "    ready: {title: LibreOffice Calc, timeout: 180s}\n"
           "policy: " +
           policy.string() +
           "\n"
           "review: {vnc: {enabled: false}}\n"
           "observe: {scale: {width: 1024, height: 640}}\n";
}

// The linearized table through agent.sock, as an agent asks for it.
std::string linearized(AgentClient& agent) {
    const Json reply = agent.call({{"action", "tree"}, {"format", "linearized"}, {"interactive_only", true}});
    BOOST_TEST_REQUIRE(reply.value("ok", false), reply.dump());
    return reply["result"]["text"].get<std::string>();
}

// The row of `tag` `name` split on tabs; empty when there is none.
std::vector<std::string> row_of(const std::string& table, const std::string& tag, const std::string& name) {
    std::istringstream lines(table);
    for (std::string line; std::getline(lines, line);) {
        if (!line.starts_with(tag + "\t" + name + "\t")) continue;
        std::vector<std::string> cols;
        std::istringstream fields(line);
        for (std::string col; std::getline(fields, col, '\t');) cols.push_back(col);
        return cols;
    }
    return {};
}

// Waits until B2 is listed and the screen is still (a settled screenshot is
// the event; Calc draws its grid and toolbars for a while after its window
// maps), then returns the table read after the screen settled.
std::string table_with_b2(AgentClient& agent) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kCalcTimeoutMs);
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
        const Json shot = agent.call({{"action", "screenshot"}, {"format", "jpeg"}, {"settle", true}});
        BOOST_TEST_REQUIRE(shot.value("ok", false), shot.dump().substr(0, 400));
        last = linearized(agent);
        if (!row_of(last, "table-cell", "B2").empty()) return last;
    }
    BOOST_FAIL("cell B2 was not in the linearized table within " + std::to_string(kCalcTimeoutMs) +
               " ms; last table:\n" + last);
    return {};
}

// "(12, 34)" -> {12, 34}
std::pair<int, int> pair_of(const std::string& text) {
    int a = 0, b = 0;
    BOOST_TEST_REQUIRE(std::sscanf(text.c_str(), "(%d, %d)", &a, &b) == 2, text);
    return {a, b};
}

// Cell `name` of the JSON tree (its element object); null when not there.
Json json_cell(AgentClient& agent, const std::string& name) {
    const Json reply = agent.call({{"action", "tree"}, {"interactive_only", true}});
    BOOST_TEST_REQUIRE(reply.value("ok", false), reply.dump().substr(0, 400));
    for (const Json& e : reply["result"]["data"]["elements"])
        if (e.value("role", "") == "table cell" && e.value("name", "") == name) return e;
    return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_CASE(agent_clicks_a_calc_cell_where_the_scaled_linearized_table_says) {
    if (!require_root() || !calc_installed()) return;
    TestDirs dirs;
    const auto policy = dirs.root() / "policy.yaml";
    std::ofstream(policy) << kPolicy;
    const auto profile = dirs.root() / "registrymodifications.xcu";
    std::ofstream(profile) << kCalcProfile;
    const std::string name = "scaled-calc";
    SessionProcess session(dirs, dirs.manifest(name, manifest_yaml(name, policy, profile)));
    BOOST_REQUIRE_MESSAGE(session.wait_for("ready on display", kCalcTimeoutMs), session.output());
    AgentClient agent((dirs.runtime() / name / "agent.sock").string());

    // The screenshots the agent gets are 1024x640: its space.
    const Json shot = agent.call({{"action", "screenshot"}});
    BOOST_TEST_REQUIRE(shot.value("ok", false), shot.dump().substr(0, 400));

    // LibreOffice (7.4, VCL gtk3) reports its cells about 25 screen pixels too
    // high until the pointer has been over the sheet once; an agent looks
    // around the same way before it reads the tree.
    const Json moved = agent.call({{"code", "pyautogui.moveTo(512, 400)"}});
    BOOST_TEST_REQUIRE(moved.value("ok", false), moved.dump());

    const std::string table = table_with_b2(agent);
    const auto b2 = row_of(table, "table-cell", "B2");
    BOOST_TEST_REQUIRE(b2.size() == 7u, table);
    const auto [x, y] = pair_of(b2[5]);
    const auto [w, h] = pair_of(b2[6]);
    BOOST_TEST_MESSAGE("B2 in the linearized table: (" << x << ", " << y << ") " << w << "x" << h);

    // The JSON keeps both: bbox in screen pixels, bbox_scaled the table's numbers.
    const Json cell = json_cell(agent, "B2");
    BOOST_TEST_REQUIRE(!cell.is_null(), "B2 is not in the JSON tree");
    BOOST_TEST(cell["bbox_scaled"]["x"].get<int>() == x, cell.dump());
    BOOST_TEST(cell["bbox_scaled"]["y"].get<int>() == y, cell.dump());
    BOOST_TEST(cell["bbox_scaled"]["width"].get<int>() == w, cell.dump());
    BOOST_TEST(cell["bbox_scaled"]["height"].get<int>() == h, cell.dump());
    // 1024/1280 = 640/800 = 0.8: the screen box is a quarter larger.
    BOOST_TEST(std::abs(cell["bbox"]["x"].get<int>() * 4 - x * 5) <= 5, cell.dump());
    BOOST_TEST(std::abs(cell["bbox"]["y"].get<int>() * 4 - y * 5) <= 5, cell.dump());
    BOOST_TEST(cell["bbox"]["x"].get<int>() != x, "B2 is too near the origin to tell the spaces apart");

    // A hit test at the table's centre (agent space) names B2 and gives the
    // box in both spaces.
    const int cx = x + w / 2, cy = y + h / 2;
    const Json hit = agent.call({{"action", "hit_test"}, {"x", cx}, {"y", cy}});
    BOOST_TEST_REQUIRE(hit.value("ok", false), hit.dump());
    const Json& element = hit["result"]["data"]["element"];
    BOOST_TEST(element.value("name", "") == "B2", hit.dump());
    BOOST_TEST(element["box_scaled"] == cell["bbox_scaled"], hit.dump());
    BOOST_TEST(element["box"] == cell["bbox"], hit.dump());

    // The agent clicks the centre and types a number (OSWorld pyautogui code).
    const Json click = agent.call(
        {{"code", "import pyautogui\npyautogui.click(" + std::to_string(cx) + ", " + std::to_string(cy) + ")"}});
    BOOST_TEST_REQUIRE(click.value("ok", false), click.dump());
    const Json typed = agent.call({{"code", "pyautogui.typewrite('4242')\npyautogui.press('enter')"}});
    BOOST_TEST_REQUIRE(typed.value("ok", false), typed.dump());

    // The number is in B2, and only there.
    const Json settled = agent.call({{"action", "screenshot"}, {"format", "jpeg"}, {"settle", true}});
    BOOST_TEST_REQUIRE(settled.value("ok", false), settled.dump().substr(0, 400));
    const std::string after = linearized(agent);
    const auto b2_after = row_of(after, "table-cell", "B2");
    BOOST_TEST_REQUIRE(b2_after.size() == 7u, after);
    BOOST_TEST(b2_after[2] == "4242", after);
    std::size_t rows_with_number = 0;
    std::istringstream lines(after);
    for (std::string line; std::getline(lines, line);) rows_with_number += line.find("\t4242\t") != std::string::npos;
    BOOST_TEST(rows_with_number == 1u, after);

    session.signal(SIGTERM);
    BOOST_TEST(session.wait_exit(60'000) == 0, session.output());
}
