// LibreOffice Calc: a large tree. Queries stay within their bounds and say
// when they were cut; the visible cells are read, not the million others.
#include <boost/test/unit_test.hpp>

#include "supervisor/base/error.h"
#include "tests/integration/a11y_grounding/a11y_session.h"
#include "xsession/a11y/a11y_match.h"

using namespace deskbox;
using namespace deskbox::a11y;
using deskbox::testing::A11ySession;

namespace {

constexpr Millis kCalcTimeout{120000};

}  // namespace

BOOST_AUTO_TEST_SUITE(a11y_calc)

BOOST_AUTO_TEST_CASE(calc_tree_is_bounded_and_says_it_truncated) {
    if (!deskbox::testing::a11y_prerequisite("libreoffice")) return;
    A11ySession s;
    s.start_app({"libreoffice", "--calc", "--norestore", "--nologo"}, "calc");
    // The cell A1 of the new sheet is on screen once Calc is up.
    const ElementTarget a1{"table cell", "A1", false, "", ""};
    s.client().wait_for(a1, kCalcTimeout);

    HelperOptions options = s.helper_options();
    options.limits.max_nodes = 200;
    A11yClient small(s.spawner, options);
    const Tree cut = small.tree();
    BOOST_TEST(cut.truncated);
    BOOST_TEST(cut.truncated_reason == "max_nodes");
    BOOST_TEST(cut.elements.size() <= 200u);

    // With the default bounds the whole visible tree comes back: the cells on
    // screen, not the sheet's millions.
    const Tree full = s.client().tree();
    BOOST_TEST_MESSAGE("calc tree: " << full.elements.size() << " elements, truncated=" << full.truncated << " "
                                     << full.truncated_reason);
    BOOST_TEST(full.elements.size() <= static_cast<std::size_t>(Limits{}.max_nodes));
    int cells = 0;
    for (const Element& e : full.elements) cells += e.role == "table cell";
    BOOST_TEST(cells > 20);
    BOOST_TEST(cells < 20000);

    // A time limit too short for the tree cuts it on time.
    options.limits = Limits{};
    options.limits.time_ms = 1;
    A11yClient hurried(s.spawner, options);
    const Tree quick = hurried.tree();
    BOOST_TEST(quick.truncated);
    BOOST_TEST(quick.truncated_reason == "time");
}

BOOST_AUTO_TEST_SUITE_END()
