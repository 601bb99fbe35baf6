// observe.record: defaults, values, and every error word for word.
#include <boost/test/unit_test.hpp>

#include "supervisor/base/error.h"
#include "supervisor/manifest/manifest_parser.h"

using namespace deskbox;

namespace {

Manifest parse_observe(const std::string& observe) {
    return parse_manifest_text("session: {name: s}\napps:\n  - {name: e, exec: [zenity]}\nobserve: " + observe + "\n",
                               "/srv/m.yaml");
}

std::string error_of(const std::string& observe) {
    try {
        parse_observe(observe);
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(record_spec)

BOOST_AUTO_TEST_CASE(not_recorded_unless_asked) {
    const Manifest m = parse_manifest_text("session: {name: s}\napps:\n  - {name: e, exec: [zenity]}\n", "/srv/m.yaml");
    BOOST_TEST(!m.observe.record.video);
}

BOOST_AUTO_TEST_CASE(defaults) {
    const RecordSpec r = parse_observe("{record: {video: true}}").observe.record;
    BOOST_TEST(r.video);
    BOOST_TEST(r.fps == 5);
    BOOST_TEST(r.max_bytes == 512ull << 20);
    BOOST_TEST(r.max_seconds == 4 * 3600);
    // An empty mapping asks for the video too.
    BOOST_TEST(parse_observe("{record: {}}").observe.record.video);
}

BOOST_AUTO_TEST_CASE(values) {
    const RecordSpec r =
        parse_observe("{record: {video: true, fps: 2, max_bytes: 100M, max_seconds: 600}}").observe.record;
    BOOST_TEST(r.fps == 2);
    BOOST_TEST(r.max_bytes == 100ull << 20);
    BOOST_TEST(r.max_seconds == 600);
    BOOST_TEST(!parse_observe("{record: {video: false}}").observe.record.video);
}

BOOST_AUTO_TEST_CASE(errors_name_the_key_and_place) {
    BOOST_TEST(error_of("{record: {video: true, fps: 0}}") ==
               "/srv/m.yaml:4:38: observe.record.fps: 0 is out of range (expected 1..30)");
    BOOST_TEST(error_of("{record: {fps: fast}}") ==
               "/srv/m.yaml:4:25: observe.record.fps: expected a whole number, got 'fast'");
    BOOST_TEST(error_of("{record: {max_bytes: 512}}") ==
               "/srv/m.yaml:4:31: observe.record.max_bytes: 512 is out of range (expected 1K..64G)");
    BOOST_TEST(error_of("{record: {max_seconds: 0}}") ==
               "/srv/m.yaml:4:33: observe.record.max_seconds: 0 is out of range (expected 1..604800)");
    BOOST_TEST(
        error_of("{record: {vidoe: true}}") ==
        "/srv/m.yaml:4:20: unknown key 'vidoe' in 'observe.record' (known keys: fps, max_bytes, max_seconds, video)");
    BOOST_TEST(error_of("{record: yes}") == "/srv/m.yaml:4:19: observe.record: expected a mapping, got 'yes'");
}

BOOST_AUTO_TEST_SUITE_END()
