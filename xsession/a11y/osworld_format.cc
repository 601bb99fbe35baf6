#include "xsession/a11y/osworld_format.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>
#include <vector>

#include "xsession/a11y/a11y_filter.h"

namespace deskbox::a11y {

namespace {

std::string format_number(double v) {
    // Python's str(float): the shortest form that reads back the same, always
    // with a dot ("5.0"), positional between 1e-4 and 1e16.
    char buf[64];
    const double mag = std::fabs(v);
    if (std::isfinite(v) && (v == 0 || (mag >= 1e-4 && mag < 1e16))) {
        for (int decimals = 0; decimals <= 17; ++decimals) {
            std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
            if (std::strtod(buf, nullptr) == v) break;
        }
    } else {
        for (int precision = 1; precision <= 17; ++precision) {
            std::snprintf(buf, sizeof buf, "%.*g", precision, v);
            if (std::strtod(buf, nullptr) == v) break;
        }
    }
    std::string s = buf;
    if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
    return s;
}

std::string pair_text(int a, int b) {
    return "(" + std::to_string(a) + ", " + std::to_string(b) + ")";
}

void append_attribute(std::string& out, const std::string& name, const std::string& value) {
    out += ' ';
    out += name;
    out += "=\"";
    out += xml_escape(value, true);
    out += '"';
}

struct XmlWriter {
    const Tree& tree;
    ScaleFactors scale;
    std::unordered_map<int, std::vector<int>> children;  // parent id -> child indices
    std::string out;

    void element(int index) {
        const Element& e = tree.elements[index];
        const std::string tag = xml_name(role_tag(e.role));
        out += '<';
        out += tag;
        append_attribute(out, "name", e.name);
        for (const std::string& s : e.states) append_attribute(out, "st:" + xml_name(s), "true");
        bool has_class = false, has_description = false;
        for (const auto& [k, v] : e.attributes) {
            if (k.empty()) continue;
            has_class |= k == "class";
            has_description |= k == "description";
            append_attribute(out, "attr:" + xml_name(k), v);
        }
        // OSWorld's linearizer looks for attr:class and attr:description; fill them
        // from the toolkit class and the accessible description.
        if (!has_class && !element_class(e).empty()) append_attribute(out, "attr:class", element_class(e));
        if (!has_description && !e.description.empty()) append_attribute(out, "attr:description", e.description);
        if (e.bbox) {
            const Rect box = scale_rect(*e.bbox, scale);
            append_attribute(out, "cp:screencoord", pair_text(box.x, box.y));
            append_attribute(out, "cp:size", pair_text(box.width, box.height));
        }
        if (e.image) append_attribute(out, "image", "true");
        if (e.selection) append_attribute(out, "selection", "true");
        if (e.value) {
            append_attribute(out, "val:value", format_number(e.value->current));
            append_attribute(out, "val:min", format_number(e.value->minimum));
            append_attribute(out, "val:max", format_number(e.value->maximum));
            append_attribute(out, "val:step", format_number(e.value->step));
        }
        for (std::size_t i = 0; i < e.actions.size(); ++i) {
            std::string action = e.actions[i];
            for (char& c : action)
                if (c == ' ') c = '-';
            append_attribute(out, "act:" + xml_name(action) + "_desc", "");
            append_attribute(out, "act:" + xml_name(action) + "_kb", i < e.action_keys.size() ? e.action_keys[i] : "");
        }
        const std::string text = visible_text(e);
        auto kids = children.find(e.id);
        if (text.empty() && kids == children.end()) {
            out += "/>";
            return;
        }
        out += '>';
        out += xml_escape(text, false);
        if (kids != children.end())
            for (int child : kids->second) element(child);
        out += "</";
        out += tag;
        out += '>';
    }
};

bool xml_char_allowed(unsigned char c) {
    return c >= 0x20 || c == '\t' || c == '\n' || c == '\r';
}

}  // namespace

std::string xml_escape(const std::string& s, bool attribute) {
    std::string out;
    out.reserve(s.size() + 8);
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (!xml_char_allowed(c)) continue;
        switch (ch) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += attribute ? "&quot;" : "\"";
                break;
            case '\t':
                out += attribute ? "&#9;" : "\t";
                break;
            case '\n':
                out += attribute ? "&#10;" : "\n";
                break;
            case '\r':
                out += "&#13;";
                break;
            default:
                out += ch;
        }
    }
    return out;
}

std::string xml_name(const std::string& s) {
    std::string out;
    for (char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                        c == '_' || c == '.';
        out += ok ? c : '_';
    }
    if (out.empty() || !((out[0] >= 'a' && out[0] <= 'z') || (out[0] >= 'A' && out[0] <= 'Z') || out[0] == '_'))
        out = "tag" + out;
    return out;
}

std::string element_class(const Element& e) {
    // What the toolkit calls the element's class: Qt and others set "class",
    // browsers give the HTML element as "tag".
    for (const char* key : {"class", "tag"}) {
        auto it = e.attributes.find(key);
        if (it != e.attributes.end() && !it->second.empty()) return it->second;
    }
    // GTK and LibreOffice say neither: the role, qualified by the toolkit
    // ("GTK.push-button"), so that the column is never empty.
    const std::string role = role_tag(e.role.empty() ? "unknown" : e.role);
    return e.toolkit.empty() ? role : e.toolkit + "." + role;
}

std::string to_osworld_xml(const Tree& tree, ScaleFactors scale) {
    XmlWriter w{tree, scale, {}, {}};
    std::vector<int> roots;
    std::unordered_map<int, int> index_of;
    for (std::size_t i = 0; i < tree.elements.size(); ++i) index_of[tree.elements[i].id] = static_cast<int>(i);
    for (std::size_t i = 0; i < tree.elements.size(); ++i) {
        const int parent = tree.elements[i].parent;
        if (parent < 0 || !index_of.count(parent))
            roots.push_back(static_cast<int>(i));
        else
            w.children[parent].push_back(static_cast<int>(i));
    }
    w.out = "<desktop-frame";
    const std::pair<const char*, const char*> ns[] = {{"st", kNsState},
                                                      {"attr", kNsAttributes},
                                                      {"cp", kNsComponent},
                                                      {"doc", kNsDocument},
                                                      {"docattr", kNsDocAttributes},
                                                      {"txt", kNsText},
                                                      {"val", kNsValue},
                                                      {"act", kNsAction}};
    for (const auto& [prefix, uri] : ns) append_attribute(w.out, std::string("xmlns:") + prefix, uri);
    if (roots.empty()) {
        w.out += "/>";
        return w.out;
    }
    w.out += '>';
    for (int r : roots) w.element(r);
    w.out += "</desktop-frame>";
    return w.out;
}

std::string to_linearized(const Tree& tree, ScaleFactors scale) {
    std::string out = "tag\tname\ttext\tclass\tdescription\tposition (top-left x&y)\tsize (w&h)";
    for (const Element& e : tree.elements) {
        if (!is_interactive(e) || !e.bbox) continue;  // an interactive element has a box; said for the reader
        std::string text = visible_text(e);
        if (text.empty())
            text = "\"\"";
        else if (text.find('"') != std::string::npos) {
            std::string quoted = "\"";
            for (char c : text) {
                quoted += c;
                if (c == '"') quoted += '"';
            }
            text = quoted + "\"";
        }
        const Rect box = scale_rect(*e.bbox, scale);
        out += '\n';
        out += role_tag(e.role) + '\t' + e.name + '\t' + text + '\t' + element_class(e) + '\t' + e.description + '\t' +
               pair_text(box.x, box.y) + '\t' + pair_text(box.width, box.height);
    }
    return out;
}

}  // namespace deskbox::a11y
