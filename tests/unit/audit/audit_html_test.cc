// The HTML report: everything from the log escaped (page text is the
// attacker's), kept screenshots embedded, names of a shape deskbox does not
// write never followed, the recording checked against its recorded sha256.
#include "supervisor/audit/audit_html.h"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

#include "supervisor/audit/audit_log.h"
#include "supervisor/audit/audit_record.h"
#include "supervisor/audit/audit_verify.h"
#include "supervisor/control/base64.h"
#include "tests/unit/audit/temp_dir.h"

using namespace deskbox;
using deskbox::test::TempDir;

namespace {

void write_file(const std::filesystem::path& path, const std::string& bytes) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
}

std::string report_of(const std::filesystem::path& log) {
    std::ostringstream out;
    write_audit_html(log, read_audit_file(log), out);
    return out.str();
}

const std::string kPngBytes = std::string("\x89PNG\r\n\x1a\n", 8) + "not really an image, only bytes to embed";

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_html)

BOOST_AUTO_TEST_CASE(escapes_every_markup_character) {
    BOOST_TEST(html_escape("<script>alert('x') & \"y\"</script>") ==
               "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
    BOOST_TEST(html_escape("plain text, ünïcode") == "plain text, ünïcode");
}

BOOST_AUTO_TEST_CASE(audit_times_parse_to_epoch_milliseconds) {
    BOOST_TEST(*parse_audit_time("1970-01-01T00:00:01.234Z") == 1234);
    BOOST_TEST(*parse_audit_time(audit_time(1'796'053'421'040)) == 1'796'053'421'040);
    BOOST_TEST(!parse_audit_time("1970-01-01 00:00:01.234Z"));
    BOOST_TEST(!parse_audit_time("1970-01-01T00:00:01Z"));
}

BOOST_AUTO_TEST_CASE(report_escapes_page_text_and_embeds_kept_screenshots) {
    TempDir dir;
    const auto log_path = dir / "audit.jsonl";
    const std::string shot_id = sha256_hex_of(kPngBytes);
    write_file(dir / "screenshots" / (shot_id + ".png"), kPngBytes);
    write_file(dir / "secret.txt", "not for the report");
    {
        AuditLog log(log_path);
        log.append("session_start", {{"session", "s<1>"}});
        log.append("taint", {{"source", "tree"}, {"pattern", "x"}, {"excerpt", "<script>alert(1)</script>"}});
        log.append("observation", {{"kind", "screenshot"},
                                   {"id", "sha256:" + shot_id},
                                   {"bytes", kPngBytes.size()},
                                   {"kept_as", shot_id + ".png"}});
        log.append("observation", {{"kind", "screenshot"}, {"kept_as", "../secret.txt"}});
        log.append("verification", {{"passed", false}, {"check", "file ~/out.txt contains <b>done</b>"}});
    }
    const std::string html = report_of(log_path);
    BOOST_TEST(html.find("<script") == std::string::npos);
    BOOST_TEST(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    BOOST_TEST(html.find("<b>done") == std::string::npos);
    BOOST_TEST(html.find("contains &lt;b&gt;done&lt;/b&gt;") != std::string::npos);
    BOOST_TEST(html.find("Session <strong>s&lt;1&gt;</strong>") != std::string::npos);
    BOOST_TEST(html.find("src=\"data:image/png;base64," + base64_encode(kPngBytes) + "\"") != std::string::npos);
    // A doctored name is not followed: the other file's content is nowhere.
    BOOST_TEST(html.find(base64_encode("not for the report")) == std::string::npos);
    BOOST_TEST(html.find("kept as ../secret.txt: not a name deskbox writes") != std::string::npos);
    BOOST_TEST(html.find("<p class=\"ok\">intact</p>") != std::string::npos);
    BOOST_TEST(html.find("<span class=\"bad\">failed</span>") != std::string::npos);
    BOOST_TEST(html.find("The session was not recorded.") != std::string::npos);
    BOOST_TEST(html.find("Content-Security-Policy") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(report_checks_the_recording_and_shows_video_offsets) {
    TempDir dir;
    const auto log_path = dir / "audit.jsonl";
    const std::string file = "recordings/20261130T154138Z.webm";
    write_file(dir / file, "video bytes");
    const std::int64_t started = *parse_audit_time(audit_time_now()) - 5000;
    {
        AuditLog log(log_path);
        log.append(
            "recording",
            {{"event", "started"}, {"file", file}, {"started", audit_time(started)}, {"started_unix_ms", started}});
        log.append("recording", {{"event", "finished"},
                                 {"file", file},
                                 {"sha256", sha256_hex_of("video bytes")},
                                 {"bytes", 11},
                                 {"frames", 3}});
    }
    std::string html = report_of(log_path);
    BOOST_TEST(html.find("the file beside the log matches its sha256") != std::string::npos, html);
    // Records written after the start have an offset into the video (about 5 s here).
    BOOST_TEST(html.find("<td class=\"v\">5.") != std::string::npos, html);
    write_file(dir / file, "other bytes");
    html = report_of(log_path);
    BOOST_TEST(html.find("DIFFERS from the recorded sha256") != std::string::npos);
    // The hash chain's verdict is the report's too.
    std::string text = read_audit_file(log_path);
    text.replace(text.find("\"frames\":3"), 10, "\"frames\":4");
    std::ofstream(log_path, std::ios::trunc) << text;
    html = report_of(log_path);
    BOOST_TEST(html.find("<p class=\"bad\">BROKEN</p>") != std::string::npos);
    BOOST_TEST(html.find("record 2 is broken") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
