// Tool table and mapping. Pointer and keyboard tools become Anthropic
// `computer` tool actions (the agent protocol's typed pointer shape), element
// tools and the screenshot become deskbox actions; every request names its
// dialect, so detection never guesses.
#include "supervisor/mcp/mcp_tools.h"

#include <algorithm>
#include <vector>

#include "supervisor/control/request_fields.h"

namespace deskbox::mcp {
namespace {

using deskbox::json_type_name;

enum class Type { Integer, Number, String, Boolean, Region };

struct Param {
    const char* name;
    Type type;
    bool required;
    const char* description;
    std::vector<const char*> choices = {};  // String: the allowed values
    long min = 0, max = 0;                  // Integer, Number: when min < max
};

struct Tool {
    const char* name;
    const char* description;
    std::vector<Param> params;
};

constexpr const char* kX = "x in screenshot pixels (the space of the screenshots this server returns)";
constexpr const char* kY = "y in screenshot pixels";

std::vector<Param> element_params() {
    return {
        {"role", Type::String, false, "accessibility role, e.g. 'push button', 'text', 'menu item'"},
        {"name", Type::String, false, "accessible name, e.g. 'Save' (give role or name, or both)"},
        {"app", Type::String, false, "application name, to tell apart elements of several apps"},
        {"window", Type::String, false, "window title"},
        {"regex", Type::Boolean, false, "treat role, name, app and window as RE2 patterns ((?i) ignores case)"},
    };
}

const std::vector<Tool>& tools() {
    static const std::vector<Tool> table = [] {
        std::vector<Tool> t = {
            {"screenshot",
             "Take a screenshot of the session's desktop. Returns the image.",
             {{"format", Type::String, false, "image format (default png)", {"png", "jpeg"}},
              {"settle", Type::Boolean, false, "wait until the screen stops changing first (capped)"},
              {"cursor", Type::Boolean, false, "draw the mouse pointer into the image"}}},
            {"zoom",
             "Return a region of the screen at full resolution, as an image.",
             {{"region", Type::Region, true, "[x0, y0, x1, y1] in screenshot pixels, x0 < x1 and y0 < y1"}}},
            {"click",
             "Click at a point. count 2 double-clicks, 3 triple-clicks (left button only).",
             {{"x", Type::Integer, true, kX},
              {"y", Type::Integer, true, kY},
              {"button", Type::String, false, "mouse button (default left)", {"left", "right", "middle"}},
              {"count", Type::Integer, false, "number of clicks (default 1)", {}, 1, 3},
              {"modifiers", Type::String, false, "keys held during the click, e.g. 'shift' or 'ctrl+shift'"}}},
            {"type",
             "Type text into the focused element (click the field first).",
             {{"text", Type::String, true, "the text to type"}}},
            {"key",
             "Press a key or chord, e.g. 'Return', 'ctrl+s', or several separated by spaces ('ctrl+a BackSpace').",
             {{"keys", Type::String, true,
               "xdotool key syntax: X keysym names joined by '+'; chords separated by spaces"},
              {"repeat", Type::Integer, false, "press the whole sequence this many times (default 1)", {}, 1, 100}}},
            {"scroll",
             "Scroll with the mouse wheel, at a point or where the pointer is.",
             {{"direction", Type::String, true, "scroll direction", {"up", "down", "left", "right"}},
              {"amount", Type::Integer, false, "wheel clicks (default 3)", {}, 0, 100},
              {"x", Type::Integer, false, kX},
              {"y", Type::Integer, false, kY}}},
            {"drag",
             "Press the left button at one point, move to another and release.",
             {{"from_x", Type::Integer, true, kX},
              {"from_y", Type::Integer, true, kY},
              {"to_x", Type::Integer, true, kX},
              {"to_y", Type::Integer, true, kY}}},
            {"mouse_move",
             "Move the mouse pointer to a point.",
             {{"x", Type::Integer, true, kX}, {"y", Type::Integer, true, kY}}},
            {"wait",
             "Wait before the next action (pages load, animations end).",
             {{"seconds", Type::Number, true, "how long, 0-300 seconds", {}, 0, 300}}},
            {"tree",
             "Read the accessibility tree of the session's applications (elements with role, name, position).",
             {{"format",
               Type::String,
               false,
               "json (default), linearized (a table) or osworld_xml",
               {"json", "linearized", "osworld_xml"}},
              {"app", Type::String, false, "only this application"},
              {"window", Type::String, false, "only this window (title)"},
              {"role", Type::String, false, "only elements with this role"},
              {"name", Type::String, false, "only elements with this name"},
              {"interactive_only", Type::Boolean, false, "only elements an agent can act on (OSWorld's filter)"}}},
            {"click_element",
             "Click the one element that matches (by accessibility role and name); an error when none or several "
             "match.",
             element_params()},
            {"type_into", "Focus the one element that matches and type text into it.", element_params()},
            {"cursor_position", "Report where the mouse pointer is, in screenshot pixels.", {}},
            {"status", "The session's status: state, display size, apps, pending approvals.", {}},
        };
        for (Tool& tool : t)
            if (std::string_view(tool.name) == "type_into")
                tool.params.push_back({"text", Type::String, true, "the text to type"});
        return t;
    }();
    return table;
}

const Tool* find_tool(std::string_view name) {
    for (const Tool& tool : tools())
        if (name == tool.name) return &tool;
    return nullptr;
}

Json schema_of(const Param& p) {
    Json s = Json::object();
    switch (p.type) {
        case Type::Integer:
            s["type"] = "integer";
            break;
        case Type::Number:
            s["type"] = "number";
            break;
        case Type::String:
            s["type"] = "string";
            break;
        case Type::Boolean:
            s["type"] = "boolean";
            break;
        case Type::Region:
            s = {{"type", "array"}, {"items", {{"type", "integer"}, {"minimum", 0}}}, {"minItems", 4}, {"maxItems", 4}};
            break;
    }
    if (p.min < p.max) {
        s["minimum"] = p.min;
        s["maximum"] = p.max;
    }
    if (!p.choices.empty()) s["enum"] = p.choices;
    s["description"] = p.description;
    return s;
}

// Checks one argument against its parameter; throws naming it.
void check(const Tool& tool, const Param& p, const Json& v) {
    const std::string where = "argument '" + std::string(p.name) + "' of " + tool.name;
    auto wrong = [&](const char* expected) {
        throw ToolArgumentError(where + " must be " + expected + ", got " + json_type_name(v));
    };
    switch (p.type) {
        case Type::Integer:
            if (!v.is_number_integer()) wrong("an integer");
            break;
        case Type::Number:
            if (!v.is_number()) wrong("a number");
            break;
        case Type::String:
            if (!v.is_string()) wrong("a string");
            break;
        case Type::Boolean:
            if (!v.is_boolean()) wrong("a boolean");
            break;
        case Type::Region:
            if (!v.is_array() || v.size() != 4 ||
                !std::all_of(v.begin(), v.end(), [](const Json& n) { return n.is_number_integer(); }))
                wrong("an array of 4 integers");
            break;
    }
    if (p.min < p.max && (v.get<double>() < static_cast<double>(p.min) || v.get<double>() > static_cast<double>(p.max)))
        throw ToolArgumentError(where + " is " + v.dump() + ", outside " + std::to_string(p.min) + ".." +
                                std::to_string(p.max));
    if (!p.choices.empty() &&
        std::none_of(p.choices.begin(), p.choices.end(), [&](const char* c) { return v.get<std::string>() == c; })) {
        std::string list;
        for (const char* c : p.choices) list += (list.empty() ? "" : ", ") + std::string(c);
        throw ToolArgumentError(where + " must be one of " + list + ", got " + v.dump());
    }
}

// The arguments, checked: unknown ones and missing required ones are errors.
Json checked_arguments(const Tool& tool, const Json& arguments) {
    if (!arguments.is_object())
        throw ToolArgumentError(std::string("the arguments of ") + tool.name + " must be an object");
    for (const auto& item : arguments.items()) {
        const auto p =
            std::find_if(tool.params.begin(), tool.params.end(), [&](const Param& q) { return item.key() == q.name; });
        if (p == tool.params.end()) throw ToolArgumentError("unknown argument '" + item.key() + "' of " + tool.name);
        check(tool, *p, item.value());
    }
    for (const Param& p : tool.params)
        if (p.required && !arguments.contains(p.name))
            throw ToolArgumentError("missing argument '" + std::string(p.name) + "' of " + tool.name);
    return arguments;
}

Json anthropic(const char* action) {
    return {{"dialect", "anthropic"}, {"action", action}};
}
Json deskbox_action(const char* action) {
    return {{"dialect", "deskbox"}, {"action", action}};
}
Json with(Json request, const char* key, Json value) {
    request[key] = std::move(value);
    return request;
}

void copy_if_present(const Json& from, Json& to, std::initializer_list<const char*> keys) {
    for (const char* key : keys)
        if (from.contains(key)) to[key] = from[key];
}

Json click_request(const Json& a) {
    const std::string button = a.value("button", "left");
    const long count = a.value("count", 1L);
    if (count > 1 && button != "left")
        throw ToolArgumentError("click: a double or triple click is left-button only (button is '" + button + "')");
    const char* action = count == 3           ? "triple_click"
                         : count == 2         ? "double_click"
                         : button == "right"  ? "right_click"
                         : button == "middle" ? "middle_click"
                                              : "left_click";
    Json r = anthropic(action);
    r["coordinate"] = {a["x"], a["y"]};
    if (a.contains("modifiers")) r["text"] = a["modifiers"];
    return r;
}

Json scroll_request(const Json& a) {
    if (a.contains("x") != a.contains("y")) throw ToolArgumentError("scroll: give both x and y, or neither");
    Json r = anthropic("scroll");
    r["scroll_direction"] = a["direction"];
    r["scroll_amount"] = a.value("amount", 3L);
    if (a.contains("x")) r["coordinate"] = {a["x"], a["y"]};
    return r;
}

}  // namespace

Json tool_list() {
    Json list = Json::array();
    for (const Tool& tool : tools()) {
        Json properties = Json::object();
        Json required = Json::array();
        for (const Param& p : tool.params) {
            properties[p.name] = schema_of(p);
            if (p.required) required.push_back(p.name);
        }
        Json schema = {{"type", "object"}, {"properties", properties}, {"additionalProperties", false}};
        if (!required.empty()) schema["required"] = required;
        list.push_back({{"name", tool.name}, {"description", tool.description}, {"inputSchema", schema}});
    }
    return list;
}

bool is_tool(std::string_view name) {
    return find_tool(name) != nullptr;
}

Json agent_request_for(std::string_view name, const Json& arguments) {
    const Tool* tool = find_tool(name);
    if (!tool) throw ToolArgumentError("unknown tool '" + std::string(name) + "'");
    const Json a = checked_arguments(*tool, arguments);
    const std::string_view n = name;
    if (n == "screenshot") {
        Json r = deskbox_action("screenshot");
        copy_if_present(a, r, {"format", "settle", "cursor"});
        return r;
    }
    if (n == "zoom") return with(anthropic("zoom"), "region", a["region"]);
    if (n == "click") return click_request(a);
    if (n == "type") return with(anthropic("type"), "text", a["text"]);
    if (n == "key") {
        Json r = anthropic("key");
        r["text"] = a["keys"];
        copy_if_present(a, r, {"repeat"});
        return r;
    }
    if (n == "scroll") return scroll_request(a);
    if (n == "drag") {
        Json r = anthropic("left_click_drag");
        r["start_coordinate"] = {a["from_x"], a["from_y"]};
        r["coordinate"] = {a["to_x"], a["to_y"]};
        return r;
    }
    if (n == "mouse_move") return with(anthropic("mouse_move"), "coordinate", {a["x"], a["y"]});
    if (n == "wait") return with(anthropic("wait"), "duration", a["seconds"]);
    if (n == "cursor_position") return anthropic("cursor_position");
    if (n == "status") return {{"action", "status"}};
    // tree, click_element, type_into: the deskbox actions take these fields as they are.
    Json r = deskbox_action(tool->name);
    r.update(a);
    return r;
}

Json tool_error(const std::string& message) {
    return {{"content", Json::array({{{"type", "text"}, {"text", message}}})}, {"isError", true}};
}

namespace {

Json text_block(const std::string& text) {
    return {{"type", "text"}, {"text", text}};
}

// Anthropic tool_result content → MCP content (image source → data + mimeType).
Json from_tool_result(const Json& content) {
    Json out = Json::array();
    if (!content.is_array()) return out;
    for (const Json& block : content) {
        if (block.value("type", "") == "image" && block.contains("source")) {
            const Json& source = block["source"];
            out.push_back({{"type", "image"},
                           {"data", source.value("data", "")},
                           {"mimeType", source.value("media_type", "image/png")}});
        } else if (block.contains("text") && block["text"].is_string()) {
            out.push_back(text_block(block["text"].get<std::string>()));
        }
    }
    return out;
}

// deskbox result {image, cursor, data, episode} → MCP content.
Json from_result(std::string_view tool, const Json& result) {
    Json out = Json::array();
    if (result.contains("image")) {
        const Json& image = result["image"];
        out.push_back(
            {{"type", "image"}, {"data", image.value("data", "")}, {"mimeType", image.value("mime", "image/png")}});
        if (image.contains("width") && image.contains("height"))
            out.push_back(text_block(std::string(tool) + " " + image["width"].dump() + "x" + image["height"].dump()));
    }
    if (result.contains("cursor"))
        out.push_back(text_block("X=" + result["cursor"].value("x", Json()).dump() +
                                 ",Y=" + result["cursor"].value("y", Json()).dump()));
    if (result.contains("data")) {
        const Json& data = result["data"];
        out.push_back(text_block(data.is_string() ? data.get<std::string>() : data.dump(2)));
    }
    if (out.empty()) out.push_back(text_block(std::string(tool) + " done"));
    return out;
}

}  // namespace

Json tool_result_from(std::string_view tool, const Json& reply) {
    if (!reply.value("ok", false)) {
        const Json error = reply.value("error", Json::object());
        std::string message = error.value("message", "the session gave no reason");
        const std::string code = error.value("code", "error");
        // A refusal's message already names the rule ("refused by policy rule 'x': ...").
        if (code != "refused") message = code + ": " + message;
        Json result = tool_error(message);
        if (reply.contains("rule") || error.contains("rule"))
            result["structuredContent"] = {{"code", code}, {"rule", error.value("rule", reply.value("rule", ""))}};
        return result;
    }
    Json content;
    if (reply.contains("status"))
        content = Json::array({text_block(reply["status"].dump(2))});
    else if (reply.contains("tool_result"))
        content = from_tool_result(reply["tool_result"].value("content", Json::array()));
    else
        content = from_result(tool, reply.value("result", Json::object()));
    if (content.empty()) content.push_back(text_block(std::string(tool) + " done"));
    return {{"content", content}, {"isError", false}};
}

}  // namespace deskbox::mcp
