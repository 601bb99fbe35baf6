// The session runtime's start and teardown order (supervisor/session/ordered_parts.h),
// with recording fakes for its parts: the order in which they were started,
// stopped and destroyed, on success, on a failure at each start step, and
// when a stop fails.
#include "supervisor/session/ordered_parts.h"

#include <algorithm>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <stdexcept>
#include <string>
#include <vector>

using namespace deskbox;
namespace data = boost::unit_test::data;

namespace {

// The session's parts, in the runtime's start order.
const std::vector<std::string> kSteps = {
    "session dir", "audit log", "sandbox",  "display",         "session bus", "egress proxy", "apps",      "desktop",
    "gate",        "files",     "verifier", "reviewers' view", "sockets",     "recording",    "end checks"};

struct Journal {
    std::vector<std::string> events;
    std::string fail_start;  // this part's construction throws
    std::string fail_stop;   // this part's stop() throws
};

class FakePart : public Part {
public:
    FakePart(Journal& journal, std::string name, const FakePart* earlier)
        : journal_(journal), name_(std::move(name)), earlier_(earlier) {
        if (journal_.fail_start == name_) throw std::runtime_error("cannot start " + name_);
        journal_.events.push_back("start " + name_);
    }
    ~FakePart() override {
        // A part goes before what it was given: the earlier part still exists here.
        if (earlier_) earlier_->check_alive();
        journal_.events.push_back("destroy " + name_);
        alive_ = false;
    }
    void stop() override {
        if (earlier_) earlier_->check_alive();
        journal_.events.push_back("stop " + name_);
        if (journal_.fail_stop == name_) throw std::runtime_error("cannot stop " + name_);
    }
    void check_alive() const {
        if (!alive_) journal_.events.push_back("USED AFTER DESTRUCTION " + name_);
    }

private:
    Journal& journal_;
    std::string name_;
    const FakePart* earlier_;
    bool alive_ = true;
};

// Starts every step in order, each given the one before it, as the runtime does.
void start_all(OrderedParts& parts, Journal& journal) {
    const FakePart* previous = nullptr;
    for (const auto& step : kSteps) previous = &parts.start<FakePart>(step, journal, step, previous);
}

std::vector<std::string> teardown_events(const std::vector<std::string>& started) {
    std::vector<std::string> out;
    for (auto it = started.rbegin(); it != started.rend(); ++it) {
        out.push_back("stop " + *it);
        out.push_back("destroy " + *it);
    }
    return out;
}

std::vector<std::string> start_events(const std::vector<std::string>& started) {
    std::vector<std::string> out;
    for (const auto& s : started) out.push_back("start " + s);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ordered_parts)

BOOST_AUTO_TEST_CASE(starts_in_order_and_tears_down_in_reverse) {
    Journal journal;
    {
        OrderedParts parts;
        start_all(parts, journal);
        BOOST_TEST(parts.names() == kSteps, boost::test_tools::per_element());
        BOOST_TEST(journal.events == start_events(kSteps), boost::test_tools::per_element());
        journal.events.clear();
        BOOST_TEST(parts.stop_all().empty());
        BOOST_TEST(parts.empty());
        BOOST_TEST(journal.events == teardown_events(kSteps), boost::test_tools::per_element());
        journal.events.clear();
        BOOST_TEST(parts.stop_all().empty());  // a second teardown does nothing
    }
    BOOST_TEST(journal.events.empty());  // nor does the owner's destruction after it
}

BOOST_AUTO_TEST_CASE(destruction_alone_tears_down_in_reverse) {
    Journal journal;
    {
        OrderedParts parts;
        start_all(parts, journal);
        journal.events.clear();
    }  // the path of an exception that unwinds through the runtime
    BOOST_TEST(journal.events == teardown_events(kSteps), boost::test_tools::per_element());
}

BOOST_DATA_TEST_CASE(a_failed_start_tears_down_what_started, data::xrange(kSteps.size()), failing) {
    Journal journal;
    journal.fail_start = kSteps[failing];
    const std::vector<std::string> started(kSteps.begin(), kSteps.begin() + static_cast<std::ptrdiff_t>(failing));
    std::string error;
    {
        OrderedParts parts;
        try {
            start_all(parts, journal);
        } catch (const std::runtime_error& e) {
            error = e.what();
        }
        BOOST_TEST(error == "cannot start " + kSteps[failing]);
        BOOST_TEST(parts.names() == started, boost::test_tools::per_element());
        BOOST_TEST(journal.events == start_events(started), boost::test_tools::per_element());
        journal.events.clear();
        BOOST_TEST(parts.stop_all().empty());
        // The failed part was never added: only the ones before it stop, in reverse.
        BOOST_TEST(journal.events == teardown_events(started), boost::test_tools::per_element());
    }
}

BOOST_DATA_TEST_CASE(a_failed_stop_is_reported_and_teardown_goes_on, data::xrange(kSteps.size()), failing) {
    Journal journal;
    journal.fail_stop = kSteps[failing];
    OrderedParts parts;
    start_all(parts, journal);
    journal.events.clear();
    const std::vector<std::string> problems = parts.stop_all();
    BOOST_TEST_REQUIRE(problems.size() == 1u);
    BOOST_TEST(problems[0] == kSteps[failing] + ": cannot stop " + kSteps[failing]);
    BOOST_TEST(journal.events == teardown_events(kSteps), boost::test_tools::per_element());
}

// The runtime's end: everything after the audit log stops first (the
// processes end), the owner writes the last status.json, then the audit log
// stops (its teardown record) and the session dir goes.
BOOST_AUTO_TEST_CASE(stop_after_keeps_the_part_and_what_came_before) {
    Journal journal;
    OrderedParts parts;
    const FakePart* previous = nullptr;
    const FakePart* audit = nullptr;
    for (const auto& step : kSteps) {
        previous = &parts.start<FakePart>(step, journal, step, previous);
        if (step == "audit log") audit = previous;
    }
    BOOST_TEST(parts.find<FakePart>() == previous);  // the last one started
    journal.events.clear();
    BOOST_TEST(parts.stop_after(audit).empty());
    const std::vector<std::string> after_audit(kSteps.begin() + 2, kSteps.end());
    BOOST_TEST(journal.events == teardown_events(after_audit), boost::test_tools::per_element());
    BOOST_TEST(parts.names() == std::vector<std::string>(kSteps.begin(), kSteps.begin() + 2),
               boost::test_tools::per_element());
    journal.events.clear();
    BOOST_TEST(parts.stop_all().empty());
    BOOST_TEST(journal.events == teardown_events({"session dir", "audit log"}), boost::test_tools::per_element());
    BOOST_TEST(parts.find<FakePart>() == nullptr);
}

// A problem reaches on_problem while the parts before it have not stopped
// yet: the audit log's stop writes it into the teardown record.
BOOST_AUTO_TEST_CASE(problems_are_told_before_earlier_parts_stop) {
    Journal journal;
    journal.fail_stop = "apps";
    OrderedParts parts;
    start_all(parts, journal);
    journal.events.clear();
    std::vector<std::string> told;
    OrderedParts::StopObserver observer;
    observer.on_problem = [&](const std::string& problem) {
        told.push_back(problem);
        journal.events.push_back("told " + problem);
    };
    parts.stop_all(observer);
    BOOST_TEST(told == std::vector<std::string>{"apps: cannot stop apps"}, boost::test_tools::per_element());
    const auto told_at = std::find(journal.events.begin(), journal.events.end(), "told apps: cannot stop apps");
    const auto audit_stop = std::find(journal.events.begin(), journal.events.end(), "stop audit log");
    BOOST_TEST((told_at < audit_stop));
}

// Each part is shown to the owner once stopped and before it is destroyed
// (the runtime keeps its last state for the final status.json), also when
// its stop failed.
BOOST_AUTO_TEST_CASE(each_part_is_seen_between_its_stop_and_its_destruction) {
    Journal journal;
    journal.fail_stop = "apps";
    OrderedParts parts;
    start_all(parts, journal);
    journal.events.clear();
    OrderedParts::StopObserver observer;
    observer.on_stopped = [&](const Part&) { journal.events.push_back("seen"); };
    parts.stop_all(observer);
    std::vector<std::string> expected;
    for (auto it = kSteps.rbegin(); it != kSteps.rend(); ++it) {
        expected.push_back("stop " + *it);
        expected.push_back("seen");
        expected.push_back("destroy " + *it);
    }
    BOOST_TEST(journal.events == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
