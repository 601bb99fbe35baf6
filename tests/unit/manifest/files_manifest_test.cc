// collect:, uploads: and the file/app-state verify checks: parsing, errors
// word for word, sandbox path shapes, cell references, CSV and cell judging.
#include <boost/test/unit_test.hpp>

#include "supervisor/base/error.h"
#include "supervisor/manifest/manifest_parser.h"
#include "supervisor/manifest/sandbox_path.h"
#include "supervisor/manifest/sheet_cells.h"

using namespace deskbox;

namespace {

const std::string kHead = "session: {name: s}\napps:\n  - {name: editor, exec: [zenity, --entry]}\n";

Manifest parse(const std::string& rest) {
    return parse_manifest_text(kHead + rest, "/srv/m.yaml");
}

std::string error_of(const std::string& rest) {
    try {
        parse(rest);
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

std::string path_error(const std::string& path) {
    try {
        split_sandbox_path(path);
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(files_manifest)

BOOST_AUTO_TEST_CASE(collect_entries_with_caps_and_lines) {
    const Manifest m = parse("collect:\n  - ~/budget.ods\n  - {path: /tmp/out/report.txt, max_size: 1M}\n");
    BOOST_TEST(m.collect.size() == 2u);
    BOOST_TEST(m.collect[0].path == "~/budget.ods");
    BOOST_TEST(m.collect[0].max_size == 64ull << 20);
    BOOST_TEST(m.collect[0].line == 5);
    BOOST_TEST(m.collect[1].path == "/tmp/out/report.txt");
    BOOST_TEST(m.collect[1].max_size == 1ull << 20);
}

BOOST_AUTO_TEST_CASE(collect_errors) {
    BOOST_TEST(error_of("collect:\n  - ~/../etc/passwd\n") ==
               "/srv/m.yaml:5:5: collect[0]: sandbox path '~/../etc/passwd': '..' is not allowed");
    BOOST_TEST(error_of("collect:\n  - /etc/passwd\n") ==
               "/srv/m.yaml:5:5: collect[0]: sandbox path '/etc/passwd': expected a path in the home (~/...) or in "
               "/tmp (/tmp/...)");
    BOOST_TEST(error_of("collect:\n  - ~/a/x.ods\n  - /tmp/x.ods\n") ==
               "/srv/m.yaml:6:5: collect[1]: another entry is also named 'x.ods' (collected files share one folder)");
    BOOST_TEST(error_of("collect:\n  - {path: ~/a, max_size: 0}\n").find("collect[0].max_size") != std::string::npos);
    BOOST_TEST(error_of("collect: ~/a\n") == "/srv/m.yaml:4:10: collect: expected a list of sandbox paths, got '~/a'");
}

BOOST_AUTO_TEST_CASE(uploads_resolve_against_the_manifest_folder) {
    const Manifest m = parse("uploads:\n  report: data/r.xlsx\n  big: {from: /srv/big.ods, max_size: 200M}\n");
    BOOST_TEST(m.uploads.size() == 2u);
    BOOST_TEST(m.uploads[0].name == "report");
    BOOST_TEST(m.uploads[0].from == "/srv/data/r.xlsx");
    BOOST_TEST(m.uploads[1].max_size == 200ull << 20);
    BOOST_TEST(error_of("uploads:\n  r: {form: x}\n").find("uploads.r") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(verify_state_checks) {
    const Manifest m = parse(R"(verify:
  - url: {matches: "^https://ci\\.example/run/[0-9]+$"}
  - window: {wm_class: libreoffice-calc, title: budget}
  - file: {path: ~/a.txt, sha256: 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae, matches: "(?i)total"}
  - spreadsheet:
      path: ~/budget.ods
      sheet: 2
      cells: {B2: 42, "A1:B2": [[Item, Cost], [Rent, "42"]]}
)");
    BOOST_TEST(m.verify.size() == 4u);
    BOOST_TEST((m.verify[0].kind == VerifyCheck::Kind::Url));
    BOOST_TEST(m.verify[0].matches == "^https://ci\\.example/run/[0-9]+$");
    BOOST_TEST((m.verify[1].kind == VerifyCheck::Kind::Window));
    BOOST_TEST(m.verify[1].wm_class == "libreoffice-calc");
    BOOST_TEST(m.verify[1].present);
    BOOST_TEST(m.verify[2].sha256.size() == 64u);
    BOOST_TEST(m.verify[2].matches == "(?i)total");
    const VerifyCheck& s = m.verify[3];
    BOOST_TEST((s.kind == VerifyCheck::Kind::Spreadsheet));
    BOOST_TEST(s.sheet == 2);
    BOOST_TEST(s.line == 8);
    BOOST_TEST(s.timeout.count() == 60'000);
    BOOST_TEST(s.cells.size() == 5u);
    BOOST_TEST(s.cells[0].row == 1);
    BOOST_TEST(s.cells[0].column == 1);
    BOOST_TEST(s.cells[0].value == "42");
    BOOST_TEST(s.cells[4].row == 1);
    BOOST_TEST(s.cells[4].column == 1);
    BOOST_TEST(s.cells[4].value == "42");
    BOOST_TEST(s.cells[3].value == "Rent");
}

BOOST_AUTO_TEST_CASE(verify_state_check_errors) {
    BOOST_TEST(error_of("verify:\n  - url: {}\n") ==
               "/srv/m.yaml:5:10: verify[0].url: expected one of equals or matches");
    BOOST_TEST(error_of("verify:\n  - url: {matches: \"(\"}\n").find("verify[0].url.matches: missing )") !=
               std::string::npos);
    BOOST_TEST(error_of("verify:\n  - window: {present: false}\n") ==
               "/srv/m.yaml:5:13: verify[0].window: expected wm_class or title");
    BOOST_TEST(error_of("verify:\n  - file: {path: ~/a, sha256: ABC}\n") ==
               "/srv/m.yaml:5:31: verify[0].file.sha256: expected 64 lowercase hex digits");
    BOOST_TEST(error_of("verify:\n  - spreadsheet: {path: ~/a.ods, cells: {B0: 1}}\n") ==
               "/srv/m.yaml:5:42: verify[0].spreadsheet.cells.B0: expected a cell like B2 or a range like A1:C3");
    BOOST_TEST(error_of("verify:\n  - spreadsheet: {path: ~/a.ods, cells: {\"B2:A1\": []}}\n") ==
               "/srv/m.yaml:5:42: verify[0].spreadsheet.cells.B2:A1: expected a range like A1:C3 (top left, then "
               "bottom right)");
    BOOST_TEST(error_of("verify:\n  - spreadsheet: {path: ~/a.ods, cells: {\"A1:B1\": [[x]]}}\n") ==
               "/srv/m.yaml:5:52: verify[0].spreadsheet.cells.A1:B1[0]: expected 2 values, got 1");
    BOOST_TEST(error_of("verify:\n  - spreadsheet: {path: /etc/x.ods, cells: {A1: 1}}\n") ==
               "/srv/m.yaml:5:25: verify[0].spreadsheet.path: sandbox path '/etc/x.ods': expected a path in the home "
               "(~/...) or in /tmp (/tmp/...)");
    BOOST_TEST(error_of("verify:\n  - spreadsheet: {path: ~/a.ods}\n").find("cells") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sandbox_path_shapes) {
    BOOST_TEST(split_sandbox_path("~/a/b.txt").in_home);
    BOOST_TEST(split_sandbox_path("~/a/b.txt").relative == "a/b.txt");
    BOOST_TEST(!split_sandbox_path("/tmp/x").in_home);
    BOOST_TEST(split_sandbox_path("/tmp/x").relative == "x");
    BOOST_TEST(path_error("~/a/../../etc") == "sandbox path '~/a/../../etc': '..' is not allowed");
    BOOST_TEST(path_error("~/./a") == "sandbox path '~/./a': '.' is not allowed");
    BOOST_TEST(path_error("~/a//b") == "sandbox path '~/a//b': empty path component");
    BOOST_TEST(path_error("~/a/") == "sandbox path '~/a/': names a folder, not a file");
    BOOST_TEST(path_error("~/") == "sandbox path '~/': names a folder, not a file");
    BOOST_TEST(path_error("~") == "sandbox path '~': expected a path in the home (~/...) or in /tmp (/tmp/...)");
    BOOST_TEST(path_error("/home/agent/x") ==
               "sandbox path '/home/agent/x': expected a path in the home (~/...) or in /tmp (/tmp/...)");
    BOOST_TEST(path_error("relative") ==
               "sandbox path 'relative': expected a path in the home (~/...) or in /tmp (/tmp/...)");
}

BOOST_AUTO_TEST_CASE(cell_references) {
    BOOST_TEST((parse_cell_ref("A1") == CellRef{0, 0}));
    BOOST_TEST((parse_cell_ref("b12") == CellRef{11, 1}));
    BOOST_TEST((parse_cell_ref("AA3") == CellRef{2, 26}));
    BOOST_TEST((parse_cell_ref("XFD1048576") == CellRef{1048575, 16383}));
    BOOST_TEST(!parse_cell_ref("XFE1"));
    BOOST_TEST(!parse_cell_ref("A1048577"));
    BOOST_TEST(!parse_cell_ref("A0"));
    BOOST_TEST(!parse_cell_ref("A01"));
    BOOST_TEST(!parse_cell_ref("1A"));
    BOOST_TEST(!parse_cell_ref("A"));
    BOOST_TEST(!parse_cell_ref(""));
    BOOST_TEST(cell_name(0, 0) == "A1");
    BOOST_TEST(cell_name(2, 26) == "AA3");
    BOOST_TEST(cell_name(1048575, 16383) == "XFD1048576");
}

BOOST_AUTO_TEST_CASE(csv_as_libreoffice_writes_it) {
    const CsvRows rows = parse_csv("Item,Cost\r\n\"Rent, flat\",42\n\"say \"\"hi\"\"\",\n\"two\nlines\",x");
    BOOST_TEST(rows.size() == 4u);
    BOOST_TEST(rows[0][1] == "Cost");
    BOOST_TEST(rows[1][0] == "Rent, flat");
    BOOST_TEST(rows[2][0] == "say \"hi\"");
    BOOST_TEST(rows[2].size() == 2u);
    BOOST_TEST(rows[2][1] == "");
    BOOST_TEST(rows[3][0] == "two\nlines");
    BOOST_TEST(parse_csv("").empty());
}

BOOST_AUTO_TEST_CASE(cells_judged_with_the_first_difference_named) {
    const CsvRows rows = parse_csv("Item,Cost\nRent,42\nFood,7.50\n");
    std::string detail;
    BOOST_TEST(judge_cells({{1, 1, "42"}, {2, 1, "7.5"}, {0, 0, "Item"}}, rows, detail));
    BOOST_TEST(detail == "3 cell(s) as expected");
    BOOST_TEST(!judge_cells({{0, 0, "Item"}, {1, 1, "43"}, {2, 0, "Fuel"}}, rows, detail));
    BOOST_TEST(detail == "B2: expected '43', found '42' (2 of 3 cells differ)");
    BOOST_TEST(!judge_cells({{9, 3, "x"}}, rows, detail));
    BOOST_TEST(detail == "D10: expected 'x', found an empty cell (1 of 1 cells differ)");
}

BOOST_AUTO_TEST_SUITE_END()
