#include "supervisor/sandbox/protocol.h"

#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "supervisor/base/error.h"
#include "supervisor/sandbox/mounts.h"
#include "supervisor/sandbox/sandbox.h"
#include "supervisor/sandbox/userns.h"

using namespace deskbox::sandbox;

BOOST_AUTO_TEST_CASE(messages_round_trip_with_descriptors) {
    int pair[2];
    BOOST_REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == 0);
    deskbox::UniqueFd a(pair[0]), b(pair[1]);
    MessageWriter w(MessageType::Spawn);
    w.u32(7).i32(-3).strings({"sh", "-c", "echo hi"}).str("/home/agent");
    send_packet(a.get(), w.bytes(), {0, 1});
    Packet p;
    BOOST_REQUIRE(receive_packet(b.get(), p));
    BOOST_TEST(p.fds.size() == 2u);
    MessageReader r(p.bytes);
    BOOST_TEST((r.type() == MessageType::Spawn));
    BOOST_TEST(r.u32() == 7u);
    BOOST_TEST(r.i32() == -3);
    BOOST_TEST(r.strings() == (std::vector<std::string>{"sh", "-c", "echo hi"}));
    BOOST_TEST(r.str() == "/home/agent");
    BOOST_TEST(r.ok());
    a.reset();
    BOOST_TEST(!receive_packet(b.get(), p));  // end of stream
}

BOOST_AUTO_TEST_CASE(garbled_messages_are_detected_not_trusted) {
    MessageWriter w(MessageType::Spawn);
    w.u32(1000000);  // a list count far beyond the bytes that follow
    MessageReader r(w.bytes());
    r.type();
    BOOST_TEST(r.strings().empty());
    BOOST_TEST(!r.ok());
    MessageReader empty("");
    empty.u32();
    BOOST_TEST(!empty.ok());
}

BOOST_AUTO_TEST_CASE(id_ranges_never_contain_host_root) {
    BOOST_TEST(first_id_slot("ci-incident") < kIdSlots);
    BOOST_TEST(first_id_slot("a") != first_id_slot("b"));
    BOOST_TEST(id_map_line(0, kIdRangeBase, kIdRangeSize) == "0 268435456 65536\n");
    IdMapping m;
    m.privileged = true;
    m.host_uid = kIdRangeBase + 3 * kIdRangeSize;
    BOOST_TEST(m.host_uid_of(1000) == kIdRangeBase + 3 * kIdRangeSize + 1000);
    BOOST_TEST(m.init_uid() == 0u);
}

BOOST_AUTO_TEST_CASE(placements_stay_in_the_writable_areas) {
    BOOST_TEST(placement_target("~/report.ods") == "/home/agent/report.ods");
    BOOST_TEST(placement_target("/tmp/x/y") == "/tmp/x/y");
    BOOST_TEST(placement_target("/etc/passwd") == "");
    BOOST_TEST(placement_target("~/") == "");
    BOOST_TEST(placement_target("/home/agent/../../etc/x") == "");
}

BOOST_AUTO_TEST_CASE(sandbox_options_are_refused_with_the_reason) {
    SandboxOptions o;
    o.name = "s";
    validate_sandbox_options(o);
    auto message_of = [](const SandboxOptions& bad) {
        try {
            validate_sandbox_options(bad);
        } catch (const deskbox::Error& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    SandboxOptions small = o;
    small.home_size = 4096;
    BOOST_TEST(message_of(small) == "sandbox: home_size below 1M");
    SandboxOptions outside = o;
    outside.files.push_back({"/etc/hostname", "/etc/evil", true});
    BOOST_TEST(message_of(outside) == "sandbox.files: '/etc/evil' must be a file path under ~/ or /tmp/");
    SandboxOptions missing = o;
    missing.files.push_back({"/nonexistent/x", "~/x", true});
    BOOST_TEST(message_of(missing) == "sandbox.files: /nonexistent/x: No such file or directory");
    SandboxOptions folder = o;
    folder.files.push_back({"/etc", "~/etc", false});
    BOOST_TEST(message_of(folder) == "sandbox.files: /etc is not a regular file");
}
