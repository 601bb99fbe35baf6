#include "xsession/a11y/a11y_wire.h"

#include <cstdlib>

#include "supervisor/base/error.h"

namespace deskbox::a11y {

using nlohmann::json;

namespace {

constexpr int kMaxNesting = 8;  // reply → elements → element → attrs/actions → pair
constexpr int kMaxStates = 64;
constexpr int kMaxActions = 32;
constexpr int kMaxCoordinate = 1 << 20;

[[noreturn]] void bad(const std::string& what) {
    throw Error("a11y helper reply: " + what);
}

// Deep nesting is refused before parsing so that a hostile line cannot make the
// parser or the destructor recurse deeply.
void check_nesting(std::string_view line) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (char c : line) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"')
            in_string = true;
        else if (c == '[' || c == '{') {
            if (++depth > kMaxNesting) bad("nesting deeper than " + std::to_string(kMaxNesting));
        } else if (c == ']' || c == '}')
            --depth;
    }
}

std::string bounded_string(const json& e, const char* key, std::size_t max_bytes, const std::string& where) {
    auto it = e.find(key);
    if (it == e.end() || it->is_null()) return {};
    if (!it->is_string()) bad(where + ": '" + key + "' is not a string");
    const auto& s = it->get_ref<const std::string&>();
    if (s.size() > max_bytes) bad(where + ": '" + key + "' longer than " + std::to_string(max_bytes) + " bytes");
    return s;
}

int bounded_int(const json& v, int lo, int hi, const std::string& where) {
    if (!v.is_number_integer()) bad(where + " is not an integer");
    const auto n = v.get<long long>();
    if (n < lo || n > hi) bad(where + " out of range: " + std::to_string(n));
    return static_cast<int>(n);
}

std::vector<std::string> string_list(const json& e, const char* key, int max_count, std::size_t max_bytes,
                                     const std::string& where) {
    std::vector<std::string> out;
    auto it = e.find(key);
    if (it == e.end()) return out;
    if (!it->is_array()) bad(where + ": '" + key + "' is not an array");
    if (static_cast<int>(it->size()) > max_count) bad(where + ": too many '" + key + "'");
    for (const json& s : *it) {
        if (!s.is_string() || s.get_ref<const std::string&>().size() > max_bytes)
            bad(where + ": '" + key + "' holds a non-string or an overlong string");
        out.push_back(s.get<std::string>());
    }
    return out;
}

}  // namespace

std::string utf8_excerpt(std::string_view s, int max_chars, bool* truncated) {
    std::string out;
    out.reserve(std::min<std::size_t>(s.size(), static_cast<std::size_t>(max_chars) * 4));
    int chars = 0;
    std::size_t i = 0;
    if (truncated) *truncated = false;
    while (i < s.size()) {
        if (chars >= max_chars) {
            if (truncated) *truncated = true;
            break;
        }
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        bool valid = len > 0 && i + len <= s.size();
        for (std::size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        if (valid) {
            out.append(s.substr(i, len));
            i += len;
        } else {
            out.append("\xEF\xBF\xBD");
            i += 1;
        }
        ++chars;
    }
    return out;
}

json element_to_wire(const Element& e) {
    json j = {{"path", e.path}, {"parent", e.parent}, {"depth", e.depth}, {"role", e.role}, {"name", e.name}};
    if (!e.description.empty()) j["desc"] = e.description;
    j["states"] = e.states;
    if (!e.attributes.empty()) j["attrs"] = e.attributes;
    if (e.bbox) j["bbox"] = {e.bbox->x, e.bbox->y, e.bbox->width, e.bbox->height};
    if (!e.text.empty()) j["text"] = e.text;
    if (e.text_truncated) j["text_truncated"] = true;
    if (e.value) j["value"] = {e.value->current, e.value->minimum, e.value->maximum, e.value->step};
    if (!e.actions.empty()) {
        json acts = json::array();
        for (std::size_t i = 0; i < e.actions.size(); ++i)
            acts.push_back({e.actions[i], i < e.action_keys.size() ? e.action_keys[i] : ""});
        j["actions"] = acts;
    }
    json ifaces = json::array();
    if (e.image) ifaces.push_back("image");
    if (e.selection) ifaces.push_back("selection");
    if (e.editable_text) ifaces.push_back("editable_text");
    if (!ifaces.empty()) j["ifaces"] = ifaces;
    if (!e.toolkit.empty()) j["toolkit"] = e.toolkit;
    j["app"] = e.app;
    if (!e.window.empty()) j["window"] = e.window;
    if (!e.document_url.empty()) j["document_url"] = e.document_url;
    return j;
}

json parse_reply(std::string_view line, int max_bytes) {
    if (static_cast<long>(line.size()) > max_bytes) bad("longer than " + std::to_string(max_bytes) + " bytes");
    check_nesting(line);
    json reply = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (reply.is_discarded()) bad("not valid JSON");
    if (!reply.is_object()) bad("not a JSON object");
    auto ok = reply.find("ok");
    if (ok == reply.end() || !ok->is_boolean()) bad("no boolean 'ok'");
    if (!ok->get<bool>()) {
        std::string error = "unknown error";
        if (auto e = reply.find("error"); e != reply.end() && e->is_string())
            error = utf8_excerpt(e->get_ref<const std::string&>(), 1024);
        throw Error("a11y helper: " + error);
    }
    return reply;
}

Tree tree_from_wire(const json& reply, const Limits& limits, bool flat) {
    Tree tree;
    auto elements = reply.find("elements");
    if (elements == reply.end() || !elements->is_array()) bad("no 'elements' array");
    if (static_cast<int>(elements->size()) > limits.max_nodes)
        bad(std::to_string(elements->size()) + " elements, more than the limit " + std::to_string(limits.max_nodes));
    // Names and texts are counted in characters by the helper; a character is at most 4 bytes (6 with escapes
    // that the parser already undid), plus room for the U+FFFD replacements.
    const std::size_t text_bytes = static_cast<std::size_t>(limits.max_text) * 4 + 16;
    tree.elements.reserve(elements->size());
    for (std::size_t i = 0; i < elements->size(); ++i) {
        const json& w = (*elements)[i];
        const std::string where = "element " + std::to_string(i);
        if (!w.is_object()) bad(where + " is not an object");
        Element e;
        e.id = static_cast<int>(i);
        if (!w.contains("parent")) bad(where + ": no 'parent'");
        e.parent = bounded_int(w["parent"], -1, flat ? -1 : static_cast<int>(i) - 1, where + " parent");
        if (!w.contains("depth")) bad(where + ": no 'depth'");
        e.depth = bounded_int(w["depth"], 1, limits.max_depth, where + " depth");
        if (flat) {
            // unrelated elements: no parent order to check
        } else if (e.parent >= 0 && e.depth != tree.elements[e.parent].depth + 1)
            bad(where + ": depth does not follow its parent");
        else if (e.parent < 0 && e.depth != 1)
            bad(where + ": an application must have depth 1");
        e.path = bounded_string(w, "path", 8 * static_cast<std::size_t>(limits.max_depth) + 8, where);
        e.role = bounded_string(w, "role", 64, where);
        e.name = bounded_string(w, "name", text_bytes, where);
        e.description = bounded_string(w, "desc", text_bytes, where);
        e.states = string_list(w, "states", kMaxStates, 64, where);
        if (auto a = w.find("attrs"); a != w.end()) {
            if (!a->is_object() || static_cast<int>(a->size()) > limits.max_attributes) bad(where + ": bad 'attrs'");
            for (auto it = a->begin(); it != a->end(); ++it) {
                if (!it.value().is_string() || it.key().size() > 128 ||
                    it.value().get_ref<const std::string&>().size() > text_bytes)
                    bad(where + ": bad attribute");
                e.attributes[it.key()] = it.value().get<std::string>();
            }
        }
        if (auto b = w.find("bbox"); b != w.end()) {
            if (!b->is_array() || b->size() != 4) bad(where + ": 'bbox' is not [x, y, w, h]");
            e.bbox = Rect{bounded_int((*b)[0], -kMaxCoordinate, kMaxCoordinate, where + " bbox x"),
                          bounded_int((*b)[1], -kMaxCoordinate, kMaxCoordinate, where + " bbox y"),
                          bounded_int((*b)[2], -kMaxCoordinate, kMaxCoordinate, where + " bbox width"),
                          bounded_int((*b)[3], -kMaxCoordinate, kMaxCoordinate, where + " bbox height")};
        }
        e.text = bounded_string(w, "text", text_bytes, where);
        if (auto t = w.find("text_truncated"); t != w.end()) e.text_truncated = t->is_boolean() && t->get<bool>();
        if (auto v = w.find("value"); v != w.end()) {
            if (!v->is_array() || v->size() != 4) bad(where + ": 'value' is not [current, min, max, step]");
            for (const json& n : *v)
                if (!n.is_number()) bad(where + ": 'value' holds a non-number");
            e.value = ElementValue{(*v)[0].get<double>(), (*v)[1].get<double>(), (*v)[2].get<double>(),
                                   (*v)[3].get<double>()};
        }
        if (auto acts = w.find("actions"); acts != w.end()) {
            if (!acts->is_array() || static_cast<int>(acts->size()) > kMaxActions) bad(where + ": bad 'actions'");
            for (const json& pair : *acts) {
                if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string() ||
                    pair[0].get_ref<const std::string&>().size() > 64 ||
                    pair[1].get_ref<const std::string&>().size() > 64)
                    bad(where + ": an action is not [name, key]");
                e.actions.push_back(pair[0].get<std::string>());
                e.action_keys.push_back(pair[1].get<std::string>());
            }
        }
        for (const std::string& iface : string_list(w, "ifaces", 8, 32, where)) {
            if (iface == "image")
                e.image = true;
            else if (iface == "selection")
                e.selection = true;
            else if (iface == "editable_text")
                e.editable_text = true;
        }
        e.toolkit = bounded_string(w, "toolkit", 64, where);
        // The helper names the toolkit once, on the application; its elements inherit it.
        if (e.toolkit.empty() && !flat && e.parent >= 0) e.toolkit = tree.elements[e.parent].toolkit;
        e.app = bounded_string(w, "app", text_bytes, where);
        e.window = bounded_string(w, "window", text_bytes, where);
        e.document_url = bounded_string(w, "document_url", 4096, where);
        tree.elements.push_back(std::move(e));
    }
    if (auto t = reply.find("truncated"); t != reply.end() && t->is_boolean()) tree.truncated = t->get<bool>();
    if (tree.truncated) {
        tree.truncated_reason = bounded_string(reply, "reason", 64, "reply");
        if (tree.truncated_reason.empty()) tree.truncated_reason = "unknown";
    }
    return tree;
}

json element_to_json(const Element& e, ScaleFactors scale) {
    json j = {{"id", e.id},         {"parent", e.parent}, {"depth", e.depth},
              {"role", e.role},     {"name", e.name},     {"description", e.description},
              {"states", e.states}, {"app", e.app},       {"window", e.window}};
    if (e.bbox) {
        j["bbox"] = {{"x", e.bbox->x}, {"y", e.bbox->y}, {"width", e.bbox->width}, {"height", e.bbox->height}};
        const Rect s = scale_rect(*e.bbox, scale);
        j["bbox_scaled"] = {{"x", s.x}, {"y", s.y}, {"width", s.width}, {"height", s.height}};
    } else {
        j["bbox"] = nullptr;
        j["bbox_scaled"] = nullptr;
    }
    if (!e.text.empty()) j["text"] = e.text;
    if (e.text_truncated) j["text_truncated"] = true;
    if (e.value)
        j["value"] = {{"current", e.value->current},
                      {"min", e.value->minimum},
                      {"max", e.value->maximum},
                      {"step", e.value->step}};
    if (!e.actions.empty()) j["actions"] = e.actions;
    if (!e.attributes.empty()) j["attributes"] = e.attributes;
    if (e.editable_text) j["editable"] = true;
    return j;
}

json tree_to_json(const Tree& tree, ScaleFactors scale) {
    json elements = json::array();
    for (const Element& e : tree.elements) elements.push_back(element_to_json(e, scale));
    json j = {{"elements", std::move(elements)}, {"truncated", tree.truncated}};
    if (tree.truncated) j["truncated_reason"] = tree.truncated_reason;
    return j;
}

}  // namespace deskbox::a11y
