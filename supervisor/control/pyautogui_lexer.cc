#include "supervisor/control/pyautogui_lexer.h"

#include <array>
#include <cctype>

namespace deskbox::pyautogui_syntax {
namespace {

// Python's keywords: a statement that starts with one is a construct (loop,
// definition, ...) outside the subset, named by its keyword.
constexpr std::array kKeywords = {"and",      "as",       "assert", "async", "await",  "break",  "class",
                                  "continue", "def",      "del",    "elif",  "else",   "except", "finally",
                                  "for",      "from",     "global", "if",    "import", "in",     "is",
                                  "lambda",   "nonlocal", "not",    "or",    "pass",   "raise",  "return",
                                  "try",      "while",    "with",   "yield", "match",  "case"};

void append_utf8(std::string& out, unsigned long cp, SourcePos pos) {
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) invalid(pos, "escape names no Unicode character");
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

}  // namespace

bool is_keyword(std::string_view name) {
    for (std::string_view k : kKeywords)
        if (k == name) return true;
    return false;
}

[[noreturn]] void invalid(SourcePos pos, const std::string& what) {
    throw ProtocolError("invalid_code", to_string(pos) + ": " + what);
}

[[noreturn]] void forbidden(SourcePos pos, const std::string& what) {
    throw ProtocolError("forbidden_construct",
                        to_string(pos) + ": " + what + " is not allowed (pyautogui subset, see docs/protocol.md)");
}

Token Lexer::next() {
    for (;;) {
        skip_blanks();
        if (at_end()) {
            Token t;
            t.kind = Token::Kind::End;
            t.pos = pos_;
            return t;
        }
        const char c = peek();
        if (c == '#') {
            while (!at_end() && peek() != '\n') advance();
            continue;
        }
        if (c == '\\' && (peek(1) == '\n' || (peek(1) == '\r' && peek(2) == '\n'))) {
            advance();  // explicit line joining
            if (peek() == '\r') advance();
            advance();
            line_start_ = false;
            continue;
        }
        if (c == '\n' || c == '\r') {
            const SourcePos at = pos_;
            if (c == '\r') advance();
            if (!at_end() && peek() == '\n') advance();
            if (depth_ > 0) continue;  // implicit line joining inside brackets
            line_start_ = true;
            Token t;
            t.kind = Token::Kind::Newline;
            t.pos = at;
            return t;
        }
        if (line_start_ && indented_ && depth_ == 0) invalid(pos_, "unexpected indentation");
        line_start_ = false;
        return token();
    }
}

void Lexer::advance() {
    const unsigned char c = static_cast<unsigned char>(src_[off_++]);
    if (c == '\n') {
        ++pos_.line;
        pos_.column = 1;
    } else if ((c & 0xC0) != 0x80) {
        ++pos_.column;  // columns count characters, not UTF-8 continuation bytes
    }
}

void Lexer::skip_blanks() {
    indented_ = false;
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\f')) {
        advance();
        indented_ = true;
    }
}

Token Lexer::token() {
    Token t;
    t.pos = pos_;
    const char c = peek();
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        std::string name;
        while (!at_end() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_')) {
            name += peek();
            advance();
        }
        if (!at_end() && (peek() == '\'' || peek() == '"') && name.size() <= 2) return prefixed_string(name, t.pos);
        t.kind = Token::Kind::Name;
        t.text = std::move(name);
        return t;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && std::isdigit(static_cast<unsigned char>(peek(1))))) {
        const std::size_t start = off_;
        while (!at_end() && (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '.' || peek() == '_' ||
                             ((peek() == '+' || peek() == '-') && (src_[off_ - 1] == 'e' || src_[off_ - 1] == 'E'))))
            advance();
        t.kind = Token::Kind::Number;
        t.raw = src_.substr(start, off_ - start);
        return t;
    }
    if (c == '\'' || c == '"') return string_literal(false, t.pos);
    static constexpr std::string_view kOps = "()[]{},=.;:+-*/%<>!@&|^~";
    if (kOps.find(c) != std::string_view::npos) {
        if (c == '(' || c == '[' || c == '{') ++depth_;
        if ((c == ')' || c == ']' || c == '}') && depth_ > 0) --depth_;
        advance();
        t.kind = Token::Kind::Op;
        t.text = std::string(1, c);
        // Two-character operators are named whole in refusals.
        if ((c == '*' && peek() == '*') || (c == '=' && peek() == '=') || (c == '!' && peek() == '=') ||
            (c == ':' && peek() == '=') || (c == '<' && peek() == '=') || (c == '>' && peek() == '=')) {
            t.text += peek();
            advance();
        }
        return t;
    }
    const unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80) invalid(pos_, "unexpected non-ASCII character outside a string");
    if (u < 0x20 || u == 0x7F) invalid(pos_, "unexpected control character " + std::to_string(u));
    invalid(pos_, std::string("unexpected character '") + c + "'");
}

Token Lexer::prefixed_string(const std::string& prefix, SourcePos at) {
    bool raw = false;
    for (char p : prefix) {
        switch (std::tolower(static_cast<unsigned char>(p))) {
            case 'r':
                raw = true;
                break;
            case 'u':
                break;
            case 'f':
                forbidden(at, "an f-string");
            case 'b':
                forbidden(at, "a bytes literal");
            default:
                invalid(at, "unknown string prefix '" + prefix + "'");
        }
    }
    return string_literal(raw, at);
}

Token Lexer::string_literal(bool raw, SourcePos at) {
    const char quote = peek();
    const bool triple = peek(1) == quote && peek(2) == quote;
    for (int i = 0; i < (triple ? 3 : 1); ++i) advance();
    Token t;
    t.kind = Token::Kind::String;
    t.pos = at;
    for (;;) {
        if (at_end()) invalid(at, "unterminated string");
        const char c = peek();
        if (c == quote && (!triple || (peek(1) == quote && peek(2) == quote))) {
            for (int i = 0; i < (triple ? 3 : 1); ++i) advance();
            return t;
        }
        if ((c == '\n' || c == '\r') && !triple) invalid(at, "unterminated string (a newline inside a quoted string)");
        if (c == '\\') {
            escape(t.text, raw);
            continue;
        }
        t.text += c;
        advance();
    }
}

void Lexer::escape(std::string& out, bool raw) {
    const SourcePos at = pos_;
    advance();  // the backslash
    if (at_end()) invalid(at, "unterminated string");
    const char e = peek();
    if (raw) {  // a raw string keeps the backslash; it still cannot end the string
        out += '\\';
        out += e;
        advance();
        return;
    }
    auto hex = [&](int digits) {
        unsigned long cp = 0;
        for (int i = 0; i < digits; ++i) {
            const char h = peek();
            if (!std::isxdigit(static_cast<unsigned char>(h)))
                invalid(at, std::string("escape \\") + e + " needs " + std::to_string(digits) + " hex digits");
            cp = cp * 16 + static_cast<unsigned long>(
                               std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : std::tolower(h) - 'a' + 10);
            advance();
        }
        return cp;
    };
    advance();
    switch (e) {
        case '\n':
            return;  // backslash-newline continues the string
        case '\\':
            out += '\\';
            return;
        case '\'':
            out += '\'';
            return;
        case '"':
            out += '"';
            return;
        case 'n':
            out += '\n';
            return;
        case 't':
            out += '\t';
            return;
        case 'r':
            out += '\r';
            return;
        case 'a':
            out += '\a';
            return;
        case 'b':
            out += '\b';
            return;
        case 'f':
            out += '\f';
            return;
        case 'v':
            out += '\v';
            return;
        case 'x':
            append_utf8(out, hex(2), at);
            return;
        case 'u':
            append_utf8(out, hex(4), at);
            return;
        case 'U':
            append_utf8(out, hex(8), at);
            return;
        case 'N':
            forbidden(at, "a \\N{...} escape");
        default:
            break;
    }
    if (e >= '0' && e <= '7') {
        unsigned long cp = static_cast<unsigned long>(e - '0');
        for (int i = 0; i < 2 && peek() >= '0' && peek() <= '7'; ++i) {
            cp = cp * 8 + static_cast<unsigned long>(peek() - '0');
            advance();
        }
        append_utf8(out, cp, at);
        return;
    }
    out += '\\';
    out += e;
}

}  // namespace deskbox::pyautogui_syntax
