// Tokenizer and recursive-descent parser for the pyautogui subset. The
// grammar, in full:
//
//   program   := { statement | NEWLINE | ';' }
//   statement := 'import' MODULE { ',' MODULE }       MODULE is pyautogui or time
//              | 'WAIT' | 'DONE' | 'FAIL'
//              | MODULE '.' NAME '(' [ args ] ')'
//   args      := arg { ',' arg } [ ',' ]              keywords after positionals
//   arg       := [ NAME '=' ] literal
//   literal   := [ '-' | '+' ] NUMBER | STRING { STRING } | True | False | None
//              | '[' [ literal { ',' literal } [ ',' ] ] ']'   (and tuples)
//
// A statement ends at a newline, a ';' or the end. Newlines inside brackets
// are ignored, as in Python. Each refusal names what it met and where.
#include "supervisor/control/pyautogui_parser.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "supervisor/control/pyautogui_lexer.h"

namespace deskbox {
namespace {

using pyautogui_syntax::forbidden;
using pyautogui_syntax::invalid;
using pyautogui_syntax::is_keyword;
using pyautogui_syntax::Lexer;
using pyautogui_syntax::Token;

constexpr std::size_t kMaxDepth = 8;  // brackets nested in one statement

class Parser {
public:
    Parser(std::string_view code, const PyFunctionFilter& allowed) : lexer_(code), allowed_(allowed) { shift(); }

    std::vector<PyCall> program() {
        std::vector<PyCall> calls;
        while (cur_.kind != Token::Kind::End) {
            if (cur_.kind == Token::Kind::Newline || is_op(";")) {
                shift();
                continue;
            }
            statement(calls);
            if (cur_.kind == Token::Kind::Newline || is_op(";")) continue;
            if (cur_.kind == Token::Kind::End) break;
            if (is_op(",")) forbidden(cur_.pos, "a tuple of calls (',' after a call; one call per statement)");
            if (is_op(".")) forbidden(cur_.pos, "attribute access on a call's result");
            if (is_op("=")) forbidden(cur_.pos, "assignment");
            if (cur_.kind == Token::Kind::Op) forbidden(cur_.pos, "an expression with '" + cur_.text + "'");
            invalid(cur_.pos, "expected a newline or ';' after the statement, got " + describe(cur_));
        }
        return calls;
    }

private:
    bool is_op(std::string_view op) const { return cur_.kind == Token::Kind::Op && cur_.text == op; }

    void shift() { cur_ = lexer_.next(); }

    static std::string describe(const Token& t) {
        switch (t.kind) {
            case Token::Kind::Name:
                return "name '" + t.text + "'";
            case Token::Kind::Number:
                return "number " + std::string(t.raw);
            case Token::Kind::String:
                return "a string";
            case Token::Kind::Op:
                return "'" + t.text + "'";
            case Token::Kind::Newline:
                return "the end of the line";
            case Token::Kind::End:
                return "the end of the code";
        }
        return "?";
    }

    void expect_op(std::string_view op, const char* context) {
        if (!is_op(op)) invalid(cur_.pos, "expected '" + std::string(op) + "' " + context + ", got " + describe(cur_));
        shift();
    }

    void statement(std::vector<PyCall>& calls) {
        const Token first = cur_;
        if (first.kind != Token::Kind::Name) {
            if (first.kind == Token::Kind::String) forbidden(first.pos, "a bare string statement");
            if (first.kind == Token::Kind::Number) forbidden(first.pos, "a bare number statement");
            if (first.kind == Token::Kind::Op && (first.text == "@")) forbidden(first.pos, "a decorator");
            invalid(first.pos, "unexpected " + describe(first));
        }
        const std::string& name = first.text;
        if (name == "import") return import_statement();
        if (name == "from") forbidden(first.pos, "'from ... import'");
        if (name == "for" || name == "while") forbidden(first.pos, "a '" + name + "' loop");
        if (name == "def" || name == "class" || name == "lambda") forbidden(first.pos, "a definition ('" + name + "')");
        if (is_keyword(name)) forbidden(first.pos, "'" + name + "'");
        shift();
        if (name == "WAIT" || name == "DONE" || name == "FAIL") {
            if (cur_.kind == Token::Kind::Newline || cur_.kind == Token::Kind::End || is_op(";")) {
                calls.push_back(PyCall{name, {}, first.pos});
                return;
            }
        }
        if (name != "pyautogui" && name != "time") {
            if (is_op("=")) forbidden(first.pos, "assignment to '" + name + "'");
            if (is_op("(")) forbidden(first.pos, "a call of '" + name + "'");
            if (is_op(".")) {
                shift();
                const std::string attr = cur_.kind == Token::Kind::Name ? "." + cur_.text : "";
                forbidden(first.pos, "'" + name + attr + "' (only pyautogui and time.sleep)");
            }
            forbidden(first.pos, "the name '" + name + "'");
        }
        if (!is_op(".")) {
            if (is_op("=")) forbidden(first.pos, "assignment to '" + name + "'");
            forbidden(first.pos, "the module '" + name + "' used other than in a call");
        }
        shift();
        if (cur_.kind != Token::Kind::Name) invalid(cur_.pos, "expected a function name after '" + name + ".'");
        const std::string function = cur_.text;
        const SourcePos function_pos = cur_.pos;
        shift();
        if (!is_op("(")) {
            if (is_op("=")) forbidden(first.pos, "assignment to '" + name + "." + function + "'");
            forbidden(first.pos, "the attribute '" + name + "." + function + "' used other than in a call");
        }
        if (!allowed_(name, function))
            forbidden(function_pos, "the function '" + name + "." + function + "' (outside the subset)");
        PyCall call{name + "." + function, {}, first.pos};
        shift();
        arguments(call);
        calls.push_back(std::move(call));
    }

    void import_statement() {
        shift();
        for (;;) {
            if (cur_.kind != Token::Kind::Name) invalid(cur_.pos, "expected a module name after 'import'");
            const Token module = cur_;
            shift();
            if (is_op(".")) forbidden(module.pos, "import of '" + module.text + ".…'");
            if (module.text != "pyautogui" && module.text != "time")
                forbidden(module.pos, "import of '" + module.text + "' (only pyautogui and time)");
            if (cur_.kind == Token::Kind::Name && cur_.text == "as") forbidden(cur_.pos, "'import ... as'");
            if (!is_op(",")) return;
            shift();
        }
    }

    void arguments(PyCall& call) {
        bool keywords = false;
        while (!is_op(")")) {
            if (is_op("*") || is_op("**")) forbidden(cur_.pos, "argument unpacking ('" + cur_.text + "')");
            PyArg arg;
            arg.pos = cur_.pos;
            if (cur_.kind == Token::Kind::Name && cur_.text != "True" && cur_.text != "False" && cur_.text != "None") {
                const Token name = cur_;
                shift();
                if (!is_op("=")) {
                    if (is_op("(")) forbidden(name.pos, "a call of '" + name.text + "' inside the arguments");
                    if (is_op(".")) forbidden(name.pos, "attribute access ('" + name.text + ".') in an argument");
                    forbidden(name.pos, "the name '" + name.text + "' as an argument (arguments are literals)");
                }
                shift();
                arg.keyword = name.text;
                for (const auto& other : call.args)
                    if (other.keyword == arg.keyword)
                        invalid(name.pos, "keyword argument '" + arg.keyword + "' repeated");
                keywords = true;
            } else if (keywords) {
                invalid(cur_.pos, "a positional argument follows a keyword argument");
            }
            arg.value = literal(0);
            call.args.push_back(std::move(arg));
            if (is_op(",")) {
                shift();
                continue;
            }
            if (!is_op(")")) after_literal("the call's arguments");
        }
        shift();
    }

    // What may not follow a literal: an operator (an expression), an
    // attribute access or a call on it.
    [[noreturn]] void after_literal(const char* where) {
        if (is_op(".")) forbidden(cur_.pos, "attribute access on a literal");
        if (is_op("(")) forbidden(cur_.pos, "a call of a literal");
        if (is_op("[")) forbidden(cur_.pos, "indexing");
        if (cur_.kind == Token::Kind::Op && cur_.text != ")" && cur_.text != "]" && cur_.text != ",")
            forbidden(cur_.pos, "an expression with '" + cur_.text + "' (arguments are literals)");
        invalid(cur_.pos, std::string("expected ',' or the end of ") + where + ", got " + describe(cur_));
    }

    PyValue literal(std::size_t depth) {
        PyValue v;
        v.pos = cur_.pos;
        if (is_op("-") || is_op("+")) {
            const bool negative = cur_.text == "-";
            const SourcePos sign = cur_.pos;
            shift();
            if (cur_.kind != Token::Kind::Number)
                forbidden(sign, "an expression with a sign (a sign goes before a number)");
            v = number(cur_);
            v.pos = sign;
            if (negative) {
                v.integer = -v.integer;
                v.number = -v.number;
            }
            shift();
            return v;
        }
        switch (cur_.kind) {
            case Token::Kind::Number:
                v = number(cur_);
                shift();
                return v;
            case Token::Kind::String:
                v.kind = PyValue::Kind::String;
                while (cur_.kind == Token::Kind::String) {  // 'a' 'b' is 'ab', as in Python
                    v.text += cur_.text;
                    shift();
                }
                return v;
            case Token::Kind::Name:
                if (cur_.text == "True" || cur_.text == "False") {
                    v.kind = PyValue::Kind::Bool;
                    v.boolean = cur_.text == "True";
                    v.integer = v.boolean ? 1 : 0;
                    shift();
                    return v;
                }
                if (cur_.text == "None") {
                    v.kind = PyValue::Kind::None;
                    shift();
                    return v;
                }
                forbidden(cur_.pos, "the name '" + cur_.text + "' as a value (values are literals)");
            case Token::Kind::Op:
                if (cur_.text == "[" || cur_.text == "(") return sequence(depth);
                if (cur_.text == "{") forbidden(cur_.pos, "a dict or set literal");
                invalid(cur_.pos, "expected a value, got " + describe(cur_));
            default:
                invalid(cur_.pos, "expected a value, got " + describe(cur_));
        }
    }

    PyValue sequence(std::size_t depth) {
        if (depth + 1 >= kMaxDepth) forbidden(cur_.pos, "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
        PyValue v;
        v.kind = PyValue::Kind::List;
        v.pos = cur_.pos;
        const std::string close = cur_.text == "[" ? "]" : ")";
        shift();
        while (!is_op(close)) {
            v.items.push_back(literal(depth + 1));
            if (is_op(",")) {
                shift();
                continue;
            }
            if (!is_op(close)) after_literal(close == "]" ? "the list" : "the tuple");
        }
        shift();
        return v;
    }

    static PyValue number(const Token& t) {
        PyValue v;
        v.pos = t.pos;
        std::string digits;
        for (char c : t.raw)
            if (c != '_') digits += c;
        const bool is_float = digits.find_first_of(".eE") != std::string::npos;
        char* end = nullptr;
        if (is_float) {
            v.kind = PyValue::Kind::Float;
            v.number = std::strtod(digits.c_str(), &end);
        } else {
            if (digits.size() > 1 && digits[0] == '0' && digits.find_first_not_of('0') != std::string::npos)
                invalid(t.pos,
                        "number '" + std::string(t.raw) + "' (hex, octal and leading zeros are outside the subset)");
            v.kind = PyValue::Kind::Int;
            errno = 0;
            v.integer = std::strtol(digits.c_str(), &end, 10);
            if (errno == ERANGE) invalid(t.pos, "number " + std::string(t.raw) + " is too large");
            v.number = static_cast<double>(v.integer);
        }
        if (!end || *end != '\0' || !std::isfinite(v.number))
            invalid(t.pos, "malformed number '" + std::string(t.raw) + "'");
        return v;
    }

    Lexer lexer_;
    const PyFunctionFilter& allowed_;
    Token cur_;
};

}  // namespace

std::string to_string(SourcePos pos) {
    return "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column);
}

std::vector<PyCall> parse_pyautogui_code(std::string_view code, const PyFunctionFilter& allowed) {
    return Parser(code, allowed).program();
}

}  // namespace deskbox
