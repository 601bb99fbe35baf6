#include "supervisor/audit/audit_log.h"

#include <boost/test/unit_test.hpp>
#include <thread>

#include "supervisor/audit/audit_record.h"
#include "supervisor/audit/audit_verify.h"
#include "supervisor/base/error.h"
#include "tests/unit/audit/temp_dir.h"

using namespace deskbox;

namespace {

// Byte offsets of each line's start.
std::vector<std::size_t> line_starts(const std::string& text) {
    std::vector<std::size_t> starts{0};
    for (std::size_t i = 0; i + 1 < text.size(); ++i)
        if (text[i] == '\n') starts.push_back(i + 1);
    return starts;
}

void write_five(const std::filesystem::path& file) {
    AuditLog log(file);
    log.append("session_start", {{"manifest_sha256", std::string(64, 'a')}, {"name", "ci-incident"}}, Durability::Sync);
    log.append("proposal", {{"id", "P1"}, {"action", {{"kind", "click"}, {"point", {640, 400}}}}});
    log.append("decision", {{"proposal", "P1"}, {"outcome", "allow"}, {"rule", "ci lookup"}}, Durability::Sync);
    log.append("result", {{"proposal", "P1"}, {"ok", true}, {"detail", "ünïcødé ✓"}});
    log.append("teardown", {{"reason", "done"}});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_log)

BOOST_AUTO_TEST_CASE(records_chain_and_verify) {
    test::TempDir dir;
    write_five(dir / "audit.jsonl");
    const std::string text = test::slurp(dir / "audit.jsonl");
    const auto report = verify_audit_text(text);
    BOOST_TEST(report.ok);
    BOOST_TEST(report.records == 5u);
    BOOST_TEST(!report.torn_tail);
    const auto lines = parse_audit_lines(text);
    BOOST_REQUIRE(lines.size() == 5u);
    BOOST_TEST(lines[0].record["prev"] == std::string(kAuditGenesisHash));
    BOOST_TEST(lines[1].record["prev"] == lines[0].record["hash"]);
    BOOST_TEST(lines[2].record["type"] == "decision");
    BOOST_TEST(lines[2].record["seq"] == 3);
    BOOST_TEST(lines[3].record["data"]["detail"] == "ünïcødé ✓");
    // Lines read in a fixed order, seq first.
    BOOST_TEST(text.rfind("{\"seq\":1,\"time\":\"", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(any_changed_byte_names_its_record) {
    test::TempDir dir;
    write_five(dir / "audit.jsonl");
    const std::string text = test::slurp(dir / "audit.jsonl");
    const auto starts = line_starts(text);
    BOOST_REQUIRE(starts.size() == 5u);
    const std::size_t begin = starts[2], end = starts[3] - 1;  // record 3, without its newline
    for (std::size_t i = begin; i < end; ++i) {
        std::string tampered = text;
        tampered[i] = tampered[i] == 'X' ? 'Y' : 'X';
        const auto report = verify_audit_text(tampered);
        BOOST_TEST_INFO("changed byte " << i - begin << " of record 3");
        BOOST_TEST(!report.ok);
        BOOST_TEST(report.broken_record == 3u);
        BOOST_TEST(report.records == 2u);
    }
    std::string edited = text;
    edited.replace(edited.find("ci lookup"), 9, "ci_lookup");
    const auto report = verify_audit_text(edited);
    BOOST_TEST(report.broken_record == 3u);
    BOOST_TEST(report.problem == "hash does not match the record's content (the record was changed)");
}

BOOST_AUTO_TEST_CASE(removed_and_reordered_records_are_found) {
    test::TempDir dir;
    write_five(dir / "audit.jsonl");
    const std::string text = test::slurp(dir / "audit.jsonl");
    const auto s = line_starts(text);
    const std::string removed = text.substr(0, s[1]) + text.substr(s[2]);
    auto report = verify_audit_text(removed);
    BOOST_TEST(report.broken_record == 2u);
    BOOST_TEST(report.problem == "sequence number 3, expected 2 (a record was removed, inserted or reordered)");
    const std::string swapped =
        text.substr(0, s[1]) + text.substr(s[2], s[3] - s[2]) + text.substr(s[1], s[2] - s[1]) + text.substr(s[3]);
    report = verify_audit_text(swapped);
    BOOST_TEST(report.broken_record == 2u);
}

BOOST_AUTO_TEST_CASE(torn_last_line_is_not_tampering) {
    test::TempDir dir;
    write_five(dir / "audit.jsonl");
    std::string text = test::slurp(dir / "audit.jsonl");
    const std::size_t last = line_starts(text).back();
    const std::string torn = text.substr(0, last + 40);  // a crash in the middle of record 5
    const auto report = verify_audit_text(torn);
    BOOST_TEST(report.ok);
    BOOST_TEST(report.records == 4u);
    BOOST_TEST(report.torn_tail);
    BOOST_TEST(report.torn_bytes == 40u);
    BOOST_TEST(report.good_bytes == last);

    // The next writer cuts the torn line off and notes it in the chain.
    test::spit(dir / "audit.jsonl", torn);
    {
        AuditLog log(dir / "audit.jsonl");
        BOOST_TEST(log.last_seq() == 5u);  // 4 + "recovered"
        log.append("teardown", {{"reason", "restart"}});
    }
    const auto after = verify_audit_file(dir / "audit.jsonl");
    BOOST_TEST(after.ok);
    BOOST_TEST(after.records == 6u);
    const auto lines = parse_audit_lines(test::slurp(dir / "audit.jsonl"));
    BOOST_TEST(lines[4].record["type"] == "recovered");
    BOOST_TEST(lines[4].record["data"]["torn_bytes"] == 40);
}

BOOST_AUTO_TEST_CASE(a_broken_log_is_not_continued) {
    test::TempDir dir;
    write_five(dir / "audit.jsonl");
    std::string text = test::slurp(dir / "audit.jsonl");
    text[line_starts(text)[1] + 10] = '7';
    test::spit(dir / "audit.jsonl", text);
    BOOST_CHECK_EXCEPTION(AuditLog(dir / "audit.jsonl"), Error, [](const Error& e) {
        return std::string(e.what()).find("record 2 is broken") != std::string::npos;
    });
}

BOOST_AUTO_TEST_CASE(concurrent_appends_keep_the_chain) {
    test::TempDir dir;
    {
        AuditLog log(dir / "audit.jsonl");
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&log, t] {
                for (int i = 0; i < 200; ++i)
                    log.append("network", {{"host", "ci.example"}, {"port", 443}, {"thread", t}, {"i", i}},
                               i % 50 == 0 ? Durability::Sync : Durability::Written);
            });
        for (auto& th : threads) th.join();
    }
    const auto report = verify_audit_file(dir / "audit.jsonl");
    BOOST_TEST(report.ok);
    BOOST_TEST(report.records == 800u);
}

BOOST_AUTO_TEST_CASE(secrets_are_redacted_before_write) {
    test::TempDir dir;
    {
        AuditLog log(dir / "audit.jsonl", Redactor({"s3cr3t-VALUE"}, {}));
        log.append("proposal", {{"text", "pass is s3cr3t-VALUE"}, {"nested", {"s3cr3t-VALUE", "ops@ci.example"}}});
    }
    const std::string text = test::slurp(dir / "audit.jsonl");
    BOOST_TEST(text.find("s3cr3t") == std::string::npos);
    BOOST_TEST(text.find("ops@ci.example") == std::string::npos);
    BOOST_TEST(verify_audit_text(text).ok);
}

BOOST_AUTO_TEST_CASE(bad_types_and_unreadable_files) {
    test::TempDir dir;
    AuditLog log(dir / "audit.jsonl");
    BOOST_CHECK_THROW(log.append("Bad Type", {}), Error);
    BOOST_CHECK_THROW(verify_audit_file(dir / "missing.jsonl"), Error);
    BOOST_CHECK_THROW(verify_audit_file(dir.path()), Error);
    // Invalid UTF-8 is written replaced, and the record still verifies.
    log.append("result", {{"detail", std::string("bad \xff\xfe bytes")}});
    BOOST_TEST(verify_audit_file(dir / "audit.jsonl").ok);
}

BOOST_AUTO_TEST_SUITE_END()
