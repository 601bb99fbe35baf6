#include "xsession/a11y/helper/atspi_walker.h"

#include <time.h>

#include <algorithm>
#include <cstdlib>

#include "xsession/a11y/a11y_wire.h"

namespace deskbox::a11y {

std::int64_t now_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

std::string state_name(AtspiStateType state) {
    static GEnumClass* klass = static_cast<GEnumClass*>(g_type_class_ref(atspi_state_type_get_type()));
    GEnumValue* v = g_enum_get_value(klass, state);
    if (!v || !v->value_name) return {};
    std::string name = v->value_name;  // "ATSPI_STATE_MULTI_LINE"
    constexpr std::string_view prefix = "ATSPI_STATE_";
    if (name.starts_with(prefix)) name = name.substr(prefix.size());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return name;
}

AtspiWalker::AtspiWalker(WalkOptions options) : options_(std::move(options)) {}

Element AtspiWalker::read(AtspiAccessible* acc, int parent, int depth, const std::string& path, const std::string& app,
                          const std::string& window) {
    Element e = read_basic(acc, parent, depth, path, app, window);
    read_details(acc, e);
    return e;
}

Element AtspiWalker::read_basic(AtspiAccessible* acc, int parent, int depth, const std::string& path,
                                const std::string& app, const std::string& window) {
    const Limits& lim = options_.limits;
    GErrorBox err;
    Element e;
    e.parent = parent;
    e.depth = depth;
    e.path = path;
    e.app = app;
    e.window = window;
    e.role = utf8_excerpt(take_string(atspi_accessible_get_role_name(acc, err.out())), 64);
    e.name = utf8_excerpt(take_string(atspi_accessible_get_name(acc, err.out())), lim.max_text);
    e.description = utf8_excerpt(take_string(atspi_accessible_get_description(acc, err.out())), lim.max_text);

    if (GRef<AtspiStateSet> set{atspi_accessible_get_state_set(acc)}) {
        if (GArray* states = atspi_state_set_get_states(set.get())) {
            for (guint i = 0; i < states->len; ++i) {
                std::string s = state_name(g_array_index(states, AtspiStateType, i));
                if (!s.empty() && e.states.size() < 64) e.states.push_back(std::move(s));
            }
            g_array_free(states, TRUE);
        }
    }
    return e;
}

void AtspiWalker::read_details(AtspiAccessible* acc, Element& e) {
    const Limits& lim = options_.limits;
    const int depth = e.depth;
    GErrorBox err;
    if (GHashTable* attrs = atspi_accessible_get_attributes(acc, err.out())) {
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, attrs);
        while (g_hash_table_iter_next(&it, &k, &v) && static_cast<int>(e.attributes.size()) < lim.max_attributes)
            e.attributes[utf8_excerpt(static_cast<const char*>(k), 64)] =
                utf8_excerpt(v ? static_cast<const char*>(v) : "", lim.max_text);
        g_hash_table_unref(attrs);
    }
    // Boxes only for what is on screen, as OSWorld does (and it saves a call per hidden element).
    if (e.has_state("visible") && e.has_state("showing")) {
        if (GRef<AtspiComponent> comp{atspi_accessible_get_component_iface(acc)}) {
            if (AtspiRect* r = atspi_component_get_extents(comp.get(), ATSPI_COORD_TYPE_SCREEN, err.out())) {
                e.bbox = Rect{r->x, r->y, r->width, r->height};
                g_free(r);
            }
        }
    }
    if (GRef<AtspiText> text{atspi_accessible_get_text_iface(acc)}) {
        // One call: -1 is "to the end" for every ATK toolkit. The text is cut
        // here; a huge one costs the (unprivileged, memory-capped) helper, and
        // the per-call timeout bounds the time.
        const std::string all = take_string(atspi_text_get_text(text.get(), 0, -1, err.out()));
        e.text = utf8_excerpt(all, lim.max_text, &e.text_truncated);
    }
    if (GRef<AtspiValue> value{atspi_accessible_get_value_iface(acc)}) {
        e.value = ElementValue{atspi_value_get_current_value(value.get(), err.out()),
                               atspi_value_get_minimum_value(value.get(), err.out()),
                               atspi_value_get_maximum_value(value.get(), err.out()),
                               atspi_value_get_minimum_increment(value.get(), err.out())};
    }
    if (GRef<AtspiAction> action{atspi_accessible_get_action_iface(acc)}) {
        const gint n = std::min(atspi_action_get_n_actions(action.get(), err.out()), 16);
        for (gint i = 0; i < n; ++i) {
            e.actions.push_back(
                utf8_excerpt(take_string(atspi_action_get_action_name(action.get(), i, err.out())), 32));
            // Key bindings are not read: a call per action for a column agents do not use.
            e.action_keys.emplace_back();
        }
    }
    if (GRef<AtspiImage> image{atspi_accessible_get_image_iface(acc)}) e.image = true;
    if (GRef<AtspiSelection> sel{atspi_accessible_get_selection_iface(acc)}) e.selection = true;
    if (GRef<AtspiEditableText> et{atspi_accessible_get_editable_text_iface(acc)}) e.editable_text = true;
    if (depth == 1) e.toolkit = utf8_excerpt(take_string(atspi_accessible_get_toolkit_name(acc, err.out())), 32);
}

GRef<AtspiAccessible> resolve_path(const std::string& path) {
    GRef<AtspiAccessible> node{atspi_get_desktop(0)};
    GErrorBox err;
    std::size_t start = 0;
    int steps = 0;
    while (node && start <= path.size() && ++steps <= 200) {
        const std::size_t dot = path.find('.', start);
        const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        char* end = nullptr;
        const long index = std::strtol(part.c_str(), &end, 10);
        if (part.empty() || *end != '\0' || index < 0 || index > (1L << 31) - 1) return {};
        node =
            GRef<AtspiAccessible>{atspi_accessible_get_child_at_index(node.get(), static_cast<gint>(index), err.out())};
        if (dot == std::string::npos) return node;
        start = dot + 1;
    }
    return {};
}

std::string path_of(AtspiAccessible* acc, int max_depth) {
    std::vector<int> indices;
    GRef<AtspiAccessible> node{static_cast<AtspiAccessible*>(g_object_ref(acc))};
    GErrorBox err;
    for (int i = 0; i < max_depth && node; ++i) {
        if (atspi_accessible_get_role(node.get(), err.out()) == ATSPI_ROLE_DESKTOP_FRAME) break;
        const gint index = atspi_accessible_get_index_in_parent(node.get(), err.out());
        if (index < 0) return {};
        indices.push_back(index);
        node = GRef<AtspiAccessible>{atspi_accessible_get_parent(node.get(), err.out())};
    }
    std::string path;
    for (auto it = indices.rbegin(); it != indices.rend(); ++it)
        path += (path.empty() ? "" : ".") + std::to_string(*it);
    return path;
}

}  // namespace deskbox::a11y
