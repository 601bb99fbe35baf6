#include "supervisor/manifest/files_parser.h"

#include <set>

#include "supervisor/base/regex_pattern.h"
#include "supervisor/manifest/sandbox_path.h"
#include "supervisor/manifest/sheet_cells.h"

namespace deskbox {
namespace {

constexpr std::uint64_t kMaxFileCap = 1ull << 40;
constexpr std::size_t kMaxExpectedCells = 10'000;
constexpr Millis kSecond(1000);

std::string sandbox_path_at(const YamlContext& ctx, const YAML::Node& node, const std::string& what) {
    const std::string path = read_string(ctx, node, what);
    try {
        split_sandbox_path(path);
    } catch (const Error& e) {
        ctx.fail(node, what + ": " + e.what());
    }
    return path;
}

std::string pattern_at(StrictMap& m, std::string_view key) {
    const std::string source = m.string(key, "");
    if (source.empty()) return source;
    std::string error;
    if (!compile_pattern(source, error)) m.context().fail(m.get(key), m.path_of(key) + ": " + error);
    return source;
}

void add_cell(const YamlContext& ctx, const YAML::Node& at, const std::string& where, VerifyCheck& v, CellRef cell,
              const std::string& value) {
    if (v.cells.size() >= kMaxExpectedCells)
        ctx.fail(at, where + ": more than " + std::to_string(kMaxExpectedCells) + " cells");
    v.cells.push_back({cell.row, cell.column, value});
}

// cells: {B2: "42", "A1:B2": [[a, b], [c, d]]}
void parse_cells(const YamlContext& ctx, const YAML::Node& cells, const std::string& where, VerifyCheck& v) {
    if (!cells.IsMap() || cells.size() == 0)
        ctx.fail(cells,
                 where + ": expected a mapping of cells (B2: value, A1:B3: [[...]]), got " + describe_node(cells));
    for (const auto& kv : cells) {
        const std::string ref = read_string(ctx, kv.first, where);
        const std::string at = where + "." + ref;
        const auto colon = ref.find(':');
        const auto first = parse_cell_ref(ref.substr(0, colon));
        if (!first) ctx.fail(kv.first, at + ": expected a cell like B2 or a range like A1:C3");
        if (colon == std::string::npos) {
            add_cell(ctx, kv.first, where, v, *first, read_string(ctx, kv.second, at));
            continue;
        }
        const auto last = parse_cell_ref(ref.substr(colon + 1));
        if (!last || last->row < first->row || last->column < first->column)
            ctx.fail(kv.first, at + ": expected a range like A1:C3 (top left, then bottom right)");
        // last >= first (checked above): the differences are not negative; the + 1 is done in size_t.
        const auto rows = static_cast<std::size_t>(last->row - first->row) + 1;
        const auto columns = static_cast<std::size_t>(last->column - first->column) + 1;
        if (!kv.second.IsSequence() || kv.second.size() != rows)
            ctx.fail(kv.second,
                     at + ": expected a list of " + std::to_string(rows) + " rows, got " + describe_node(kv.second));
        for (std::size_t r = 0; r < rows; ++r) {
            const std::string row_at = at + "[" + std::to_string(r) + "]";
            const auto values = read_string_list(ctx, kv.second[r], row_at);
            if (values.size() != columns)
                ctx.fail(kv.second[r], row_at + ": expected " + std::to_string(columns) + " values, got " +
                                           std::to_string(values.size()));
            for (std::size_t c = 0; c < columns; ++c)
                add_cell(ctx, kv.second[r], where, v,
                         {first->row + static_cast<int>(r), first->column + static_cast<int>(c)}, values[c]);
        }
    }
}

}  // namespace

void parse_collect(const YamlContext& ctx, const YAML::Node& list, std::vector<CollectEntry>& out) {
    if (!list.IsSequence()) ctx.fail(list, "collect: expected a list of sandbox paths, got " + describe_node(list));
    std::set<std::string> names;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string where = "collect[" + std::to_string(i) + "]";
        CollectEntry e;
        e.line = list[i].Mark().line + 1;
        if (list[i].IsMap()) {
            StrictMap m(ctx, list[i], where);
            e.path = sandbox_path_at(ctx, m.require("path"), where + ".path");
            e.max_size = m.size("max_size", e.max_size, 1, kMaxFileCap);
            m.finish();
        } else {
            e.path = sandbox_path_at(ctx, list[i], where);
        }
        // Collected files keep their name in one folder: two of one name would collide.
        const std::string name = e.path.substr(e.path.rfind('/') + 1);
        if (!names.insert(name).second)
            ctx.fail(list[i],
                     where + ": another entry is also named '" + name + "' (collected files share one folder)");
        out.push_back(std::move(e));
    }
}

void parse_uploads(StrictMap m, const std::filesystem::path& base, std::vector<UploadSource>& out) {
    for (const auto& kv : m.node()) {
        const std::string name = read_string(m.context(), kv.first, "uploads");
        m.get(name);
        const std::string where = "uploads." + name;
        UploadSource u;
        u.name = name;
        std::string from;
        if (kv.second.IsMap()) {
            StrictMap um(m.context(), kv.second, where);
            from = um.required_string("from");
            u.max_size = um.size("max_size", u.max_size, 1, kMaxFileCap);
            um.finish();
        } else {
            from = read_string(m.context(), kv.second, where);
        }
        std::filesystem::path p(from);
        u.from = (p.is_relative() ? base / p : p).lexically_normal();
        out.push_back(std::move(u));
    }
    m.finish();
}

void parse_file_digest_checks(StrictMap& fm, const std::string& where, VerifyCheck& v) {
    v.sha256 = fm.string("sha256", "");
    if (!v.sha256.empty() &&
        (v.sha256.size() != 64 || v.sha256.find_first_not_of("0123456789abcdef") != std::string::npos))
        fm.context().fail(fm.get("sha256"), where + ".sha256: expected 64 lowercase hex digits");
    v.matches = pattern_at(fm, "matches");
}

int parse_state_checks(StrictMap& m, const std::string& where, VerifyCheck& v) {
    const YamlContext& ctx = m.context();
    int kinds = 0;
    if (YAML::Node u = m.get("url"); u.IsDefined()) {
        ++kinds;
        StrictMap um(ctx, u, where + ".url");
        v.kind = VerifyCheck::Kind::Url;
        v.equals = um.string("equals", "");
        v.matches = pattern_at(um, "matches");
        um.finish();
        if (v.equals.empty() == v.matches.empty()) ctx.fail(u, where + ".url: expected one of equals or matches");
    }
    if (YAML::Node w = m.get("window"); w.IsDefined()) {
        ++kinds;
        StrictMap wm(ctx, w, where + ".window");
        v.kind = VerifyCheck::Kind::Window;
        v.wm_class = wm.string("wm_class", "");
        v.title = wm.string("title", "");
        v.present = wm.boolean("present", true);
        wm.finish();
        if (v.wm_class.empty() && v.title.empty()) ctx.fail(w, where + ".window: expected wm_class or title");
    }
    if (YAML::Node s = m.get("spreadsheet"); s.IsDefined()) {
        ++kinds;
        StrictMap sm(ctx, s, where + ".spreadsheet");
        v.kind = VerifyCheck::Kind::Spreadsheet;
        v.path = sandbox_path_at(ctx, sm.require("path"), where + ".spreadsheet.path");
        v.sheet = static_cast<int>(sm.integer("sheet", 1, 1, 10'000));
        parse_cells(ctx, sm.require("cells"), where + ".spreadsheet.cells", v);
        v.timeout = sm.duration("timeout", Millis(60'000), kSecond, Millis(10 * 60 * 1000));
        sm.finish();
    }
    return kinds;
}

}  // namespace deskbox
