// The tree walk of the helper, with the AT-SPI D-Bus interfaces spoken
// directly and pipelined (call_pipe.h) instead of libatspi's one blocking round
// trip per property. Per element it asks, all at once: the Accessible
// properties in one GetAll, GetRole, GetState, GetInterfaces; then, again at
// once, only what the element has: GetAttributes, the screen extents when it
// is showing and visible, the text, the Value properties in one GetAll, the
// actions in one GetActions, and its children in one GetChildren. Many
// elements (of every application) are in flight at the same time.
//
// Bounds are applied before calls are made: no element past max_nodes is
// asked anything, subtrees that are not showing are not entered (prune_hidden),
// and a container that manages its descendants or has more than max_children
// children (a spreadsheet's table has millions of cells) is never listed:
// only the cells on screen are read through its Table interface, or else its
// first max_children children one by one. At the time limit everything in
// flight is cancelled and the elements not fully read are left out.
#pragma once

#include "xsession/a11y/helper/atspi_walker.h"

namespace deskbox::a11y {

// Walks every application (or options.app) on the accessibility bus. The
// result has the same form and the same cut rules as AtspiWalker's: elements
// in pre-order, parents before children, `truncated` and `reason` set when a
// limit was reached. Throws deskbox::Error when the bus cannot be reached.
WalkResult pipelined_walk(const WalkOptions& options);

}  // namespace deskbox::a11y
