#include "xsession/display/window_identity.h"

#include <X11/Xatom.h>
#include <X11/Xutil.h>
#include <X11/extensions/XRes.h>

#include <deque>
#include <vector>

#include "xsession/display/window_manager.h"
#include "xsession/display/x_error.h"

namespace deskbox {
namespace {

constexpr int kMaxDescent = 4;  // frame → client: window managers nest one to three levels
constexpr int kMaxAncestors = 64;

std::string hex(Window w) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%lx", w);
    return buf;
}

// Every call below runs inside one XErrorTrap; a window that vanishes makes
// the whole lookup unreadable rather than half-answered.
void check(XErrorTrap& trap, const char* what) {
    const auto& errors = trap.sync_and_get();
    if (!errors.empty()) throw WindowUnreadable(std::string(what) + ": " + errors.front().message);
}

bool has_property(Display* d, Window w, Atom property) {
    Atom type = None;
    int format = 0;
    unsigned long count = 0, after = 0;
    unsigned char* data = nullptr;
    const bool found = XGetWindowProperty(d, w, property, 0, 0, False, AnyPropertyType, &type, &format, &count, &after,
                                          &data) == Success &&
                       type != None;
    if (data) XFree(data);
    return found;
}

std::vector<Window> children_of(Display* d, Window w) {
    Window root = 0, parent = 0, *children = nullptr;
    unsigned int count = 0;
    std::vector<Window> out;
    if (XQueryTree(d, w, &root, &parent, &children, &count) && children) out.assign(children, children + count);
    if (children) XFree(children);
    return out;
}

Window parent_of(Display* d, Window w, Window* root_out) {
    Window root = 0, parent = 0, *children = nullptr;
    unsigned int count = 0;
    if (!XQueryTree(d, w, &root, &parent, &children, &count)) return None;
    if (children) XFree(children);
    *root_out = root;
    return parent;
}

bool has_class(Display* d, Window w) {
    XClassHint hint{};
    if (!XGetClassHint(d, w, &hint)) return false;
    if (hint.res_name) XFree(hint.res_name);
    if (hint.res_class) XFree(hint.res_class);
    return true;
}

// Below a top-level (a window manager's frame, or the app's own window when
// there is none): the client is the window with WM_STATE (set by the window
// manager on the clients it manages, ICCCM 4.1.3.1), else the first with
// WM_CLASS, breadth first, the top-level itself first.
Window find_client(Display* d, Window top) {
    const Atom wm_state = XInternAtom(d, "WM_STATE", False);
    // Without a window manager (and for override-redirect menus) the
    // top-level is the client itself: one request, no descent. Window
    // managers' frames carry no WM_CLASS.
    if (has_class(d, top)) return top;
    Window with_class = None;
    std::deque<std::pair<Window, int>> queue{{top, 0}};
    while (!queue.empty()) {
        const auto [w, depth] = queue.front();
        queue.pop_front();
        if (has_property(d, w, wm_state)) return w;
        if (with_class == None && has_class(d, w)) with_class = w;
        if (depth < kMaxDescent)
            for (Window c : children_of(d, w)) queue.emplace_back(c, depth + 1);
    }
    return with_class;
}

std::optional<std::string> utf8_name(Display* d, Window w) {
    const Atom net_wm_name = XInternAtom(d, "_NET_WM_NAME", False);
    const Atom utf8 = XInternAtom(d, "UTF8_STRING", False);
    Atom type = None;
    int format = 0;
    unsigned long count = 0, after = 0;
    unsigned char* data = nullptr;
    std::optional<std::string> out;
    if (XGetWindowProperty(d, w, net_wm_name, 0, 1024, False, utf8, &type, &format, &count, &after, &data) == Success &&
        type == utf8 && format == 8 && data)
        out = std::string(reinterpret_cast<char*>(data), count);
    if (data) XFree(data);
    return out;
}

int net_wm_pid(Display* d, Window w) {
    const Atom property = XInternAtom(d, "_NET_WM_PID", False);
    Atom type = None;
    int format = 0;
    unsigned long count = 0, after = 0;
    unsigned char* data = nullptr;
    int pid = -1;
    if (XGetWindowProperty(d, w, property, 0, 1, False, XA_CARDINAL, &type, &format, &count, &after, &data) ==
            Success &&
        type == XA_CARDINAL && format == 32 && count == 1 && data)
        pid = static_cast<int>(*reinterpret_cast<unsigned long*>(data));
    if (data) XFree(data);
    return pid;
}

// The pid of the X client that created `w`, as the X server sees it (the
// server runs in the session's pid namespace, like the apps).
int xres_pid(Display* d, Window w) {
    int event_base = 0, error_base = 0;
    if (!XResQueryExtension(d, &event_base, &error_base)) return -1;
    XResClientIdSpec spec{};
    spec.client = w;
    spec.mask = XRES_CLIENT_ID_PID_MASK;
    long count = 0;
    XResClientIdValue* ids = nullptr;
    int pid = -1;
    if (XResQueryClientIds(d, 1, &spec, &count, &ids) == Success) {
        for (long i = 0; i < count && pid < 0; ++i) pid = XResGetClientPid(&ids[i]);
    }
    if (ids) XResClientIdsDestroy(count, ids);
    return pid;
}

bool takes_focus(Display* d, Window w) {
    if (XWMHints* hints = XGetWMHints(d, w)) {
        const bool input = !(hints->flags & InputHint) || hints->input;
        XFree(hints);
        if (input) return true;
    } else {
        return true;  // no hints: ICCCM says assume it takes input
    }
    Atom* protocols = nullptr;
    int count = 0;
    bool take_focus = false;
    if (XGetWMProtocols(d, w, &protocols, &count)) {
        const Atom wm_take_focus = XInternAtom(d, "WM_TAKE_FOCUS", False);
        for (int i = 0; i < count; ++i) take_focus = take_focus || protocols[i] == wm_take_focus;
        XFree(protocols);
    }
    return take_focus;
}

ClientWindow describe(Display* d, Window w) {
    ClientWindow c;
    c.id = w;
    XClassHint hint{};
    if (XGetClassHint(d, w, &hint)) {
        if (hint.res_name) c.wm_instance = hint.res_name;
        if (hint.res_class) c.wm_class = hint.res_class;
        if (hint.res_name) XFree(hint.res_name);
        if (hint.res_class) XFree(hint.res_class);
    }
    if (auto name = utf8_name(d, w)) {
        c.title = *name;
    } else {
        char* name_text = nullptr;
        if (XFetchName(d, w, &name_text) && name_text) c.title = name_text;
        if (name_text) XFree(name_text);
    }
    c.pid = net_wm_pid(d, w);
    if (c.pid < 0) c.pid = xres_pid(d, w);
    c.takes_focus = takes_focus(d, w);
    return c;
}

// The client under the top-level child of the root `top`; a top-level with no
// WM_CLASS anywhere below it cannot be named, which is unreadable, not absent.
ClientWindow client_of_top_level(Display* d, Window top, XErrorTrap& trap) {
    const Window client = find_client(d, top);
    if (client == None) {
        check(trap, ("reading the window " + hex(top)).c_str());
        throw WindowUnreadable("the window " + hex(top) + " carries no WM_CLASS");
    }
    ClientWindow c = describe(d, client);
    check(trap, ("reading the window " + hex(client)).c_str());  // one sync for the whole lookup
    return c;
}

std::optional<ClientWindow> at_point(Display* d, int px, int py, XErrorTrap& trap) {
    const Window root = DefaultRootWindow(d);
    int x = 0, y = 0;
    Window child = None;
    // The server answers with the topmost viewable child of the root that
    // contains the point (stacking order and input shapes applied).
    if (!XTranslateCoordinates(d, root, root, px, py, &x, &y, &child))
        throw WindowUnreadable("asking the X server which window is at (" + std::to_string(px) + ", " +
                               std::to_string(py) + ")");
    if (child == None) return std::nullopt;  // a reply came: the request did not fail
    return client_of_top_level(d, child, trap);
}

}  // namespace

std::optional<ClientWindow> client_window_at(Display* display, int root_x, int root_y) {
    XErrorTrap trap(display);
    return at_point(display, root_x, root_y, trap);
}

KeyboardTarget keyboard_window(Display* display) {
    XErrorTrap trap(display);
    KeyboardTarget target;
    Window focus = None;
    int revert = 0;
    XGetInputFocus(display, &focus, &revert);
    check(trap, "reading the X input focus");
    const Window root = DefaultRootWindow(display);
    if (focus == None || focus == PointerRoot) {
        Window root_return = 0, child = 0;
        int root_x = 0, root_y = 0, win_x = 0, win_y = 0;
        unsigned int mask = 0;
        if (!XQueryPointer(display, root, &root_return, &child, &root_x, &root_y, &win_x, &win_y, &mask))
            throw WindowUnreadable("the pointer is on another screen");
        target.via_pointer = true;
        target.window = at_point(display, root_x, root_y, trap);
        return target;
    }
    if (focus == root) return target;  // keys go to the root window: no client gets them
    if (focus == window_manager_check_window(display)) return target;  // the window manager's: no client
    // The focus window itself, or its nearest ancestor, is usually the client.
    Window w = focus;
    for (int depth = 0; depth < kMaxAncestors && w != None && w != root; ++depth) {
        if (has_class(display, w)) {
            target.window = describe(display, w);
            check(trap, "reading the focused window");
            return target;
        }
        Window root_return = 0;
        const Window parent = parent_of(display, w, &root_return);
        check(trap, "walking up from the focused window");
        if (parent == root_return) {
            // A top-level without WM_CLASS on the way up: a window manager's frame.
            target.window = client_of_top_level(display, w, trap);
            return target;
        }
        w = parent;
    }
    throw WindowUnreadable("the focused window " + hex(focus) + " has no top-level with WM_CLASS");
}

}  // namespace deskbox
