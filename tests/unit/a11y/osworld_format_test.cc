#include "xsession/a11y/osworld_format.h"

#include <boost/test/unit_test.hpp>

#include "tests/unit/a11y/sample_tree.h"
#include "xsession/a11y/a11y_filter.h"
#include "xsession/a11y/a11y_wire.h"

using namespace deskbox::a11y;
using namespace deskbox::a11y::testing;
using deskbox::Rect;

namespace {

// A tree as the helper's reply carries it.
nlohmann::json tree_wire(const Tree& t) {
    nlohmann::json elements = nlohmann::json::array();
    for (const Element& e : t.elements) elements.push_back(element_to_wire(e));
    return {{"seq", 1}, {"ok", true}, {"truncated", false}, {"reason", ""}, {"elements", elements}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(osworld_format)

BOOST_AUTO_TEST_CASE(xml_has_osworld_root_namespaces_and_tags) {
    const std::string xml = to_osworld_xml(sample_tree(), ScaleFactors{});
    BOOST_TEST(
        xml.starts_with("<desktop-frame xmlns:st=\"https://accessibility.ubuntu.example.org/ns/state\" "
                        "xmlns:attr=\"https://accessibility.ubuntu.example.org/ns/attributes\" "
                        "xmlns:cp=\"https://accessibility.ubuntu.example.org/ns/component\" "
                        "xmlns:doc=\"https://accessibility.ubuntu.example.org/ns/document\" "
                        "xmlns:docattr=\"https://accessibility.ubuntu.example.org/ns/document/attributes\" "
                        "xmlns:txt=\"https://accessibility.ubuntu.example.org/ns/text\" "
                        "xmlns:val=\"https://accessibility.ubuntu.example.org/ns/value\" "
                        "xmlns:act=\"https://accessibility.ubuntu.example.org/ns/action\">"));
    BOOST_TEST(xml.ends_with("</desktop-frame>"));
    // The application, and its frame nested inside it.
    BOOST_TEST(xml.find("<application name=\"demo\" attr:class=\"GTK.application\"><frame name=\"Demo Window\"") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(xml_element_matches_lxml_serialization) {
    const std::string xml = to_osworld_xml(sample_tree(), ScaleFactors{});
    BOOST_TEST(xml.find("<push-button name=\"OK\" st:enabled=\"true\" st:sensitive=\"true\" st:showing=\"true\" "
                        "st:visible=\"true\" attr:toolkit=\"gtk\" attr:class=\"GTK.push-button\" "
                        "attr:description=\"Accept the changes\" cp:screencoord=\"(10, 20)\" cp:size=\"(80, 30)\" "
                        "act:click_desc=\"\" act:click_kb=\"&lt;Alt&gt;o\"/>") != std::string::npos,
               xml);
    // Text content escaped as lxml does: quotes stay, & < > are escaped.
    BOOST_TEST(xml.find(">say \"hi\" &amp; &lt;bye&gt;</text>") != std::string::npos);
    // Value as Python's str(float).
    BOOST_TEST(xml.find("val:value=\"5.0\" val:min=\"0.0\" val:max=\"10.0\" val:step=\"0.5\"") != std::string::npos);
    // No box for the hidden element.
    BOOST_TEST(
        xml.find("<push-button name=\"Hidden\" st:enabled=\"true\" st:visible=\"true\" attr:class=\"push-button\"/>") !=
        std::string::npos);
}

BOOST_AUTO_TEST_CASE(empty_tree_is_a_bare_root) {
    const std::string xml = to_osworld_xml(Tree{}, ScaleFactors{});
    BOOST_TEST(xml.ends_with("/>"));
    BOOST_TEST(xml.starts_with("<desktop-frame xmlns:st="));
}

BOOST_AUTO_TEST_CASE(xml_escapes_hostile_names_and_attribute_keys) {
    Tree t;
    Element e = testing::make(0, -1, 1, "my role<x>", "a\"b\x01<c>\n", {});
    e.attributes = {{"we ird:key", "v\tw"}};
    t.elements.push_back(e);
    const std::string xml = to_osworld_xml(t, ScaleFactors{});
    BOOST_TEST(xml.find("<my-role_x_ name=\"a&quot;b&lt;c&gt;&#10;\" attr:we_ird_key=\"v&#9;w\"") != std::string::npos,
               xml);
}

BOOST_AUTO_TEST_CASE(linearized_table_matches_osworld_columns_and_fills_class_and_description) {
    const std::string table = to_linearized(sample_tree(), ScaleFactors{});
    const std::string expected =
        "tag\tname\ttext\tclass\tdescription\tposition (top-left x&y)\tsize (w&h)\n"
        "push-button\tOK\t\"\"\tGTK.push-button\tAccept the changes\t(10, 20)\t(80, 30)\n"
        "text\t\t\"say \"\"hi\"\" & <bye>\"\ttext\t\t(10, 60)\t(200, 24)\n"
        "push-button\tOK\t\"\"\tpush-button\t\t(300, 20)\t(80, 30)\n"
        "slider\tVolume\t\"\"\tslider\t\t(10, 100)\t(100, 20)";
    BOOST_TEST(table == expected);
}

// In a scaled session the agent clicks in screenshot space: positions and
// sizes are the boxes scaled (both corners rounded), x and y by their own factor.
BOOST_AUTO_TEST_CASE(linearized_table_is_in_screenshot_space_when_scaled) {
    const std::string table = to_linearized(sample_tree(), ScaleFactors{0.8, 0.5});
    const std::string expected =
        "tag\tname\ttext\tclass\tdescription\tposition (top-left x&y)\tsize (w&h)\n"
        "push-button\tOK\t\"\"\tGTK.push-button\tAccept the changes\t(8, 10)\t(64, 15)\n"
        "text\t\t\"say \"\"hi\"\" & <bye>\"\ttext\t\t(8, 30)\t(160, 12)\n"
        "push-button\tOK\t\"\"\tpush-button\t\t(240, 10)\t(64, 15)\n"
        "slider\tVolume\t\"\"\tslider\t\t(8, 50)\t(80, 10)";
    BOOST_TEST(table == expected);
}

// Which rows are listed is decided on the screen boxes: a box that scales to
// nothing stays listed (as 0 wide), one off screen stays out.
BOOST_AUTO_TEST_CASE(linearized_rows_do_not_depend_on_the_scale) {
    Tree t = sample_tree();
    t.elements[2].bbox = Rect{1001, 20, 1, 30};
    const std::string table = to_linearized(t, ScaleFactors{0.5, 0.5});
    BOOST_TEST(table.find("push-button\tOK\t\"\"\tGTK.push-button\tAccept the changes\t(501, 10)\t(0, 15)\n") !=
                   std::string::npos,
               table);
    BOOST_TEST(table.find("Far") == std::string::npos, table);
}

BOOST_AUTO_TEST_CASE(xml_component_coordinates_are_in_screenshot_space_when_scaled) {
    const std::string xml = to_osworld_xml(sample_tree(), ScaleFactors{0.8, 0.5});
    BOOST_TEST(xml.find("<push-button name=\"OK\" st:enabled=\"true\" st:sensitive=\"true\" st:showing=\"true\" "
                        "st:visible=\"true\" attr:toolkit=\"gtk\" attr:class=\"GTK.push-button\" "
                        "attr:description=\"Accept the changes\" cp:screencoord=\"(8, 10)\" cp:size=\"(64, 15)\" "
                        "act:click_desc=\"\" act:click_kb=\"&lt;Alt&gt;o\"/>") != std::string::npos,
               xml);
    BOOST_TEST(xml.find("<frame name=\"Demo Window\" st:active=\"true\" st:enabled=\"true\" st:showing=\"true\" "
                        "st:visible=\"true\" attr:class=\"frame\" cp:screencoord=\"(0, 0)\" cp:size=\"(512, 240)\">") !=
                   std::string::npos,
               xml);
    // Off screen stays off screen: (-50, 20) 40x30 -> (-40, 10) 32x15.
    BOOST_TEST(xml.find("cp:screencoord=\"(-40, 10)\" cp:size=\"(32, 15)\"") != std::string::npos, xml);
}

BOOST_AUTO_TEST_CASE(class_prefers_toolkit_class_attributes) {
    Element e;
    BOOST_TEST(element_class(e) == "unknown");
    e.role = "push button";
    BOOST_TEST(element_class(e) == "push-button");
    e.toolkit = "Chromium";
    BOOST_TEST(element_class(e) == "Chromium.push-button");
    e.attributes["id"] = "submit";  // an HTML id is not a class
    BOOST_TEST(element_class(e) == "Chromium.push-button");
    e.attributes["tag"] = "button";
    BOOST_TEST(element_class(e) == "button");
    e.attributes["class"] = "btn primary";
    BOOST_TEST(element_class(e) == "btn primary");
}

// What the helper sends for GTK: the toolkit only on the application. Every
// element inherits it, so the class column of the linearized table is filled.
BOOST_AUTO_TEST_CASE(gtk_elements_get_a_class_from_the_application_toolkit) {
    Tree t = sample_tree();
    for (Element& e : t.elements) e.toolkit = e.depth == 1 ? "GTK" : "";
    const Tree parsed = tree_from_wire(tree_wire(t), Limits{});
    const std::string table = to_linearized(parsed, ScaleFactors{});
    std::size_t rows = 0;
    for (std::size_t start = table.find('\n'); start != std::string::npos; start = table.find('\n', start + 1)) {
        const std::string row = table.substr(start + 1, table.find('\n', start + 1) - start - 1);
        std::vector<std::string> cols;
        for (std::size_t a = 0, b; a <= row.size(); a = b + 1) {
            b = row.find('\t', a);
            if (b == std::string::npos) b = row.size();
            cols.push_back(row.substr(a, b - a));
        }
        BOOST_REQUIRE_EQUAL(cols.size(), 7u);
        BOOST_TEST(cols[3] == "GTK." + cols[0], row);
        ++rows;
    }
    BOOST_TEST(rows == 4u);
    BOOST_TEST(to_linearized(parsed, ScaleFactors{}).find("\tGTK.slider\t") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
