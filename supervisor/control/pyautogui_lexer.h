// The tokenizer of the pyautogui subset (pyautogui_parser.cc has the
// grammar): names, numbers, Python string literals with their escapes and
// prefixes, operators, newlines (none inside brackets, as in Python), and
// comments skipped. Errors are ProtocolErrors naming the line and column.
#pragma once

#include <string>
#include <string_view>

#include "supervisor/control/pyautogui_parser.h"

namespace deskbox::pyautogui_syntax {

struct Token {
    enum class Kind { Name, Number, String, Op, Newline, End } kind = Kind::End;
    std::string text;      // name, operator, or the decoded string
    std::string_view raw;  // the number's digits
    SourcePos pos;
};

// invalid_code: "line L, column C: WHAT".
[[noreturn]] void invalid(SourcePos pos, const std::string& what);
// forbidden_construct: WHAT is outside the subset.
[[noreturn]] void forbidden(SourcePos pos, const std::string& what);
// One of Python's keywords (a statement that starts with one is outside the subset).
bool is_keyword(std::string_view name);

class Lexer {
public:
    explicit Lexer(std::string_view src) : src_(src) {}

    Token next();

    int depth() const { return depth_; }

private:
    bool at_end() const { return off_ >= src_.size(); }
    char peek(std::size_t ahead = 0) const { return off_ + ahead < src_.size() ? src_[off_ + ahead] : '\0'; }

    void advance();

    void skip_blanks();

    Token token();

    Token prefixed_string(const std::string& prefix, SourcePos at);

    Token string_literal(bool raw, SourcePos at);

    // Python's escapes in a string literal; an unknown one stays as written.
    void escape(std::string& out, bool raw);

    std::string_view src_;
    std::size_t off_ = 0;
    SourcePos pos_;
    int depth_ = 0;
    bool line_start_ = true;
    bool indented_ = false;
};

}  // namespace deskbox::pyautogui_syntax
