// The supervisor's side of the accessibility helper. It starts deskbox-a11y
// through the Spawner (inside the sandbox, as the app user) with a pipe pair as
// its stdin/stdout, and speaks JSON lines with a reply size cap and a timeout.
// It never trusts the helper: replies are shape-checked and bounded
// (a11y_wire.h), and what the helper says matched is matched again here.
//
// The plain calls block the calling thread for at most the reply timeout. An
// event loop uses the split form instead: begin_*() sends the request and
// returns at once; poll_fd() becomes readable as the reply arrives; each time,
// on_readable() reads what is there without blocking and says whether the
// reply is complete (it throws at deadline_ms() or when the helper died);
// finish_*() then decodes it. One request at a time (the helper answers in
// order); the blocking calls are begin + poll + finish.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "supervisor/base/spawner.h"
#include "supervisor/base/unique_fd.h"
#include "supervisor/base/units.h"
#include "xsession/a11y/a11y_filter.h"
#include "xsession/a11y/a11y_match.h"
#include "xsession/a11y/a11y_tree.h"

namespace deskbox::a11y {

enum class TreeFormat { Json, OsworldXml, Linearized };
TreeFormat parse_format(const std::string& text);  // "json" | "osworld_xml" | "linearized"

struct HelperOptions {
    std::string helper_path;       // deskbox-a11y (libexecdir/deskbox/deskbox-a11y when installed)
    std::vector<std::string> env;  // the session's app environment (DBUS_SESSION_BUS_ADDRESS, DISPLAY...)
    Millis reply_timeout{4000};    // per request; a tree query's own limit is shorter
    Limits limits;                 // asked of the helper for each query
    bool prune_hidden = true;      // skip subtrees of elements that are not showing
};

struct FindResult {
    std::vector<Element> matches;
    bool truncated = false;
    std::string truncated_reason;
};

enum class ElementAction { Click, Focus, SetText };

struct BrowserContext {
    std::string url;
    std::string title;
    std::string app;
    std::string window;
};

// Where `path` finds the helper when it was not installed: next to the
// build's other binaries (DESKBOX_A11Y_HELPER overrides both).
std::string default_helper_path();

// A whole tree (TreeFilter::All, as finish_tree gives it) in one of the text
// formats; what tree_text returns.
std::string format_tree(const Tree& all, TreeFormat format, TreeFilter filter, ScaleFactors scale);

class A11yClient {
public:
    // Starts the helper and waits for its first pong. Throws deskbox::Error.
    A11yClient(Spawner& spawner, HelperOptions options);
    ~A11yClient();  // closes the pipes (the helper exits on EOF) and signals it
    A11yClient(const A11yClient&) = delete;
    A11yClient& operator=(const A11yClient&) = delete;

    void ping();
    // The whole tree (bounded; Tree::truncated says when and why it was cut).
    Tree tree(TreeFilter filter = TreeFilter::All);
    // The tree as text: JSON (boxes in screen and in screenshot space), OSWorld
    // XML or the linearized table (boxes in screenshot space: `scale`).
    std::string tree_text(TreeFormat format, TreeFilter filter, ScaleFactors scale);
    // The element under a screen point, if any.
    std::optional<Element> hit_test(Point screen_point);
    // The element with keyboard focus, if any application says it has one.
    std::optional<Element> focused();
    // Every visible element that matches (re-checked here against the target).
    FindResult find(const ElementTarget& target);
    // Exactly one visible match, or GroundingError "expected one target, found N: ...".
    Element resolve(const ElementTarget& target);
    // Acts through AT-SPI: Click does the element's click/press/activate action,
    // Focus grabs focus, SetText replaces an editable text's content.
    // Returns the toolkit action that was done ("press", "grab_focus"...).
    std::string act(const Element& element, ElementAction action, const std::string& text = {});
    // The showing browser document (of `app` and its top-level `window` when given).
    BrowserContext browser_context(const std::string& app = {}, const std::string& window = {});
    // Waits until `target` has at least one visible match. Between searches it
    // waits for the next AT-SPI event (a window, children, showing or name
    // change), never a timer. Throws deskbox::Error at the timeout.
    FindResult wait_for(const ElementTarget& target, Millis timeout);

    bool helper_running() const { return !exited_->load(); }

    // How the blocking calls wait for the helper's reply: called with the fd
    // to wait for (POLLIN) and the request's deadline; returns when the fd may
    // be readable or a short slice has passed, and may throw to abandon the
    // request (its late reply is skipped). The session serves its kill switch
    // from here (EventLoop::dispatch_urgent). Default: poll() until the deadline.
    using WaitHook = std::function<void(int fd, std::int64_t deadline_ms)>;
    void set_wait_hook(WaitHook hook) { wait_hook_ = std::move(hook); }
    // Called by a blocking call when a non-blocking request is still in
    // flight: the hook must end that request (LoopLookups waits for its reply
    // with wait_reply() and hands it on later). Without one, the blocking call
    // throws as begin_* does.
    void set_busy_hook(std::function<void()> hook) { busy_hook_ = std::move(hook); }

    // Non-blocking form (see the top of this file). begin_* throws
    // deskbox::Error when a request is already in flight or the helper is gone.
    void begin_tree();
    Tree finish_tree(TreeFilter filter = TreeFilter::All);
    void begin_find(const ElementTarget& target);
    FindResult finish_find();
    void begin_hit_test(Point screen_point);
    std::optional<Element> finish_hit_test();
    void begin_focused();
    std::optional<Element> finish_focused();
    void begin_act(const Element& element, ElementAction action, const std::string& text = {});
    std::string finish_act();
    void begin_browser_context(const std::string& app = {}, const std::string& window = {});
    BrowserContext finish_browser_context();

    int poll_fd() const { return from_helper_.get(); }  // wait for POLLIN
    bool in_flight() const { return inflight_.has_value(); }
    std::int64_t deadline_ms() const;  // CLOCK_MONOTONIC ms; on_readable() throws once it has passed
    // Reads what the helper has written, never blocking. True once the reply
    // is complete (call finish_*); throws deskbox::Error on timeout, on the
    // helper's exit or on a malformed reply (the request is then over).
    bool on_readable();
    // Blocks until the request in flight is answered (through the wait hook,
    // as the blocking calls do); finish_* then decodes it. Throws as they do.
    void wait_reply() { wait_ready(); }

private:
    struct InFlight {
        std::int64_t seq = 0;
        std::int64_t deadline_ms = 0;
        int max_reply_bytes = 0;
        std::string op;
        std::optional<nlohmann::json> reply;
    };
    nlohmann::json request(nlohmann::json req, int max_reply_bytes);
    void begin(nlohmann::json req, int max_reply_bytes);
    void wait_ready();  // polls until on_readable() says the reply is in
    void make_room();   // a blocking call is about to begin: ends a non-blocking one (busy hook)
    nlohmann::json take_reply(const char* op);
    std::optional<std::string> take_line(int max_bytes);
    void write_line(const std::string& line, std::int64_t deadline_ms);
    nlohmann::json limits_json() const;

    Spawner& spawner_;
    HelperOptions options_;
    ProcessId pid_ = -1;
    UniqueFd to_helper_;
    UniqueFd from_helper_;
    std::string pending_;      // bytes read past the last newline
    bool discarding_ = false;  // inside an overlong reply: dropped up to its newline
    std::optional<InFlight> inflight_;
    std::optional<TargetMatcher> find_matcher_;  // of the find in flight
    std::int64_t seq_ = 0;
    WaitHook wait_hook_;
    std::function<void()> busy_hook_;
    std::uint64_t events_ = 0;  // AT-SPI events the helper had seen at its last reply
    std::shared_ptr<std::atomic<bool>> exited_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace deskbox::a11y
