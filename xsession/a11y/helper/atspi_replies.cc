#include "xsession/a11y/helper/atspi_replies.h"

#include <algorithm>
#include <array>

#include "xsession/a11y/a11y_wire.h"
#include "xsession/a11y/helper/atspi_walker.h"

namespace deskbox::a11y {

unsigned iface_bit(std::string_view name) {
    static const std::pair<std::string_view, unsigned> known[] = {{"org.a11y.atspi.Action", kHasAction},
                                                                  {"org.a11y.atspi.Component", kHasComponent},
                                                                  {"org.a11y.atspi.EditableText", kHasEditableText},
                                                                  {"org.a11y.atspi.Image", kHasImage},
                                                                  {"org.a11y.atspi.Selection", kHasSelection},
                                                                  {"org.a11y.atspi.Table", kHasTable},
                                                                  {"org.a11y.atspi.Text", kHasText},
                                                                  {"org.a11y.atspi.Value", kHasValue}};
    for (const auto& [n, bit] : known)
        if (n == name) return bit;
    return 0;
}

const std::string& role_name(std::uint32_t role) {
    static const std::array<std::string, ATSPI_ROLE_COUNT> names = [] {
        std::array<std::string, ATSPI_ROLE_COUNT> n;
        for (int r = 0; r < ATSPI_ROLE_COUNT; ++r)
            if (r != static_cast<int>(ATSPI_ROLE_EXTENDED))
                n[static_cast<std::size_t>(r)] = take_string(atspi_role_get_name(static_cast<AtspiRole>(r)));
        return n;
    }();
    static const std::string none;
    return role < names.size() ? names[role] : none;
}

const std::string& state_name_of_bit(int bit) {
    static const std::array<std::string, 64> names = [] {
        std::array<std::string, 64> n;
        for (int b = 0; b < ATSPI_STATE_LAST_DEFINED && b < 64; ++b)
            n[static_cast<std::size_t>(b)] = state_name(static_cast<AtspiStateType>(b));
        return n;
    }();
    return names[static_cast<std::size_t>(bit)];
}

ObjRef ref_from(GVariant* so) {
    const gchar *bus = nullptr, *path = nullptr;
    g_variant_get(so, "(&s&o)", &bus, &path);
    return ObjRef{bus ? bus : "", path ? path : ""};
}

void read_cache_items(const std::string& bus, GVariant* reply, int max_text,
                      std::unordered_map<std::string, CachedBasics>& cache) {
    constexpr gsize kMaxCacheItems = 200000;
    GVariant* items = g_variant_get_child_value(reply, 0);
    const gsize n = std::min(g_variant_n_children(items), kMaxCacheItems);
    for (gsize i = 0; i < n; ++i) {
        GVariant* item = g_variant_get_child_value(items, i);
        const gchar *obus = nullptr, *opath = nullptr, *name = nullptr, *desc = nullptr;
        gint32 index = 0, children = 0;
        guint32 role = 0;
        GVariantIter *ifaces = nullptr, *states = nullptr;
        g_variant_get(item, "((&s&o)(so)(so)iias&su&sau)", &obus, &opath, nullptr, nullptr, nullptr, nullptr, &index,
                      &children, &ifaces, &name, &role, &desc, &states);
        CachedBasics b;
        b.name = utf8_excerpt(name ? name : "", max_text);
        b.description = utf8_excerpt(desc ? desc : "", max_text);
        b.role = role;
        b.child_count = children;
        const gchar* iface = nullptr;
        while (g_variant_iter_loop(ifaces, "&s", &iface)) b.ifaces |= iface_bit(iface);
        guint32 word = 0;
        for (int w = 0; w < 2 && g_variant_iter_next(states, "u", &word); ++w)
            b.states |= static_cast<std::uint64_t>(word) << (32 * w);
        g_variant_iter_free(ifaces);
        g_variant_iter_free(states);
        if (obus && bus == obus && opath) cache.emplace(bus + '\n' + opath, std::move(b));
        g_variant_unref(item);
    }
    g_variant_unref(items);
}

}  // namespace deskbox::a11y
