#include "xsession/a11y/helper/pipelined_walker.h"

#include <algorithm>
#include <array>
#include <deque>
#include <memory>
#include <unordered_map>

#include "xsession/a11y/a11y_wire.h"
#include "xsession/a11y/helper/atspi_replies.h"
#include "xsession/a11y/helper/call_pipe.h"

namespace deskbox::a11y {

namespace {

constexpr const char* kAccessible = "org.a11y.atspi.Accessible";
constexpr const char* kProperties = "org.freedesktop.DBus.Properties";
constexpr const char* kComponent = "org.a11y.atspi.Component";
constexpr const char* kTable = "org.a11y.atspi.Table";
constexpr const char* kAction = "org.a11y.atspi.Action";
constexpr int kWindow = 128;          // calls in flight at once
constexpr int kCallTimeoutMs = 1500;  // one call; a hung application only loses its own elements

struct Node {
    ObjRef ref;
    int parent = -1;  // index in the walk's node list
    Element e;
    std::vector<int> children;
    std::uint64_t states = 0;
    unsigned ifaces = 0;
    std::uint32_t role = 0;
    int child_count = 0;
    int pending = 0;  // calls of the current stage still outstanding
    bool have_accessible = false;
    bool started = false, complete = false, skip = false, wanted = true;
    bool has(AtspiStateType s) const { return (states >> s) & 1u; }
};

class Walk {
public:
    explicit Walk(const WalkOptions& options) : o_(options), pipe_(a11y_bus_connection(), kWindow, kCallTimeoutMs) {}

    WalkResult run() {
        deadline_ = now_ms() + o_.limits.time_ms;
        pipe_.call(ObjRef{"org.a11y.atspi.Registry", "/org/a11y/atspi/accessible/root"}, kAccessible, "GetChildren",
                   nullptr, "(a(so))", [this](GVariant* r) {
                       if (!r) return;
                       GVariant* list = g_variant_get_child_value(r, 0);
                       const gsize n = g_variant_n_children(list);
                       for (gsize i = 0; i < n; ++i) {
                           if (static_cast<int>(i) >= o_.limits.max_children) {
                               cut("max_children");
                               break;
                           }
                           GVariant* so = g_variant_get_child_value(list, i);
                           const int id = add_node(ref_from(so), -1, std::to_string(i));
                           g_variant_unref(so);
                           apps_.push_back(id);
                           ask_cache_then_start(id);
                       }
                       g_variant_unref(list);
                   });
        if (!pipe_.run(deadline_)) cut("time");
        result_.calls = pipe_.calls_sent();
        emit();
        return std::move(result_);
    }

private:
    int add_node(ObjRef ref, int parent, std::string path) {
        Node n;
        n.ref = std::move(ref);
        n.parent = parent;
        n.e.path = std::move(path);
        n.e.depth = parent < 0 ? 1 : nodes_[static_cast<std::size_t>(parent)].e.depth + 1;
        nodes_.push_back(std::move(n));
        const int id = static_cast<int>(nodes_.size() - 1);
        if (parent >= 0) nodes_[static_cast<std::size_t>(parent)].children.push_back(id);
        return id;
    }
    Node& node(int id) { return nodes_[static_cast<std::size_t>(id)]; }

    void cut(const char* reason) {
        if (!result_.truncated) {
            result_.truncated = true;
            result_.reason = reason;
        }
        if (std::string_view(reason) != "max_depth" && std::string_view(reason) != "max_children") stop_ = true;
    }

    // One reply of the node's current stage arrived; `next` runs after the last one.
    void finished_one(int id, void (Walk::*next)(int)) {
        if (--node(id).pending == 0) (this->*next)(id);
    }

    // One call per application gives the basics of every object its toolkit
    // bridge caches (ATK's bridge: all but the descendants of containers that
    // manage them); those elements then cost no stage-1 calls at all.
    void ask_cache_then_start(int app) {
        const ObjRef cache{node(app).ref.bus, "/org/a11y/atspi/cache"};
        pipe_.call(cache, "org.a11y.atspi.Cache", "GetItems", nullptr, "(a((so)(so)(so)iiassusau))",
                   [this, app](GVariant* r) {
                       if (r) read_cache_items(node(app).ref.bus, r, o_.limits.max_text, cache_);
                       start(app);
                   });
    }

    // Stage 1: what every element needs (and what find filters on).
    void start(int id) {
        if (stop_) return;
        Node& n = node(id);
        if (n.ref.null()) return;
        if (result_.visited >= o_.limits.max_nodes) {  // visited, not kept: find is bounded too
            cut("max_nodes");
            return;
        }
        ++result_.visited;
        n.started = true;
        if (auto c = cache_.find(n.ref.bus + '\n' + n.ref.path); c != cache_.end()) {
            n.e.name = c->second.name;
            n.e.description = c->second.description;
            n.states = c->second.states;
            n.ifaces = c->second.ifaces;
            n.role = c->second.role;
            n.child_count = c->second.child_count;
            n.have_accessible = true;
            // The bridge does not count the children of a container that
            // manages its descendants (GTK's tree views): ask for the count.
            if (n.child_count < 0 || n.has(ATSPI_STATE_MANAGES_DESCENDANTS)) {
                n.pending = 1;
                pipe_.call(n.ref, kProperties, "Get", g_variant_new("(ss)", kAccessible, "ChildCount"), "(v)",
                           [this, id](GVariant* r) {
                               if (r) {
                                   GVariant* v = nullptr;
                                   g_variant_get(r, "(v)", &v);
                                   if (g_variant_is_of_type(v, G_VARIANT_TYPE_INT32))
                                       node(id).child_count = g_variant_get_int32(v);
                                   g_variant_unref(v);
                               }
                               finished_one(id, &Walk::basic_done);
                           });
                return;
            }
            basic_done(id);
            return;
        }
        n.pending = 4;
        pipe_.call(n.ref, kProperties, "GetAll", g_variant_new("(s)", kAccessible), "(a{sv})", [this, id](GVariant* r) {
            if (r) {
                read_accessible_props(id, r);
                finished_one(id, &Walk::basic_done);
            } else {
                fetch_accessible_props_one_by_one(id);
            }
        });
        pipe_.call(n.ref, kAccessible, "GetRole", nullptr, "(u)", [this, id](GVariant* r) {
            if (r) g_variant_get(r, "(u)", &node(id).role);
            finished_one(id, &Walk::basic_done);
        });
        pipe_.call(n.ref, kAccessible, "GetState", nullptr, "(au)", [this, id](GVariant* r) {
            if (r) {
                GVariant* words = g_variant_get_child_value(r, 0);
                const gsize count = std::min<gsize>(g_variant_n_children(words), 2);
                for (gsize i = 0; i < count; ++i) {
                    guint32 w = 0;
                    g_variant_get_child(words, i, "u", &w);
                    node(id).states |= static_cast<std::uint64_t>(w) << (32 * i);
                }
                g_variant_unref(words);
            }
            finished_one(id, &Walk::basic_done);
        });
        pipe_.call(n.ref, kAccessible, "GetInterfaces", nullptr, "(as)", [this, id](GVariant* r) {
            if (r) {
                GVariantIter* it = nullptr;
                const gchar* name = nullptr;
                g_variant_get(r, "(as)", &it);
                while (g_variant_iter_loop(it, "&s", &name)) node(id).ifaces |= iface_bit(name);
                g_variant_iter_free(it);
            }
            finished_one(id, &Walk::basic_done);
        });
    }

    void read_accessible_props(int id, GVariant* r) {
        Node& n = node(id);
        GVariant* dict = g_variant_get_child_value(r, 0);
        const gchar* s = nullptr;
        if (g_variant_lookup(dict, "Name", "&s", &s)) n.e.name = utf8_excerpt(s, o_.limits.max_text);
        if (g_variant_lookup(dict, "Description", "&s", &s)) n.e.description = utf8_excerpt(s, o_.limits.max_text);
        gint32 count = 0;
        if (g_variant_lookup(dict, "ChildCount", "i", &count)) n.child_count = count;
        n.have_accessible = true;
        g_variant_unref(dict);
    }

    // Toolkits whose Properties interface has no GetAll: one Get per property.
    void fetch_accessible_props_one_by_one(int id) {
        Node& n = node(id);
        n.pending += 2;  // three calls replace the GetAll
        for (const char* prop : {"Name", "Description", "ChildCount"}) {
            pipe_.call(n.ref, kProperties, "Get", g_variant_new("(ss)", kAccessible, prop), "(v)",
                       [this, id, prop](GVariant* r) {
                           if (r) {
                               Node& m = node(id);
                               GVariant* v = nullptr;
                               g_variant_get(r, "(v)", &v);
                               const std::string_view p = prop;
                               if (p == "ChildCount" && g_variant_is_of_type(v, G_VARIANT_TYPE_INT32)) {
                                   m.child_count = g_variant_get_int32(v);
                               } else if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
                                   (p == "Name" ? m.e.name : m.e.description) =
                                       utf8_excerpt(g_variant_get_string(v, nullptr), o_.limits.max_text);
                               }
                               m.have_accessible = true;
                               g_variant_unref(v);
                           }
                           finished_one(id, &Walk::basic_done);
                       });
        }
    }

    // Stage 2: the cheap fields are in; filter, then ask for the rest and the children.
    void basic_done(int id) {
        Node& n = node(id);
        if (!n.have_accessible) {  // the element went away meanwhile
            n.skip = true;
            return;
        }
        n.e.role = utf8_excerpt(role_name(n.role), 64);
        for (int bit = 0; bit < 64; ++bit)
            if (n.has(static_cast<AtspiStateType>(bit)) && !state_name_of_bit(bit).empty() && n.e.states.size() < 64)
                n.e.states.push_back(state_name_of_bit(bit));
        if (n.parent >= 0) {
            const Element& p = node(n.parent).e;
            n.e.app = p.app;
            n.e.window = n.e.depth == 2 ? n.e.name : p.window;
        } else {
            n.e.app = n.e.name;
            if (!o_.app.empty() && n.e.name != o_.app) {
                n.skip = true;
                --result_.visited;  // another application: not part of this query
                return;
            }
        }
        n.wanted = !o_.keep_basic || o_.keep_basic(n.e);
        n.pending = 1;  // held until every call below is sent
        if (n.wanted) ask_details(id);
        if (n.role == static_cast<std::uint32_t>(ATSPI_ROLE_EXTENDED) ||
            n.role >= static_cast<std::uint32_t>(ATSPI_ROLE_COUNT)) {
            ++n.pending;
            pipe_.call(n.ref, kAccessible, "GetRoleName", nullptr, "(s)", [this, id](GVariant* r) {
                if (r) {
                    const gchar* s = nullptr;
                    g_variant_get(r, "(&s)", &s);
                    node(id).e.role = utf8_excerpt(s ? s : "", 64);
                }
                finished_one(id, &Walk::details_done);
            });
        }
        ask_children(id);
        finished_one(id, &Walk::details_done);
    }

    void ask_details(int id) {
        Node& n = node(id);
        const Limits& lim = o_.limits;
        n.e.image = n.ifaces & kHasImage;
        n.e.selection = n.ifaces & kHasSelection;
        n.e.editable_text = n.ifaces & kHasEditableText;
        auto ask = [&](const char* iface, const char* method, GVariant* params, const char* type,
                       std::function<void(Element&, GVariant*)> read) {
            ++n.pending;
            pipe_.call(n.ref, iface, method, params, type, [this, id, read = std::move(read)](GVariant* r) {
                if (r) read(node(id).e, r);
                finished_one(id, &Walk::details_done);
            });
        };
        ask(kAccessible, "GetAttributes", nullptr, "(a{ss})", [lim](Element& e, GVariant* r) {
            GVariantIter* it = nullptr;
            const gchar *k = nullptr, *v = nullptr;
            g_variant_get(r, "(a{ss})", &it);
            while (g_variant_iter_loop(it, "{&s&s}", &k, &v))
                if (static_cast<int>(e.attributes.size()) < lim.max_attributes)
                    e.attributes[utf8_excerpt(k, 64)] = utf8_excerpt(v, lim.max_text);
            g_variant_iter_free(it);
        });
        // Boxes only for what is on screen, as OSWorld does.
        if ((n.ifaces & kHasComponent) && n.has(ATSPI_STATE_VISIBLE) && n.has(ATSPI_STATE_SHOWING))
            ask(kComponent, "GetExtents", g_variant_new("(u)", ATSPI_COORD_TYPE_SCREEN), "((iiii))",
                [](Element& e, GVariant* r) {
                    gint32 x, y, w, h;
                    g_variant_get(r, "((iiii))", &x, &y, &w, &h);
                    e.bbox = Rect{x, y, w, h};
                });
        if (n.ifaces & kHasText)  // -1: to the end, for every ATK toolkit; cut here
            ask("org.a11y.atspi.Text", "GetText", g_variant_new("(ii)", 0, -1), "(s)", [lim](Element& e, GVariant* r) {
                const gchar* s = nullptr;
                g_variant_get(r, "(&s)", &s);
                e.text = utf8_excerpt(s ? s : "", lim.max_text, &e.text_truncated);
            });
        if (n.ifaces & kHasValue)
            ask(kProperties, "GetAll", g_variant_new("(s)", "org.a11y.atspi.Value"), "(a{sv})",
                [](Element& e, GVariant* r) {
                    GVariant* dict = g_variant_get_child_value(r, 0);
                    ElementValue v;
                    g_variant_lookup(dict, "CurrentValue", "d", &v.current);
                    g_variant_lookup(dict, "MinimumValue", "d", &v.minimum);
                    g_variant_lookup(dict, "MaximumValue", "d", &v.maximum);
                    g_variant_lookup(dict, "MinimumIncrement", "d", &v.step);
                    e.value = v;
                    g_variant_unref(dict);
                });
        if (n.ifaces & kHasAction) ask_actions(id);
        if (n.e.depth == 1)
            ask(kProperties, "Get", g_variant_new("(ss)", "org.a11y.atspi.Application", "ToolkitName"), "(v)",
                [](Element& e, GVariant* r) {
                    GVariant* v = nullptr;
                    g_variant_get(r, "(v)", &v);
                    if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING))
                        e.toolkit = utf8_excerpt(g_variant_get_string(v, nullptr), 32);
                    g_variant_unref(v);
                });
    }

    // The count, then GetName for each, all at once: the names action
    // requests match on. (GetActions would give localized names, which
    // Chromium leaves empty, and makes LibreOffice log two warnings per action.)
    void ask_actions(int id) {
        ++node(id).pending;
        pipe_.call(node(id).ref, kProperties, "Get", g_variant_new("(ss)", kAction, "NActions"), "(v)",
                   [this, id](GVariant* r) {
                       gsize count = 0;
                       if (r) {
                           GVariant* v = nullptr;
                           g_variant_get(r, "(v)", &v);
                           if (g_variant_is_of_type(v, G_VARIANT_TYPE_INT32))
                               count = static_cast<gsize>(std::clamp(g_variant_get_int32(v), 0, 16));
                           g_variant_unref(v);
                       }
                       Element& e = node(id).e;
                       e.actions.assign(count, std::string());
                       e.action_keys.assign(count, std::string());  // key bindings: a column agents do not use
                       for (gsize i = 0; i < count; ++i) {
                           ++node(id).pending;
                           pipe_.call(node(id).ref, kAction, "GetName", g_variant_new("(i)", static_cast<gint32>(i)),
                                      "(s)", [this, id, i](GVariant* rr) {
                                          if (rr) {
                                              const gchar* name = nullptr;
                                              g_variant_get(rr, "(&s)", &name);
                                              node(id).e.actions[i] = utf8_excerpt(name ? name : "", 32);
                                          }
                                          finished_one(id, &Walk::details_done);
                                      });
                       }
                       finished_one(id, &Walk::details_done);
                   });
    }

    void details_done(int id) { node(id).complete = true; }

    void ask_children(int id) {
        Node& n = node(id);
        if (o_.prune_hidden && n.e.depth > 1 && !n.has(ATSPI_STATE_SHOWING)) return;
        if (n.child_count <= 0 || stop_) return;
        if (n.e.depth >= o_.limits.max_depth) {
            cut("max_depth");
            return;
        }
        const bool huge = n.child_count > o_.limits.max_children || n.has(ATSPI_STATE_MANAGES_DESCENDANTS);
        if (huge && (n.ifaces & kHasTable) && (n.ifaces & kHasComponent)) {
            ask_visible_cells(id);
            return;
        }
        if (huge) {
            ask_children_by_index(id);
            return;
        }
        pipe_.call(n.ref, kAccessible, "GetChildren", nullptr, "(a(so))", [this, id](GVariant* r) {
            if (!r) {
                ask_children_by_index(id);
                return;
            }
            GVariant* list = g_variant_get_child_value(r, 0);
            const gsize count = g_variant_n_children(list);
            const gsize listed = std::min<gsize>(count, static_cast<gsize>(o_.limits.max_children));
            std::vector<int> kids;
            for (gsize i = 0; i < listed; ++i) {
                GVariant* so = g_variant_get_child_value(list, i);
                kids.push_back(add_node(ref_from(so), id, node(id).e.path + "." + std::to_string(i)));
                g_variant_unref(so);
            }
            g_variant_unref(list);
            if (count > listed) cut("max_children");
            for (int k : kids) start(k);
        });
    }

    // The first max_children children, one GetChildAtIndex each (all sent at once).
    void ask_children_by_index(int id) {
        const int count = std::min(node(id).child_count, o_.limits.max_children);
        if (node(id).child_count > count) cut("max_children");
        // Only as many as the node budget can still take: a container of a
        // million cells must not cost a million calls.
        const int budget = std::max(0, o_.limits.max_nodes - result_.visited);
        for (int i = 0; i < std::min(count, budget) && !stop_; ++i) {
            const int kid = add_node(ObjRef{}, id, node(id).e.path + "." + std::to_string(i));
            pipe_.call(node(id).ref, kAccessible, "GetChildAtIndex", g_variant_new("(i)", i), "((so))",
                       [this, kid](GVariant* r) {
                           if (!r) return;
                           GVariant* so = g_variant_get_child_value(r, 0);
                           node(kid).ref = ref_from(so);
                           g_variant_unref(so);
                           start(kid);
                       });
        }
        if (count > budget) cut("max_nodes");
    }

    void ask_visible_cells(int id);

    // Pre-order from the applications: an element is written when it was
    // fully read, its ancestors were, and the filters keep it.
    void emit() {
        std::size_t bytes = 0;
        bool full = false;
        std::function<void(int, int)> visit = [&](int id, int parent_wire) {
            Node& n = node(id);
            if (full || !n.complete || n.skip) return;
            int my_wire = -1;
            if (n.wanted && (!o_.keep || o_.keep(n.e))) {
                n.e.parent = parent_wire;
                std::string wire = element_to_wire(n.e).dump();
                if (bytes + wire.size() + 1 > static_cast<std::size_t>(o_.limits.max_reply_bytes) - 256) {
                    cut("reply_bytes");
                    full = true;
                    return;
                }
                bytes += wire.size() + 1;
                my_wire = static_cast<int>(result_.wire.size());
                result_.wire.push_back(std::move(wire));
            }
            const int child_parent = o_.keep ? -1 : my_wire;
            for (int k : n.children) visit(k, child_parent);
        };
        for (int app : apps_) visit(app, -1);
    }

    const WalkOptions& o_;
    CallPipe pipe_;
    std::deque<Node> nodes_;                               // a deque: references stay valid while it grows
    std::unordered_map<std::string, CachedBasics> cache_;  // "bus\npath" -> basics
    std::vector<int> apps_;
    WalkResult result_;
    std::int64_t deadline_ = 0;
    bool stop_ = false;
};

// A spreadsheet's table: the cells at its visible corners (Component hit
// tests), their rows and columns (Table), then every cell between them.
void Walk::ask_visible_cells(int id) {
    struct Probe {
        Rect box{};
        ObjRef corner[2];
        int index[2] = {-1, -1};
        int row[2] = {-1, -1}, col[2] = {-1, -1};
        int pending = 0;
        bool failed = false;
    };
    auto probe = std::make_shared<Probe>();
    const ObjRef table = node(id).ref;
    auto fail = [this, id, probe] {
        if (probe->failed) return;
        probe->failed = true;
        ask_children_by_index(id);
    };
    auto step4_cells = [this, id, probe, table] {
        const int r0 = probe->row[0], c0 = probe->col[0], r1 = probe->row[1], c1 = probe->col[1];
        const int budget = std::max(0, o_.limits.max_nodes - result_.visited);
        const int cap = std::min(o_.limits.max_children, budget);
        int made = 0;
        for (int row = r0; row <= r1 && !stop_; ++row) {
            for (int col = c0; col <= c1 && !stop_; ++col) {
                if (made++ >= cap) {
                    cut(budget < o_.limits.max_children ? "max_nodes" : "max_children");
                    return;
                }
                const int kid = add_node(ObjRef{}, id, "");
                auto got = std::make_shared<int>(0);
                auto both = [this, kid, got] {
                    if (++*got == 2 && !node(kid).e.path.empty()) start(kid);
                };
                pipe_.call(table, kTable, "GetAccessibleAt", g_variant_new("(ii)", row, col), "((so))",
                           [this, kid, both](GVariant* r) {
                               if (r) {
                                   GVariant* so = g_variant_get_child_value(r, 0);
                                   node(kid).ref = ref_from(so);
                                   g_variant_unref(so);
                               }
                               both();
                           });
                pipe_.call(table, kTable, "GetIndexAt", g_variant_new("(ii)", row, col), "(i)",
                           [this, id, kid, both](GVariant* r) {
                               gint32 index = -1;
                               if (r) g_variant_get(r, "(i)", &index);
                               if (index >= 0) node(kid).e.path = node(id).e.path + "." + std::to_string(index);
                               both();
                           });
            }
        }
    };
    auto step3_rows = [this, probe, table, fail, step4_cells] {
        probe->pending = 4;
        for (int k = 0; k < 2; ++k) {
            for (const char* method : {"GetRowAtIndex", "GetColumnAtIndex"}) {
                const bool is_row = std::string_view(method) == "GetRowAtIndex";
                pipe_.call(table, kTable, method, g_variant_new("(i)", probe->index[k]), "(i)",
                           [probe, k, is_row, fail, step4_cells](GVariant* r) {
                               gint32 v = -1;
                               if (r) g_variant_get(r, "(i)", &v);
                               (is_row ? probe->row[k] : probe->col[k]) = v;
                               if (--probe->pending > 0) return;
                               if (probe->row[0] < 0 || probe->col[0] < 0 || probe->row[1] < probe->row[0] ||
                                   probe->col[1] < probe->col[0])
                                   fail();
                               else
                                   step4_cells();
                           });
            }
        }
    };
    auto step2_index = [this, probe, fail, step3_rows] {
        probe->pending = 2;
        for (int k = 0; k < 2; ++k) {
            if (probe->corner[k].null()) {
                fail();
                return;
            }
            pipe_.call(probe->corner[k], kAccessible, "GetIndexInParent", nullptr, "(i)",
                       [probe, k, fail, step3_rows](GVariant* r) {
                           gint32 v = -1;
                           if (r) g_variant_get(r, "(i)", &v);
                           probe->index[k] = v;
                           if (--probe->pending > 0) return;
                           if (probe->index[0] < 0 || probe->index[1] < 0)
                               fail();
                           else
                               step3_rows();
                       });
        }
    };
    pipe_.call(table, kComponent, "GetExtents", g_variant_new("(u)", ATSPI_COORD_TYPE_SCREEN), "((iiii))",
               [this, probe, table, fail, step2_index](GVariant* r) {
                   if (!r) return fail();
                   g_variant_get(r, "((iiii))", &probe->box.x, &probe->box.y, &probe->box.width, &probe->box.height);
                   const Rect b = probe->box;
                   if (b.width <= 2 || b.height <= 2) return fail();
                   probe->pending = 2;
                   const int xs[2] = {b.x + 1, b.x + b.width - 2}, ys[2] = {b.y + 1, b.y + b.height - 2};
                   for (int k = 0; k < 2; ++k)
                       pipe_.call(table, kComponent, "GetAccessibleAtPoint",
                                  g_variant_new("(iiu)", xs[k], ys[k], ATSPI_COORD_TYPE_SCREEN), "((so))",
                                  [probe, k, fail, step2_index](GVariant* rr) {
                                      if (rr) {
                                          GVariant* so = g_variant_get_child_value(rr, 0);
                                          probe->corner[k] = ref_from(so);
                                          g_variant_unref(so);
                                      }
                                      if (--probe->pending == 0) step2_index();
                                  });
               });
}

}  // namespace

WalkResult pipelined_walk(const WalkOptions& options) {
    return Walk(options).run();
}

}  // namespace deskbox::a11y
