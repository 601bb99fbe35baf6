// The helper's bounded form of AT-SPI elements: walk options and results
// (shared with the pipelined tree walk), the libatspi reader of single
// elements, and paths from the desktop. Runs in the unprivileged helper:
// everything an application says is cut to the limits (nodes, depth,
// children, text, attributes, time, reply bytes) and a result says when and
// why it was cut.
#pragma once

#include <atspi/atspi.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "xsession/a11y/a11y_tree.h"
#include "xsession/a11y/helper/atspi_ref.h"

namespace deskbox::a11y {

struct WalkOptions {
    Limits limits;
    bool prune_hidden = true;  // do not descend into elements that are not showing
    std::string app;           // only applications with this exact name (empty: all)
    // Called for each element; returning false leaves it out of the result
    // (find keeps only matches) while the walk still descends into it.
    std::function<bool(const Element&)> keep;
    // Checked on the cheap fields (role, name, description, states, app,
    // window) before the costly ones are read; false skips the costly reads
    // and leaves the element out. Find uses it: most elements are not matches.
    std::function<bool(const Element&)> keep_basic;
};

struct WalkResult {
    std::vector<std::string> wire;  // encoded elements, in order
    int visited = 0;
    int calls = 0;  // D-Bus calls the walk made (the benchmark reports them)
    bool truncated = false;
    std::string reason;
};

// Reads single elements through libatspi (hit test, actions). The tree walk
// itself is pipelined_walk() (pipelined_walker.h).
class AtspiWalker {
public:
    explicit AtspiWalker(WalkOptions options);

    // Reads one element's fields, within options.limits (text, attributes).
    Element read(AtspiAccessible* acc, int parent, int depth, const std::string& path, const std::string& app,
                 const std::string& window);
    // The two halves of read(): role, name, description, states; then the rest.
    Element read_basic(AtspiAccessible* acc, int parent, int depth, const std::string& path, const std::string& app,
                       const std::string& window);
    void read_details(AtspiAccessible* acc, Element& e);

private:
    WalkOptions options_;
};

// The element at `path` ("2.0.3": child indices from the desktop), or null.
GRef<AtspiAccessible> resolve_path(const std::string& path);
// The path of `acc` from the desktop (walks its parents), "" when it cannot.
std::string path_of(AtspiAccessible* acc, int max_depth);

// pyatspi's name of a state ("multi_line" for ATSPI_STATE_MULTI_LINE).
std::string state_name(AtspiStateType state);

std::int64_t now_ms();

}  // namespace deskbox::a11y
