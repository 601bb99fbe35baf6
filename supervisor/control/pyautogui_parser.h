// A parser for the small subset of Python that OSWorld agents emit in the
// pyautogui action space: calls of pyautogui.* and time.sleep with literal
// arguments, `import pyautogui` / `import time`, comments, several statements
// separated by newlines or semicolons, and the bare words WAIT, DONE, FAIL.
// The code is parsed, never executed; everything outside the subset (other
// names, imports, attribute access, operators, loops, assignments, f-strings)
// is a ProtocolError naming the construct and its line and column
// (docs/protocol.md, "OSWorld pyautogui").
//
// Which functions and arguments are allowed, and what they mean, is decided
// by the dialect (dialect_pyautogui.cc); this file only knows the grammar.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "supervisor/control/protocol_error.h"

namespace deskbox {

// Where something is in the source: 1-based line and column (in characters).
struct SourcePos {
    int line = 1;
    int column = 1;
};

// "line 2, column 5"
std::string to_string(SourcePos pos);

struct PyValue {
    enum class Kind { Int, Float, String, List, Bool, None } kind = Kind::None;
    long integer = 0;            // Int (also set for Bool: 0/1)
    double number = 0;           // Int and Float
    std::string text;            // String (UTF-8, escapes decoded)
    std::vector<PyValue> items;  // List (a Python list or tuple of literals)
    bool boolean = false;
    SourcePos pos;
};

struct PyArg {
    std::string keyword;  // empty for a positional argument
    PyValue value;
    SourcePos pos;
};

struct PyCall {
    // "pyautogui.click", "time.sleep", or a bare word "WAIT" / "DONE" / "FAIL".
    std::string function;
    std::vector<PyArg> args;
    SourcePos pos;
};

// Which MODULE.FUNCTION calls exist (the dialect's table); a call of any
// other is refused as outside the subset.
using PyFunctionFilter = std::function<bool(std::string_view module, std::string_view function)>;

// Throws ProtocolError: "invalid_code" when the text is not Python the
// subset's grammar can read, "forbidden_construct" when it is Python outside
// the subset. Messages start with the position: "line 1, column 1: ...".
std::vector<PyCall> parse_pyautogui_code(std::string_view code, const PyFunctionFilter& allowed);

}  // namespace deskbox
