#include "xsession/a11y/a11y_filter.h"

#include <array>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "supervisor/base/error.h"

namespace deskbox::a11y {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool interactive_tag(std::string_view tag) {
    static constexpr std::array<std::string_view, 13> kSuffixes = {
        "item", "button",     "heading",   "label",    "scrollbar", "searchbox", "textbox",
        "link", "tabelement", "textfield", "textarea", "menu",      "document"};
    static constexpr std::array<std::string_view, 22> kExact = {"alert",
                                                                "canvas",
                                                                "check-box",
                                                                "combo-box",
                                                                "entry",
                                                                "icon",
                                                                "image",
                                                                "paragraph",
                                                                "scroll-bar",
                                                                "section",
                                                                "slider",
                                                                "static",
                                                                "table-cell",
                                                                "terminal",
                                                                "text",
                                                                "netuiribbontab",
                                                                "start",
                                                                "trayclockwclass",
                                                                "traydummysearchcontrol",
                                                                "uiimage",
                                                                "uiproperty",
                                                                "uiribboncommandbar"};
    if (tag.starts_with("document")) return true;
    for (std::string_view s : kSuffixes)
        if (s != "document" && ends_with(tag, s)) return true;
    for (std::string_view s : kExact)
        if (tag == s) return true;
    return false;
}

}  // namespace

TreeFilter parse_filter(const std::string& text) {
    if (text == "all") return TreeFilter::All;
    if (text == "interactive") return TreeFilter::Interactive;
    throw Error("unknown tree filter '" + text + "' (expected all or interactive)");
}

std::string role_tag(const std::string& role) {
    std::string tag = role.empty() ? "unknown" : role;
    for (char& c : tag)
        if (c == ' ') c = '-';
    return tag;
}

std::string visible_text(const Element& e) {
    std::string out;
    out.reserve(e.text.size());
    for (std::size_t i = 0; i < e.text.size(); ++i) {
        // U+FFFC is EF BF BC, U+FFFD is EF BF BD in UTF-8.
        if (i + 2 < e.text.size() && e.text.compare(i, 2, "\xEF\xBF") == 0 &&
            (e.text[i + 2] == '\xBC' || e.text[i + 2] == '\xBD')) {
            i += 2;
            continue;
        }
        out.push_back(e.text[i]);
    }
    return out;
}

bool is_interactive(const Element& e, bool check_image) {
    if (!interactive_tag(role_tag(e.role))) return false;
    if (!(e.has_state("showing") && e.has_state("visible"))) return false;
    if (!(e.has_state("enabled") || e.has_state("editable") || e.has_state("expandable") || e.has_state("checkable")))
        return false;
    if (e.name.empty() && visible_text(e).empty() && !(check_image && e.image)) return false;
    return e.bbox && e.bbox->x >= 0 && e.bbox->y >= 0 && e.bbox->width > 0 && e.bbox->height > 0;
}

Tree filter_tree(const Tree& tree, TreeFilter filter) {
    if (filter == TreeFilter::All) return tree;
    Tree out;
    out.truncated = tree.truncated;
    out.truncated_reason = tree.truncated_reason;
    // Ids are not always indices (a tree may already be filtered): index them.
    std::unordered_map<int, const Element*> by_id;
    std::unordered_set<int> kept;
    for (const Element& e : tree.elements) by_id[e.id] = &e;
    for (const Element& e : tree.elements) {
        if (!is_interactive(e)) continue;
        kept.insert(e.id);
        Element copy = e;
        int p = e.parent;
        while (p >= 0 && !kept.count(p)) {
            auto it = by_id.find(p);
            p = it == by_id.end() ? -1 : it->second->parent;
        }
        copy.parent = p;
        out.elements.push_back(std::move(copy));
    }
    return out;
}

}  // namespace deskbox::a11y
