// Spreadsheet cells for `verify: spreadsheet` checks: references as the
// manifest writes them ("B2", ranges "A1:C3"), the CSV that LibreOffice
// converts a sheet to, and the comparison of expected cells with it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/manifest/manifest.h"

namespace deskbox {

struct CellRef {
    int row = 0, column = 0;  // 0-based
    bool operator==(const CellRef&) const = default;
};

// "B2" → {1, 1}; nullopt for anything else (lowercase letters are accepted).
// Columns up to XFD (16384) and rows up to 1048576, as in the file formats.
std::optional<CellRef> parse_cell_ref(const std::string& text);
// {1, 1} → "B2"
std::string cell_name(int row, int column);

using CsvRows = std::vector<std::vector<std::string>>;

// RFC 4180 CSV as LibreOffice writes it (',' and '"', quotes doubled, CRLF or LF).
CsvRows parse_csv(std::string_view text);

// True when every expected cell holds its value (text as shown; "42" also
// equals "42.0" when both read as numbers). `detail` names the first cell that
// differs: "B2: expected '42', found '41' (1 of 3 cells differ)".
bool judge_cells(const std::vector<ExpectedCell>& cells, const CsvRows& rows, std::string& detail);

}  // namespace deskbox
