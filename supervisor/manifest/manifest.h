// The session manifest, schema v1: what an operator asks for. Parsed strictly
// from YAML (manifest_parser.h); turned into a Plan by admission (admission.h).
// Every field has its default here and in docs/manifest.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/base/units.h"
#include "supervisor/manifest/setup.h"

namespace deskbox {

struct DisplaySpec {
    int width = 1280;
    int height = 800;
    int depth = 24;
    bool glx = false;  // the GLX extension (Mesa software OpenGL) in the session's Xvfb
    // The window manager, started after the display is ready and before the apps:
    // the bundled default (jwm with deskbox's own jwmrc, docs/display.md),
    // none (`window_manager: none` or `false`), or the manifest's own argv.
    enum class WindowManager { Default, Off, Custom };
    WindowManager window_manager_mode = WindowManager::Default;
    std::vector<std::string> window_manager;  // the argv, for Custom only
};

struct BudgetSpec {
    std::uint32_t steps = 0;                     // 0: unlimited
    Millis wall_clock = Millis(15 * 60 * 1000);  // the session ends after this
    double actions_per_second = 10;              // 0: unlimited
};

struct SessionSpec {
    std::string name;
    DisplaySpec display;
    BudgetSpec budget;
};

enum class PlaceMode { Copy, ReadOnly };

struct FilePlacement {
    std::filesystem::path from;  // on the host, resolved against the manifest's folder
    std::string to;              // inside the sandbox; "~/" means the sandbox user's home
    PlaceMode mode = PlaceMode::Copy;
};

struct SandboxSpec {
    std::uint64_t memory = 2ull << 30;  // bytes
    std::uint32_t pids = 512;
    double cpu = 1.0;  // cores
    std::uint64_t home_size = 512ull << 20;
    std::uint64_t tmp_size = 256ull << 20;
    std::uint64_t nofile = 4096;               // RLIMIT_NOFILE
    std::uint64_t max_file_size = 1ull << 30;  // RLIMIT_FSIZE
    std::vector<FilePlacement> files;
};

enum class NetworkMode { None, Allowlist };

struct ResolveTarget {
    std::string host;        // IP literal
    std::uint16_t port = 0;  // 0: keep the requested port
};

struct NetworkSpec {
    NetworkMode mode = NetworkMode::None;
    std::vector<std::string> allow;  // "ci.example", "*.incidents.example"
    std::vector<std::string> deny;   // checked first
    std::vector<std::uint16_t> ports = {80, 443};
    std::map<std::string, ResolveTarget> resolve;  // explicit test-host map
    std::uint32_t max_connections = 256;
    std::uint64_t max_bytes = 1ull << 30;
    Millis idle_timeout = Millis(60'000);
};

struct ReadyCondition {
    std::string wm_class;  // a window whose WM_CLASS (instance or class) equals this
    std::string title;     // a window whose title contains this
    std::string a11y_app;  // an accessible application with this name
    Millis timeout = Millis(30'000);
    bool empty() const { return wm_class.empty() && title.empty() && a11y_app.empty(); }
};

enum class RestartPolicy { Never, OnFailure };

struct AppSpec {
    std::string name;
    std::vector<std::string> exec;
    std::map<std::string, std::string> env;
    std::string cwd = "~";
    ReadyCondition ready;
    RestartPolicy restart = RestartPolicy::Never;
    std::uint32_t max_restarts = 3;
    // Lets a browser keep its own (user-namespace) sandbox: the seccomp filter
    // then allows CLONE_NEWUSER for this app only. See docs/security.md.
    bool browser_sandbox = false;
};

// The reviewers' VNC view is always view-only: input that bypasses the gate
// and the audit log is refused at admission (review.vnc.view_only: false).
struct VncSpec {
    bool enabled = true;
};

struct ReviewSpec {
    VncSpec vnc;
    // A reviewer may take control (review.sock "takeover"): the agent is
    // refused meanwhile and a VNC server with input runs for that reviewer
    // alone, audited from start to end (docs/review.md, "Takeover").
    bool takeover = false;
    Millis approval_timeout = Millis(5 * 60 * 1000);
};

struct SecretRef {
    std::string name;
    std::string from;  // "env:NAME" or "file:/path"
    std::vector<std::string> domains;
    SecretUse use;  // fields and windows it may be typed into (setup.h)
};

// One expected cell of a `spreadsheet` check (ranges are expanded when parsed).
struct ExpectedCell {
    int row = 0, column = 0;  // 0-based
    std::string value;
};

struct VerifyCheck {
    enum class Kind { A11y, File, Command, Url, Window, Spreadsheet } kind = Kind::A11y;
    // a11y
    std::string role, name;
    bool present = true;
    // file (inside the sandbox); spreadsheet: the office file
    std::string path, contains, equals;
    std::string sha256;   // file: lowercase hex
    std::string matches;  // file: RE2 pattern over the content; url: over the URL
    // url: equals / matches; window: wm_class / title (like app `ready`)
    std::string wm_class, title;
    // spreadsheet: 1-based sheet number, the cells expected
    int sheet = 1;
    std::vector<ExpectedCell> cells;
    // command (on the host)
    std::vector<std::string> command;
    int expect_exit = 0;
    Millis timeout = Millis(30'000);  // killed (its whole process group) after this
    int line = 0;                     // manifest line, for messages
};

// observe.record: the session's screen as a video beside the kept audit log.
struct RecordSpec {
    bool video = false;
    int fps = 5;                             // at most; no frames while the screen is still
    std::uint64_t max_bytes = 512ull << 20;  // the recording stops (with a warning) at this size
    std::int64_t max_seconds = 4 * 3600;     // ... or after this long
};

// collect: a sandbox file copied into the kept logs dir at teardown and on
// `deskbox collect` (supervisor/session/collect.h).
struct CollectEntry {
    std::string path;                      // "~/report.ods" or "/tmp/x"
    std::uint64_t max_size = 64ull << 20;  // bytes; a larger file is not copied
    int line = 0;
};

// uploads: a host file the agent may place into the sandbox by name
// ({"action":"upload","source":NAME,...}).
struct UploadSource {
    std::string name;
    std::filesystem::path from;  // resolved against the manifest's folder
    std::uint64_t max_size = 64ull << 20;
};

struct ObserveSpec {
    std::optional<int> scale_width, scale_height;  // screenshots scaled to this size
    bool keep_screenshots = false;                 // audit keeps raw pixels only if asked
    RecordSpec record;
};

struct Manifest {
    std::filesystem::path source;  // absolute path of the YAML file
    int version = 1;
    SessionSpec session;
    SandboxSpec sandbox;
    NetworkSpec network;
    std::vector<AppSpec> apps;
    std::optional<std::filesystem::path> policy;  // resolved against the manifest's folder
    ReviewSpec review;
    std::vector<SecretRef> secrets;
    std::vector<SetupStep> setup;  // host-owned steps before the agent connects (setup.h)
    std::vector<VerifyCheck> verify;
    ObserveSpec observe;
    std::vector<CollectEntry> collect;
    std::vector<UploadSource> uploads;
};

}  // namespace deskbox
