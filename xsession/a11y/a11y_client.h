// The supervisor's side of the accessibility helper. It starts deskbox-a11y
// through the Spawner (inside the sandbox, as the app user) with a pipe pair as
// its stdin/stdout, and speaks JSON lines with a reply size cap and a timeout.
// It never trusts the helper: replies are shape-checked and bounded
// (a11y_wire.h), and what the helper says matched is matched again here.
//
// Calls block the calling thread for at most the reply timeout; run them off
// the event loop thread (the helper's exit is reported through on_exit).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
    std::string helper_path;             // deskbox-a11y (libexecdir/deskbox/deskbox-a11y when installed)
    std::vector<std::string> env;        // the session's app environment (DBUS_SESSION_BUS_ADDRESS, DISPLAY...)
    Millis reply_timeout{4000};          // per request; a tree query's own limit is shorter
    Limits limits;                       // asked of the helper for each query
    bool prune_hidden = true;            // skip subtrees of elements that are not showing
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
    // The tree as text: JSON (with boxes in screen and screenshot space), OSWorld XML or the linearized table.
    std::string tree_text(TreeFormat format, TreeFilter filter, ScaleFactors scale);
    // The element under a screen point, if any.
    std::optional<Element> hit_test(Point screen_point);
    // Every visible element that matches (re-checked here against the target).
    FindResult find(const ElementTarget& target);
    // Exactly one visible match, or GroundingError "expected one target, found N: ...".
    Element resolve(const ElementTarget& target);
    // Acts through AT-SPI: Click does the element's click/press/activate action,
    // Focus grabs focus, SetText replaces an editable text's content.
    // Returns the toolkit action that was done ("press", "grab_focus"...).
    std::string act(const Element& element, ElementAction action, const std::string& text = {});
    BrowserContext browser_context();
    // Waits until `target` has at least one visible match. Between searches it
    // waits for the next AT-SPI event (a window, children, showing or name
    // change), never a timer. Throws deskbox::Error at the timeout.
    FindResult wait_for(const ElementTarget& target, Millis timeout);

    bool helper_running() const { return !exited_->load(); }

private:
    nlohmann::json request(nlohmann::json req, int max_reply_bytes);
    std::string read_line(std::int64_t deadline_ms, int max_bytes);
    void write_line(const std::string& line, std::int64_t deadline_ms);
    nlohmann::json limits_json() const;

    Spawner& spawner_;
    HelperOptions options_;
    ProcessId pid_ = -1;
    UniqueFd to_helper_;
    UniqueFd from_helper_;
    std::string pending_;  // bytes read past the last newline
    std::int64_t seq_ = 0;
    std::uint64_t events_ = 0;  // AT-SPI events the helper had seen at its last reply
    std::shared_ptr<std::atomic<bool>> exited_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace deskbox::a11y
