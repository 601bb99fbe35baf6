#include "supervisor/manifest/sheet_cells.h"

#include <cctype>
#include <cstdlib>

namespace deskbox {

namespace {
constexpr long kMaxColumns = 16384;
constexpr long kMaxRows = 1048576;

bool as_number(const std::string& s, double& out) {
    if (s.empty()) return false;
    char* end = nullptr;
    out = std::strtod(s.c_str(), &end);
    return end == s.c_str() + s.size();
}

bool same_value(const std::string& expected, const std::string& found) {
    if (expected == found) return true;
    double a = 0, b = 0;
    return as_number(expected, a) && as_number(found, b) && a == b;
}
}  // namespace

std::optional<CellRef> parse_cell_ref(const std::string& text) {
    std::size_t i = 0;
    long column = 0;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) {
        column = column * 26 + (std::toupper(static_cast<unsigned char>(text[i])) - 'A' + 1);
        if (column > kMaxColumns) return std::nullopt;
        ++i;
    }
    if (i == 0 || i == text.size() || text[i] == '0') return std::nullopt;
    long row = 0;
    for (; i < text.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
        row = row * 10 + (text[i] - '0');
        if (row > kMaxRows) return std::nullopt;
    }
    return CellRef{static_cast<int>(row - 1), static_cast<int>(column - 1)};
}

std::string cell_name(int row, int column) {
    std::string letters;
    for (int c = column + 1; c > 0; c = (c - 1) / 26)
        letters.insert(letters.begin(), static_cast<char>('A' + (c - 1) % 26));
    return letters + std::to_string(row + 1);
}

CsvRows parse_csv(std::string_view text) {
    CsvRows rows;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, any = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        any = true;
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            row.push_back(std::move(field));
            field.clear();
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            row.push_back(std::move(field));
            field.clear();
            rows.push_back(std::move(row));
            row.clear();
            any = false;
        } else {
            field += c;
        }
    }
    if (any) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
    }
    return rows;
}

bool judge_cells(const std::vector<ExpectedCell>& cells, const CsvRows& rows, std::string& detail) {
    std::size_t differ = 0;
    std::string first;
    for (const auto& cell : cells) {
        const auto r = static_cast<std::size_t>(cell.row), c = static_cast<std::size_t>(cell.column);
        const std::string found = r < rows.size() && c < rows[r].size() ? rows[r][c] : std::string();
        if (same_value(cell.value, found)) continue;
        if (differ++ == 0)
            first = cell_name(cell.row, cell.column) + ": expected '" + cell.value + "', found " +
                    (found.empty() ? std::string("an empty cell") : "'" + found + "'");
    }
    if (differ == 0) {
        detail = std::to_string(cells.size()) + " cell(s) as expected";
        return true;
    }
    detail = first + " (" + std::to_string(differ) + " of " + std::to_string(cells.size()) + " cells differ)";
    return false;
}

}  // namespace deskbox
