// observe.record in real sessions: the agent types into a real GTK entry
// while the screen is recorded; afterwards FFmpeg decodes the video and the
// test checks what a reviewer relies on: the video spans the recording, its
// frames follow the screen at the times the audit records say (the shared
// time base), the audit log's sha256 is the file's, the HTML report shows it
// all, and the bounds (max_seconds, max_bytes) stop the recording with a
// warning while the session goes on.
#define BOOST_TEST_MODULE deskbox record session tests
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "supervisor/audit/audit_html.h"
#include "supervisor/audit/audit_record.h"
#include "supervisor/base/unique_fd.h"
#include "supervisor/control/agent_client.h"
#include "tests/integration/session_harness.h"

using namespace deskbox;
using namespace deskbox::test;

namespace {

constexpr int kWidth = 640, kHeight = 480;

const char* kPolicy = R"(version: 1
default: deny
rules:
  - {name: observe, when: {action: [screenshot, wait]}, decision: allow}
  - {name: typing, when: {action: [type, click]}, decision: allow}
)";

std::string manifest_yaml(const std::string& name, const std::filesystem::path& policy, const std::string& record) {
    return "session: {name: " + name +
           ", display: {width: 640, height: 480}}\n"
           "sandbox: {memory: 1G, pids: 256}\n"
           "apps:\n"
           "  - name: entry\n"
           "    exec: [zenity, --entry, --title, rec-entry, --text, 'Type here']\n"
           "    ready: {title: rec-entry, timeout: 60s}\n"
           "policy: " +
           policy.string() +
           "\n"
           "review: {vnc: {enabled: false}}\n"
           "observe: {keep_screenshots: true, record: " +
           record + "}\n";
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<Json> records(const std::filesystem::path& log) {
    std::vector<Json> out;
    std::istringstream in(read_text(log));
    for (std::string line; std::getline(in, line);) out.push_back(Json::parse(line));
    return out;
}

// The records of `type` (and, when given, data.event == event).
std::vector<Json> of_type(const std::vector<Json>& all, const std::string& type, const std::string& event = "") {
    std::vector<Json> out;
    for (const auto& r : all)
        if (r["type"] == type && (event.empty() || r["data"].value("event", "") == event)) out.push_back(r);
    return out;
}

std::int64_t time_of(const Json& record) {
    return *parse_audit_time(record["time"].get<std::string>());
}

// Waits (inotify, no polling by sleep) until the log holds `needle`, at most timeout_ms.
bool wait_for_in_log(const std::filesystem::path& log, const std::string& needle, int timeout_ms) {
    UniqueFd in(inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    if (!in || inotify_add_watch(in.get(), log.c_str(), IN_MODIFY) < 0) return false;
    const std::int64_t deadline = monotonic_ms() + timeout_ms;
    for (;;) {
        if (read_text(log).find(needle) != std::string::npos) return true;
        const std::int64_t left = deadline - monotonic_ms();
        if (left <= 0) return false;
        pollfd p{in.get(), POLLIN, 0};
        poll(&p, 1, static_cast<int>(left));
        char buf[4096];
        while (read(in.get(), buf, sizeof buf) > 0) {
        }
    }
}

struct Video {
    std::vector<double> times;                      // pts of each frame, seconds
    std::vector<std::vector<std::uint8_t>> frames;  // rgb24, kWidth x kHeight
    double duration = 0;
};

// Decodes the whole video with FFmpeg (every frame as it is, no rate change).
Video decode(const std::filesystem::path& file, const std::filesystem::path& work) {
    Video v;
    const auto [probe_code, probe] = run_command({"ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                                  "frame=pts_time", "-of", "csv=p=0", file.string()});
    BOOST_REQUIRE_MESSAGE(probe_code == 0, probe);
    std::istringstream lines(probe);
    for (std::string line; std::getline(lines, line);)
        if (!line.empty()) v.times.push_back(std::stod(line));
    const auto [dur_code, dur] =
        run_command({"ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", file.string()});
    BOOST_REQUIRE_MESSAGE(dur_code == 0, dur);
    v.duration = std::stod(dur);
    const auto raw = work / "frames.rgb";
    const auto [code, out] = run_command({"ffmpeg", "-v", "error", "-y", "-i", file.string(), "-fps_mode",
                                          "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", raw.string()});
    BOOST_REQUIRE_MESSAGE(code == 0, out);
    const std::string bytes = read_text(raw);
    const std::size_t frame_size = static_cast<std::size_t>(kWidth) * kHeight * 3;
    BOOST_REQUIRE_EQUAL(bytes.size() % frame_size, 0u);
    for (std::size_t off = 0; off < bytes.size(); off += frame_size)
        v.frames.emplace_back(bytes.begin() + static_cast<long>(off),
                              bytes.begin() + static_cast<long>(off + frame_size));
    BOOST_REQUIRE_EQUAL(v.frames.size(), v.times.size());
    return v;
}

// Pixels that differ clearly (beyond the codec's noise) between two frames.
int changed_pixels(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
    int n = 0;
    for (std::size_t i = 0; i + 2 < a.size(); i += 3)
        if (std::abs(a[i] - b[i]) + std::abs(a[i + 1] - b[i + 1]) + std::abs(a[i + 2] - b[i + 2]) > 96) ++n;
    return n;
}

// The last frame shown at video time `t` seconds.
std::size_t frame_at(const Video& v, double t) {
    std::size_t index = 0;
    for (std::size_t i = 0; i < v.times.size(); ++i)
        if (v.times[i] <= t) index = i;
    return index;
}

struct Session {
    TestDirs dirs;
    std::string name;
    std::unique_ptr<SessionProcess> process;
    Session(const std::string& session_name, const std::string& record) : name(session_name) {
        const auto policy = dirs.root() / "policy.yaml";
        std::ofstream(policy) << kPolicy;
        process = std::make_unique<SessionProcess>(dirs, dirs.manifest(name, manifest_yaml(name, policy, record)));
        BOOST_REQUIRE_MESSAGE(process->wait_for("ready on display", 120'000), process->output());
    }
    std::filesystem::path live_log() const { return dirs.runtime() / name / "audit.jsonl"; }
    std::filesystem::path kept_dir() const { return dirs.state() / name; }
    AgentClient agent() const { return AgentClient((dirs.runtime() / name / "agent.sock").string()); }
    void stop() {
        process->signal(SIGTERM);
        BOOST_TEST(process->wait_exit(120'000) == 0, process->output());
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(the_video_follows_the_screen_on_the_audit_clock_and_is_hashed) {
    if (!require_root()) return;
    Session s("rec-main", "{video: true, fps: 5}");
    AgentClient agent = s.agent();
    Json shot = agent.call({{"id", 1}, {"action", "screenshot"}});
    BOOST_TEST_REQUIRE(shot["ok"].get<bool>(), shot.dump());
    Json typed = agent.call({{"id", 2}, {"action", "type"}, {"text", "RECORDED WWWWWWWWWW MMMMMMMMMM"}});
    BOOST_TEST_REQUIRE(typed["ok"].get<bool>(), typed.dump());
    // Settled: what was typed is on the screen (and in a frame) before the session ends.
    Json after = agent.call({{"id", 3}, {"action", "screenshot"}});
    BOOST_TEST_REQUIRE(after["ok"].get<bool>(), after.dump());
    // The agent waits a second (on the session's loop): the recorder's ticks
    // (every 200 ms) see the typed text meanwhile.
    Json waited = agent.call({{"id", 4}, {"action", "wait"}, {"duration", 1}});
    BOOST_TEST_REQUIRE(waited["ok"].get<bool>(), waited.dump());
    s.stop();

    const auto log = s.kept_dir() / "audit.jsonl";
    const auto all = records(log);
    const auto started = of_type(all, "recording", "started");
    const auto finished = of_type(all, "recording", "finished");
    BOOST_REQUIRE_EQUAL(started.size(), 1u);
    BOOST_REQUIRE_EQUAL(finished.size(), 1u);
    const Json& fin = finished[0]["data"];
    const auto file = s.kept_dir() / fin["file"].get<std::string>();
    BOOST_TEST(fin["stopped_by"] == "session end");
    BOOST_TEST(fin["encoder"] == "exited with status 0");

    // The log's hash and size are the file's.
    const FileDigest digest = sha256_of_file(file);
    BOOST_TEST(fin["sha256"] == digest.sha256);
    BOOST_TEST(fin["bytes"].get<std::uint64_t>() == digest.bytes);

    // The video spans the recording: from its start to the closing frame at
    // the session's end (after the last agent action, before the finished record).
    const std::int64_t t0 = started[0]["data"]["started_unix_ms"].get<std::int64_t>();
    BOOST_TEST(started[0]["data"]["started"] == audit_time(t0));
    std::optional<Json> type_proposal;
    for (const auto& p : of_type(all, "proposal"))
        if (p["data"]["action"].value("kind", "") == "type") type_proposal = p;
    BOOST_REQUIRE_MESSAGE(type_proposal, read_text(log));
    const auto results = of_type(all, "result");
    BOOST_REQUIRE(!results.empty());
    const Video v = decode(file, s.dirs.root());
    BOOST_TEST_MESSAGE("video: " << v.frames.size() << " frames, " << v.duration << " s");
    BOOST_TEST(v.frames.size() >= 2u);
    const double last_action = (time_of(results.back()) - t0) / 1000.0;
    const double end = (time_of(finished[0]) - t0) / 1000.0;
    BOOST_TEST(v.duration >= last_action, v.duration << " < " << last_action);
    BOOST_TEST(v.duration <= end + 0.5, v.duration << " > " << end);
    // The last frame is the closing one, stamped at the session's end (FFmpeg
    // may move the last frame's time by a few milliseconds).
    BOOST_TEST(std::abs(v.times.back() * 1000 - fin["duration_ms"].get<double>()) <= 50.0,
               v.times.back() << " vs " << fin["duration_ms"]);

    // The time base: the frame shown when the agent proposed typing has no
    // text yet; the frame shown when its wait ended has it.
    const double before_typing = (time_of(*type_proposal) - t0) / 1000.0;
    const double after_typing = (time_of(results.back()) - t0) / 1000.0;
    const auto& first = v.frames.front();
    const int changed_before = changed_pixels(first, v.frames[frame_at(v, before_typing)]);
    const int changed_after = changed_pixels(first, v.frames[frame_at(v, after_typing)]);
    const int changed_end = changed_pixels(first, v.frames.back());
    BOOST_TEST_MESSAGE("changed pixels: before typing " << changed_before << ", after " << changed_after << ", end "
                                                        << changed_end);
    BOOST_TEST(changed_before < 100);  // at most the blinking caret
    BOOST_TEST(changed_after > 300);   // thirty characters of text
    BOOST_TEST(changed_end > 300);

    // The HTML report: the recording matches, the kept screenshots are embedded.
    const auto html = s.dirs.root() / "report.html";
    const auto [code, out] = run_deskbox(s.dirs, {"audit", "show", log.string(), "--html", html.string()});
    BOOST_TEST(code == 0, out);
    BOOST_TEST(out.find("hash chain intact") != std::string::npos, out);
    const std::string page = read_text(html);
    BOOST_TEST(page.find("the file beside the log matches its sha256") != std::string::npos);
    BOOST_TEST(page.find("src=\"data:image/png;base64,") != std::string::npos);
    BOOST_TEST(page.find(digest.sha256) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(max_seconds_stops_the_recording_and_the_session_goes_on) {
    if (!require_root()) return;
    Session s("rec-seconds", "{video: true, fps: 5, max_seconds: 2}");
    BOOST_REQUIRE_MESSAGE(wait_for_in_log(s.live_log(), "recording stopped: max_seconds reached", 60'000),
                          read_text(s.live_log()));
    // The session still serves the agent.
    Json typed = s.agent().call({{"id", 1}, {"action", "type"}, {"text", "still here"}});
    BOOST_TEST(typed["ok"].get<bool>(), typed.dump());
    s.stop();
    const auto all = records(s.kept_dir() / "audit.jsonl");
    const auto finished = of_type(all, "recording", "finished");
    BOOST_REQUIRE_EQUAL(finished.size(), 1u);
    BOOST_TEST(finished[0]["data"]["stopped_by"] == "max_seconds");
    const auto file = s.kept_dir() / finished[0]["data"]["file"].get<std::string>();
    BOOST_TEST(finished[0]["data"]["sha256"] == sha256_of_file(file).sha256);
    const Video v = decode(file, s.dirs.root());
    // The closing frame is at the bound (not before it), and nothing comes
    // after the warning that the recording stopped.
    const std::int64_t t0 = of_type(all, "recording", "started").at(0)["data"]["started_unix_ms"].get<std::int64_t>();
    std::optional<Json> warning;
    for (const auto& w : of_type(all, "warning"))
        if (w["data"].value("what", "") == "recording stopped: max_seconds reached") warning = w;
    BOOST_REQUIRE(warning);
    BOOST_TEST(v.times.back() >= 1.99);
    BOOST_TEST(v.times.back() <= (time_of(*warning) - t0) / 1000.0 + 0.002);
}

BOOST_AUTO_TEST_CASE(max_bytes_stops_the_recording_with_a_warning) {
    if (!require_root()) return;
    Session s("rec-bytes", "{video: true, fps: 5, max_bytes: 2K}");
    // Changes keep coming until the file has passed the bound.
    AgentClient agent = s.agent();
    for (int i = 0; i < 40 && read_text(s.live_log()).find("max_bytes reached") == std::string::npos; ++i) {
        Json typed = agent.call({{"id", i}, {"action", "type"}, {"text", "more text "}});
        BOOST_TEST_REQUIRE(typed["ok"].get<bool>(), typed.dump());
        // The agent waits (within the policy's rate budget) while the recorder sends the change.
        Json waited = agent.call({{"id", 100 + i}, {"action", "wait"}, {"duration", 1}});
        BOOST_TEST_REQUIRE(waited["ok"].get<bool>(), waited.dump());
    }
    BOOST_REQUIRE_MESSAGE(wait_for_in_log(s.live_log(), "recording stopped: max_bytes reached", 60'000),
                          read_text(s.live_log()));
    s.stop();
    const auto finished = of_type(records(s.kept_dir() / "audit.jsonl"), "recording", "finished");
    BOOST_REQUIRE_EQUAL(finished.size(), 1u);
    BOOST_TEST(finished[0]["data"]["stopped_by"] == "max_bytes");
    const auto file = s.kept_dir() / finished[0]["data"]["file"].get<std::string>();
    BOOST_TEST(finished[0]["data"]["sha256"] == sha256_of_file(file).sha256);
    // What was written is a playable video.
    const Video v = decode(file, s.dirs.root());
    BOOST_TEST(v.frames.size() >= 1u);
}
