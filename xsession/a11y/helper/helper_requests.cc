#include "xsession/a11y/helper/helper_requests.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "supervisor/base/error.h"
#include "xsession/a11y/a11y_match.h"
#include "xsession/a11y/a11y_wire.h"
#include "xsession/a11y/helper/atspi_walker.h"
#include "xsession/a11y/helper/pipelined_walker.h"

namespace deskbox::a11y {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxRequestBytes = 64 * 1024;

// Events that may change what a query finds; counted, never parsed.
std::uint64_t g_events = 0;

void count_event(AtspiEvent* event, void*) {
    ++g_events;
    g_boxed_free(ATSPI_TYPE_EVENT, event);
}

// The last element that said it gained focus (object:state-changed:focused,
// detail1 = 1). AT-SPI has no "who has focus" call; screen readers track
// these events the same way. Checked again before it is reported.
GRef<AtspiAccessible> g_focused;

void track_focus(AtspiEvent* event, void*) {
    if (event->detail1 == 1 && event->source)
        g_focused.reset(static_cast<AtspiAccessible*>(g_object_ref(event->source)));
    g_boxed_free(ATSPI_TYPE_EVENT, event);
}

bool has_states(AtspiAccessible* acc, std::initializer_list<AtspiStateType> wanted) {
    GRef<AtspiStateSet> states{atspi_accessible_get_state_set(acc)};
    if (!states) return false;
    for (AtspiStateType s : wanted)
        if (!atspi_state_set_contains(states.get(), s)) return false;
    return true;
}

gboolean wake(gpointer flag) {
    *static_cast<bool*>(flag) = true;
    return G_SOURCE_REMOVE;
}

std::string do_wait_event(const json& seq, const json& request) {
    std::uint64_t since = 0;
    if (auto s = request.find("since"); s != request.end() && s->is_number_unsigned()) since = s->get<std::uint64_t>();
    int timeout = 1000;
    if (auto t = request.find("timeout_ms"); t != request.end() && t->is_number_integer())
        timeout = static_cast<int>(std::clamp<long long>(t->get<long long>(), 0, 10000));
    bool timed_out = false;
    const guint timer = g_timeout_add(static_cast<guint>(timeout), wake, &timed_out);
    // Dispatches D-Bus traffic (and so the listeners) until an event or the timer.
    while (g_events <= since && !timed_out) g_main_context_iteration(nullptr, TRUE);
    if (!timed_out) g_source_remove(timer);
    return json{{"seq", seq}, {"ok", true}, {"events", g_events}}.dump();
}

int clamp_field(const json& limits, const char* key, int fallback, int maximum) {
    auto it = limits.find(key);
    if (it == limits.end()) return fallback;
    if (!it->is_number_integer()) throw Error(std::string("limits.") + key + " is not an integer");
    return static_cast<int>(std::clamp<long long>(it->get<long long>(), 1, maximum));
}

Limits limits_from(const json& request) {
    Limits l;
    const Limits hard = Limits::hard_maximum();
    auto it = request.find("limits");
    if (it == request.end()) return l;
    if (!it->is_object()) throw Error("limits is not an object");
    l.max_nodes = clamp_field(*it, "max_nodes", l.max_nodes, hard.max_nodes);
    l.max_depth = clamp_field(*it, "max_depth", l.max_depth, hard.max_depth);
    l.max_children = clamp_field(*it, "max_children", l.max_children, hard.max_children);
    l.max_text = clamp_field(*it, "max_text", l.max_text, hard.max_text);
    l.max_attributes = clamp_field(*it, "max_attributes", l.max_attributes, hard.max_attributes);
    l.max_reply_bytes = std::max(4096, clamp_field(*it, "max_reply_bytes", l.max_reply_bytes, hard.max_reply_bytes));
    l.time_ms = clamp_field(*it, "time_ms", l.time_ms, hard.time_ms);
    return l;
}

std::string string_field(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return {};
    if (!it->is_string()) throw Error(std::string(key) + " is not a string");
    return it->get<std::string>();
}

// The reply is assembled from the already encoded elements so that its size is
// what the walk counted.
std::string walk_reply(const json& seq, const WalkResult& r) {
    std::string out = "{\"seq\":" + seq.dump() + ",\"ok\":true,\"events\":" + std::to_string(g_events) +
                      ",\"visited\":" + std::to_string(r.visited) + ",\"calls\":" + std::to_string(r.calls) +
                      ",\"truncated\":" + (r.truncated ? "true" : "false") + ",\"reason\":" + json(r.reason).dump() +
                      ",\"elements\":[";
    for (std::size_t i = 0; i < r.wire.size(); ++i) {
        if (i) out += ',';
        out += r.wire[i];
    }
    out += "]}";
    return out;
}

ElementTarget target_from(const json& request) {
    auto t = request.find("target");
    if (t == request.end() || !t->is_object()) throw Error("find needs a target object");
    ElementTarget target;
    target.role = string_field(*t, "role");
    target.name = string_field(*t, "name");
    target.app = string_field(*t, "app");
    target.window = string_field(*t, "window");
    if (auto r = t->find("regex"); r != t->end()) target.regex = r->is_boolean() && r->get<bool>();
    return target;
}

std::string do_tree(const json& seq, const json& request) {
    WalkOptions options;
    options.limits = limits_from(request);
    if (auto p = request.find("prune_hidden"); p != request.end() && p->is_boolean())
        options.prune_hidden = p->get<bool>();
    options.app = string_field(request, "app");
    return walk_reply(seq, pipelined_walk(options));
}

std::string do_find(const json& seq, const json& request) {
    const ElementTarget target = target_from(request);
    auto matcher = std::make_shared<TargetMatcher>(target);
    WalkOptions options;
    options.limits = limits_from(request);
    if (!target.regex) options.app = target.app;
    options.keep_basic = [matcher](const Element& e) {
        return e.has_state("showing") && e.has_state("visible") && matcher->matches(e);
    };
    options.keep = [matcher](const Element& e) { return is_actionable(e) && matcher->matches(e); };
    return walk_reply(seq, pipelined_walk(options));
}

// "DocURL" (Firefox), "URI" (Chromium) or "URL" of a document element; "" when none.
std::string document_url_of(AtspiAccessible* acc, std::string* title = nullptr) {
    GErrorBox err;
    std::string url;
    if (GRef<AtspiDocument> doc{atspi_accessible_get_document_iface(acc)}) {
        if (GHashTable* attrs = atspi_document_get_document_attributes(doc.get(), err.out())) {
            for (const char* key : {"DocURL", "URI", "URL"})
                if (auto* v = static_cast<const char*>(g_hash_table_lookup(attrs, key)); v && url.empty()) url = v;
            if (auto* v = static_cast<const char*>(g_hash_table_lookup(attrs, "Title")); v && title && title->empty())
                *title = v;
            g_hash_table_unref(attrs);
        }
    }
    return utf8_excerpt(url, 4096);
}

// The URL of the web document an element is in: its nearest "document web"
// ancestor (parents come from libatspi's cache), "" outside any document.
std::string enclosing_document_url(AtspiAccessible* acc) {
    GErrorBox err;
    GRef<AtspiAccessible> current{static_cast<AtspiAccessible*>(g_object_ref(acc))};
    for (int depth = 0; depth < Limits().max_depth && current; ++depth) {
        const AtspiRole role = atspi_accessible_get_role(current.get(), err.out());
        if (role == ATSPI_ROLE_DOCUMENT_WEB) return document_url_of(current.get());
        if (role == ATSPI_ROLE_APPLICATION || role == ATSPI_ROLE_FRAME) return {};
        current.reset(atspi_accessible_get_parent(current.get(), err.out()));
    }
    return {};
}

std::string do_hit_test(const json& seq, const json& request) {
    auto x = request.find("x"), y = request.find("y");
    if (x == request.end() || y == request.end() || !x->is_number_integer() || !y->is_number_integer())
        throw Error("hit_test needs integer x and y");
    const int px = x->get<int>(), py = y->get<int>();
    GErrorBox err;
    GRef<AtspiAccessible> desktop{atspi_get_desktop(0)};
    // Among the top-level windows that contain the point, prefer the active one:
    // AT-SPI has no stacking order.
    GRef<AtspiAccessible> best;
    bool best_active = false;
    const gint apps = std::min(atspi_accessible_get_child_count(desktop.get(), err.out()), 256);
    for (gint i = 0; i < apps && !best_active; ++i) {
        GRef<AtspiAccessible> app{atspi_accessible_get_child_at_index(desktop.get(), i, err.out())};
        if (!app) continue;
        const gint windows = std::min(atspi_accessible_get_child_count(app.get(), err.out()), 256);
        for (gint w = 0; w < windows; ++w) {
            GRef<AtspiAccessible> win{atspi_accessible_get_child_at_index(app.get(), w, err.out())};
            if (!win) continue;
            GRef<AtspiStateSet> states{atspi_accessible_get_state_set(win.get())};
            if (!states || !atspi_state_set_contains(states.get(), ATSPI_STATE_SHOWING)) continue;
            GRef<AtspiComponent> comp{atspi_accessible_get_component_iface(win.get())};
            if (!comp || !atspi_component_contains(comp.get(), px, py, ATSPI_COORD_TYPE_SCREEN, err.out())) continue;
            const bool active = atspi_state_set_contains(states.get(), ATSPI_STATE_ACTIVE);
            if (!best || (active && !best_active)) {
                best = std::move(win);
                best_active = active;
                if (active) break;
            }
        }
    }
    WalkResult result;
    if (best) {
        // Descend with the toolkit's own hit test, at most a bounded number of steps.
        std::vector<GRef<AtspiAccessible>> chain;
        chain.emplace_back(static_cast<AtspiAccessible*>(g_object_ref(best.get())));
        for (int step = 0; step < Limits().max_depth; ++step) {
            GRef<AtspiComponent> comp{atspi_accessible_get_component_iface(chain.back().get())};
            if (!comp) break;
            GRef<AtspiAccessible> child{
                atspi_component_get_accessible_at_point(comp.get(), px, py, ATSPI_COORD_TYPE_SCREEN, err.out())};
            if (!child || child.get() == chain.back().get()) break;
            chain.push_back(std::move(child));
        }
        const std::string path = path_of(chain.back().get(), Limits().max_depth);
        GRef<AtspiAccessible> app{atspi_accessible_get_application(chain.back().get(), err.out())};
        const std::string app_name =
            app ? utf8_excerpt(take_string(atspi_accessible_get_name(app.get(), err.out())), 512) : "";
        const std::string window = utf8_excerpt(take_string(atspi_accessible_get_name(best.get(), err.out())), 512);
        WalkOptions options;
        AtspiWalker reader(options);
        Element e = reader.read(chain.back().get(), -1, 1, path, app_name, window);
        // The app's toolkit tells the supervisor whether a browser document can be there.
        if (app) e.toolkit = utf8_excerpt(take_string(atspi_accessible_get_toolkit_name(app.get(), err.out())), 32);
        e.document_url = enclosing_document_url(chain.back().get());
        result.wire.push_back(element_to_wire(e).dump());
        result.visited = static_cast<int>(chain.size());
    }
    return walk_reply(seq, result);
}

bool same_name(std::string a, std::string b) {
    auto lower = [](std::string& s) {
        for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    };
    lower(a);
    lower(b);
    return a == b;
}

std::string do_action(const json& seq, const json& request) {
    const std::string path = string_field(request, "path");
    const std::string action = string_field(request, "action");
    GRef<AtspiAccessible> acc = resolve_path(path);
    if (!acc) throw Error("no element at path " + path + " (the tree changed?)");
    GErrorBox err;
    // The element at the path must still be the one the supervisor resolved.
    if (auto expect = request.find("expect"); expect != request.end() && expect->is_object()) {
        const std::string role = take_string(atspi_accessible_get_role_name(acc.get(), err.out()));
        const std::string name = take_string(atspi_accessible_get_name(acc.get(), err.out()));
        if (role != string_field(*expect, "role") || utf8_excerpt(name, 4096) != string_field(*expect, "name"))
            throw Error("the element at path " + path + " is now " + role + " \"" + utf8_excerpt(name, 64) +
                        "\", not the resolved target");
    }
    std::string done;
    if (action == "focus") {
        GRef<AtspiComponent> comp{atspi_accessible_get_component_iface(acc.get())};
        if (!comp || !atspi_component_grab_focus(comp.get(), err.out()))
            throw Error("focus failed: " + (err.failed() ? err.message() : std::string("the element refused focus")));
        done = "grab_focus";
    } else if (action == "set_text") {
        GRef<AtspiEditableText> et{atspi_accessible_get_editable_text_iface(acc.get())};
        if (!et) throw Error("the element has no EditableText interface");
        const std::string text = string_field(request, "text");
        if (!atspi_editable_text_set_text_contents(et.get(), text.c_str(), err.out()))
            throw Error("set_text failed: " + (err.failed() ? err.message() : std::string("refused")));
        done = "set_text_contents";
    } else if (action == "click" || action == "press" || action == "activate") {
        GRef<AtspiAction> act{atspi_accessible_get_action_iface(acc.get())};
        if (!act) throw Error("the element has no Action interface");
        const gint n = std::min(atspi_action_get_n_actions(act.get(), err.out()), 32);
        // The asked action first, then its usual synonyms.
        const std::string order[] = {action, "click", "press", "activate", "jump"};
        for (const std::string& wanted : order) {
            for (gint i = 0; i < n && done.empty(); ++i) {
                const std::string name = take_string(atspi_action_get_action_name(act.get(), i, err.out()));
                if (!same_name(name, wanted)) continue;
                if (!atspi_action_do_action(act.get(), i, err.out()))
                    throw Error("action " + name +
                                " failed: " + (err.failed() ? err.message() : std::string("refused")));
                done = name;
            }
            if (!done.empty()) break;
        }
        if (done.empty()) throw Error("the element has no click, press or activate action");
    } else {
        throw Error("unknown action '" + utf8_excerpt(action, 32) + "' (click, press, activate, focus, set_text)");
    }
    return json{{"seq", seq}, {"ok", true}, {"done", done}}.dump();
}

// The top-level window (frame, dialog...) an element belongs to: its
// ancestor whose parent is the application.
GRef<AtspiAccessible> window_of(AtspiAccessible* acc) {
    GErrorBox err;
    GRef<AtspiAccessible> current{static_cast<AtspiAccessible*>(g_object_ref(acc))};
    for (int depth = 0; depth < Limits().max_depth; ++depth) {
        GRef<AtspiAccessible> parent{atspi_accessible_get_parent(current.get(), err.out())};
        if (!parent) return {};
        if (atspi_accessible_get_role(parent.get(), err.out()) == ATSPI_ROLE_APPLICATION) return current;
        current = std::move(parent);
    }
    return {};
}

// An element reply in the hit_test shape (one element, its app and window named).
std::string single_element_reply(const json& seq, AtspiAccessible* acc) {
    GErrorBox err;
    WalkResult result;
    if (acc) {
        GRef<AtspiAccessible> app{atspi_accessible_get_application(acc, err.out())};
        const std::string app_name =
            app ? utf8_excerpt(take_string(atspi_accessible_get_name(app.get(), err.out())), 512) : "";
        GRef<AtspiAccessible> win = window_of(acc);
        const std::string window =
            win ? utf8_excerpt(take_string(atspi_accessible_get_name(win.get(), err.out())), 512) : "";
        WalkOptions options;
        AtspiWalker reader(options);
        Element e = reader.read(acc, -1, 1, path_of(acc, Limits().max_depth), app_name, window);
        if (app) e.toolkit = utf8_excerpt(take_string(atspi_accessible_get_toolkit_name(app.get(), err.out())), 32);
        e.document_url = enclosing_document_url(acc);
        result.wire.push_back(element_to_wire(e).dump());
        result.visited = 1;
    }
    return walk_reply(seq, result);
}

// The element that has keyboard focus: the one the focus events named, if it
// still says so; else the focused descendant of an active window, found with
// the Collection interface (one call per window). No element: an empty list.
std::string do_focused(const json& seq) {
    // Deliver the focus events that arrived since the last request.
    for (int i = 0; i < 1000 && g_main_context_iteration(nullptr, FALSE); ++i) {
    }
    if (g_focused && has_states(g_focused.get(), {ATSPI_STATE_FOCUSED, ATSPI_STATE_SHOWING}))
        return single_element_reply(seq, g_focused.get());
    GErrorBox err;
    GRef<AtspiAccessible> desktop{atspi_get_desktop(0)};
    const gint apps = std::min(atspi_accessible_get_child_count(desktop.get(), err.out()), 256);
    for (gint i = 0; i < apps; ++i) {
        GRef<AtspiAccessible> app{atspi_accessible_get_child_at_index(desktop.get(), i, err.out())};
        if (!app) continue;
        const gint windows = std::min(atspi_accessible_get_child_count(app.get(), err.out()), 256);
        for (gint w = 0; w < windows; ++w) {
            GRef<AtspiAccessible> win{atspi_accessible_get_child_at_index(app.get(), w, err.out())};
            if (!win || !has_states(win.get(), {ATSPI_STATE_ACTIVE})) continue;
            GRef<AtspiCollection> collection{atspi_accessible_get_collection_iface(win.get())};
            if (!collection) continue;
            GArray* wanted = g_array_new(FALSE, FALSE, sizeof(AtspiStateType));
            const AtspiStateType focused_state = ATSPI_STATE_FOCUSED;
            g_array_append_val(wanted, focused_state);
            GRef<AtspiStateSet> set{atspi_state_set_new(wanted)};
            g_array_free(wanted, TRUE);
            GRef<AtspiMatchRule> rule{atspi_match_rule_new(
                set.get(), ATSPI_Collection_MATCH_ALL, nullptr, ATSPI_Collection_MATCH_NONE, nullptr,
                ATSPI_Collection_MATCH_NONE, nullptr, ATSPI_Collection_MATCH_NONE, FALSE)};
            GArray* found = atspi_collection_get_matches(collection.get(), rule.get(),
                                                         ATSPI_Collection_SORT_ORDER_CANONICAL, 1, TRUE, err.out());
            if (!found) continue;
            GRef<AtspiAccessible> hit;
            if (found->len > 0) hit.reset(g_array_index(found, AtspiAccessible*, 0));
            for (guint k = 1; k < found->len; ++k) g_object_unref(g_array_index(found, AtspiAccessible*, k));
            g_array_free(found, TRUE);
            if (hit) return single_element_reply(seq, hit.get());
        }
    }
    return single_element_reply(seq, nullptr);
}

// The focused document: among the showing "document web" elements, one with a
// URL, the focused one first.
std::string do_browser_context(const json& seq, const json& request) {
    WalkOptions options;
    options.limits.time_ms = 2000;
    // Only the app (and its top-level window) the action reaches, when the supervisor says which.
    options.app = string_field(request, "app");
    const std::string window = string_field(request, "window");
    options.keep_basic = [window](const Element& e) {
        return e.role == "document web" && e.has_state("showing") && (window.empty() || e.window == window);
    };
    WalkResult docs = pipelined_walk(options);
    json best;
    int best_score = -1;
    for (const std::string& wire : docs.wire) {
        json e = json::parse(wire);
        GRef<AtspiAccessible> acc = resolve_path(e["path"].get<std::string>());
        if (!acc) continue;
        std::string title = e.value("name", "");
        const std::string url = document_url_of(acc.get(), &title);
        json candidate = {
            {"url", utf8_excerpt(url, 4096)},
            {"title", utf8_excerpt(title, 1024)},
            {"app", e.value("app", "")},
            {"window", e.value("window", "")},
            {"focused", std::find(e["states"].begin(), e["states"].end(), "focused") != e["states"].end()}};
        // Browsers keep empty helper documents around: a document with a URL
        // ranks first, then the focused one.
        const int score = (url.empty() ? 0 : 2) + (candidate["focused"].get<bool>() ? 1 : 0);
        if (best.is_null() || score > best_score) {
            best = candidate;
            best_score = score;
        }
    }
    if (best.is_null()) throw Error("no browser document is showing");
    json reply = {{"seq", seq}, {"ok", true}};
    reply.update(best);
    return reply.dump();
}

}  // namespace

void start_event_counting() {
    AtspiEventListener* listener = atspi_event_listener_new(count_event, nullptr, nullptr);
    for (const char* type :
         {"window:create", "window:activate", "object:children-changed", "object:state-changed:showing",
          "object:property-change:accessible-name", "document:load-complete"})
        atspi_event_listener_register(listener, type, nullptr);
    // The listener lives as long as the helper.
    AtspiEventListener* focus = atspi_event_listener_new(track_focus, nullptr, nullptr);
    atspi_event_listener_register(focus, "object:state-changed:focused", nullptr);
}

std::string handle_request(std::string_view line) {
    json seq = nullptr;
    try {
        if (line.size() > kMaxRequestBytes) throw Error("request longer than 64 KiB");
        json request = json::parse(line, nullptr, false);
        if (request.is_discarded() || !request.is_object()) throw Error("request is not a JSON object");
        if (auto s = request.find("seq"); s != request.end() && s->is_number_integer()) seq = *s;
        const std::string op = string_field(request, "op");
        if (op == "ping") return json{{"seq", seq}, {"ok", true}, {"pong", true}}.dump();
        if (op == "tree") return do_tree(seq, request);
        if (op == "find") return do_find(seq, request);
        if (op == "hit_test") return do_hit_test(seq, request);
        if (op == "focused") return do_focused(seq);
        if (op == "action") return do_action(seq, request);
        if (op == "browser_context") return do_browser_context(seq, request);
        if (op == "wait_event") return do_wait_event(seq, request);
        throw Error("unknown op '" + utf8_excerpt(op, 32) + "'");
    } catch (const std::exception& e) {
        return json{{"seq", seq}, {"ok", false}, {"error", utf8_excerpt(e.what(), 1024)}}.dump();
    }
}

}  // namespace deskbox::a11y
