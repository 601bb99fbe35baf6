#include "xsession/a11y/a11y_wire.h"

#include <boost/test/unit_test.hpp>

#include "supervisor/base/error.h"
#include "tests/unit/a11y/sample_tree.h"

using namespace deskbox::a11y;
using namespace deskbox::a11y::testing;
using deskbox::Rect;
using nlohmann::json;

namespace {

json reply_of(const Tree& t) {
    json elements = json::array();
    for (const Element& e : t.elements) elements.push_back(element_to_wire(e));
    return {
        {"seq", 1}, {"ok", true}, {"truncated", t.truncated}, {"reason", t.truncated_reason}, {"elements", elements}};
}

bool message_is(const deskbox::Error& e, const std::string& expected) {
    BOOST_TEST_MESSAGE(e.what());
    return std::string(e.what()) == expected;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(a11y_wire)

BOOST_AUTO_TEST_CASE(round_trip_keeps_every_field) {
    const Tree t = sample_tree();
    const Tree back = tree_from_wire(parse_reply(reply_of(t).dump(), 1 << 20), Limits{});
    BOOST_REQUIRE_EQUAL(back.elements.size(), t.elements.size());
    const Element& ok = back.elements[2];
    BOOST_TEST(ok.role == "push button");
    BOOST_TEST(ok.description == "Accept the changes");
    BOOST_TEST((ok.bbox == Rect{10, 20, 80, 30}));
    BOOST_TEST(ok.actions == std::vector<std::string>{"click"}, boost::test_tools::per_element());
    BOOST_TEST(ok.action_keys == std::vector<std::string>{"<Alt>o"}, boost::test_tools::per_element());
    BOOST_TEST(back.elements[3].editable_text);
    BOOST_TEST(back.elements[6].value->step == 0.5);
    BOOST_TEST(!back.elements[4].bbox.has_value());
}

BOOST_AUTO_TEST_CASE(error_replies_become_errors) {
    BOOST_CHECK_EXCEPTION(parse_reply(R"({"ok":false,"error":"no element at path 1.2"})", 1024), deskbox::Error,
                          [](const deskbox::Error& e) { return message_is(e, "a11y helper: no element at path 1.2"); });
}

BOOST_AUTO_TEST_CASE(malformed_replies_are_refused) {
    auto refused = [](const std::string& line, const std::string& message) {
        BOOST_CHECK_EXCEPTION(tree_from_wire(parse_reply(line, 1 << 16), Limits{}), deskbox::Error,
                              [&](const deskbox::Error& e) { return message_is(e, message); });
    };
    refused("not json", "a11y helper reply: not valid JSON");
    refused("[1]", "a11y helper reply: not a JSON object");
    refused("{}", "a11y helper reply: no boolean 'ok'");
    refused(std::string(20, '[') + std::string(20, ']'), "a11y helper reply: nesting deeper than 8");
    refused(R"({"ok":true})", "a11y helper reply: no 'elements' array");
    refused(R"({"ok":true,"elements":[{"parent":0,"depth":1}]})",
            "a11y helper reply: element 0 parent out of range: 0");
    refused(R"({"ok":true,"elements":[{"parent":-1,"depth":3}]})",
            "a11y helper reply: element 0: an application must have depth 1");
    refused(R"({"ok":true,"elements":[{"parent":-1,"depth":1,"name":7}]})",
            "a11y helper reply: element 0: 'name' is not a string");
    refused(R"({"ok":true,"elements":[{"parent":-1,"depth":1,"bbox":[1,2,3]}]})",
            "a11y helper reply: element 0: 'bbox' is not [x, y, w, h]");
    refused(R"({"ok":true,"elements":[{"parent":-1,"depth":1,"bbox":[1,2,3,99999999]}]})",
            "a11y helper reply: element 0 bbox height out of range: 99999999");
    refused(R"({"ok":true,"elements":[{"parent":-1,"depth":1},{"parent":0,"depth":1}]})",
            "a11y helper reply: element 1: depth does not follow its parent");
    refused(R"({"ok":true,"elements":[{"parent":-1,"depth":1,"actions":[["click"]]}]})",
            "a11y helper reply: element 0: an action is not [name, key]");
}

BOOST_AUTO_TEST_CASE(limits_bound_count_and_lengths) {
    Limits small;
    small.max_nodes = 3;
    BOOST_CHECK_EXCEPTION(tree_from_wire(reply_of(sample_tree()), small), deskbox::Error, [](const deskbox::Error& e) {
        return message_is(e, "a11y helper reply: 9 elements, more than the limit 3");
    });
    Limits short_text;
    short_text.max_text = 2;  // 2 characters: at most 24 bytes
    Tree t;
    t.elements.push_back(make(0, -1, 1, "application", std::string(100, 'x'), {}));
    BOOST_CHECK_THROW(tree_from_wire(reply_of(t), short_text), deskbox::Error);
    BOOST_CHECK_EXCEPTION(parse_reply(std::string(2000, ' '), 1000), deskbox::Error, [](const deskbox::Error& e) {
        return message_is(e, "a11y helper reply: longer than 1000 bytes");
    });
}

BOOST_AUTO_TEST_CASE(truncation_is_reported) {
    Tree t = sample_tree();
    t.truncated = true;
    t.truncated_reason = "max_nodes";
    const Tree back = tree_from_wire(reply_of(t), Limits{});
    BOOST_TEST(back.truncated);
    BOOST_TEST(back.truncated_reason == "max_nodes");
    const json j = tree_to_json(back, ScaleFactors{0.5, 0.5});
    BOOST_TEST(j["truncated"].get<bool>());
    BOOST_TEST(j["truncated_reason"] == "max_nodes");
}

BOOST_AUTO_TEST_CASE(agent_json_has_ids_and_both_box_spaces) {
    const json j = tree_to_json(sample_tree(), ScaleFactors{0.5, 0.5});
    const json& ok = j["elements"][2];
    BOOST_TEST(ok["id"] == 2);
    BOOST_TEST(ok["parent"] == 1);
    BOOST_TEST(ok["bbox"]["x"] == 10);
    BOOST_TEST(ok["bbox_scaled"]["x"] == 5);
    BOOST_TEST(ok["bbox_scaled"]["width"] == 40);
    BOOST_TEST(ok["app"] == "demo");
    BOOST_TEST(ok["window"] == "Demo Window");
    BOOST_TEST(j["elements"][4]["bbox"].is_null());
}

BOOST_AUTO_TEST_CASE(utf8_excerpt_cuts_on_characters_and_repairs) {
    bool cut = false;
    BOOST_TEST(utf8_excerpt("h\xC3\xA9llo", 2, &cut) == "h\xC3\xA9");
    BOOST_TEST(cut);
    BOOST_TEST(utf8_excerpt("a\xFF"
                            "b",
                            10, &cut) ==
               "a\xEF\xBF\xBD"
               "b");
    BOOST_TEST(!cut);
    BOOST_TEST(utf8_excerpt("\xE2\x82", 10) == "\xEF\xBF\xBD\xEF\xBF\xBD");
}

BOOST_AUTO_TEST_CASE(scaling_keeps_adjacent_boxes_adjacent) {
    const Rect a = scale_rect(Rect{0, 0, 3, 3}, ScaleFactors{0.5, 0.5});
    const Rect b = scale_rect(Rect{3, 0, 3, 3}, ScaleFactors{0.5, 0.5});
    BOOST_TEST(a.x + a.width == b.x);
    BOOST_TEST((centre(Rect{10, 20, 80, 30}) == deskbox::Point{50, 35}));
}

BOOST_AUTO_TEST_SUITE_END()
