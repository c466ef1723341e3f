"""No module over 400 lines, no function over 60: past that, a file or a function does too many things.

Measured on the AST of every .py file under tui/: a module's length is its number of newlines, a
function's (methods and nested functions included) is `end_lineno - lineno + 1`, decorators aside.
"""

from __future__ import annotations

import ast
from pathlib import Path

MODULE_LINES_MAX = 400
FUNCTION_LINES_MAX = 60
PACKAGE = Path(__file__).resolve().parents[1] / "tui"


def _sources() -> list[tuple[str, str]]:
    """(path relative to the repository, text) of every module in the package."""
    found = [
        (path.relative_to(PACKAGE.parent).as_posix(), path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE.rglob("*.py"))
    ]
    assert len(found) > 30, f"expected the whole package under {PACKAGE}, found {len(found)} files"
    return found


def _long_functions(name: str, text: str) -> list[str]:
    too_long = []
    for node in ast.walk(ast.parse(text, filename=name)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > FUNCTION_LINES_MAX:
                too_long.append(f"{name}:{node.lineno} {node.name}() is {length} lines")
    return too_long


def test_no_module_over_400_lines() -> None:
    lengths = [(name, text.count("\n")) for name, text in _sources()]
    too_long = [f"{name} is {lines} lines" for name, lines in lengths if lines > MODULE_LINES_MAX]
    assert not too_long, f"modules over {MODULE_LINES_MAX} lines:\n" + "\n".join(too_long)


def test_no_function_over_60_lines() -> None:
    too_long = [line for name, text in _sources() for line in _long_functions(name, text)]
    assert not too_long, f"functions over {FUNCTION_LINES_MAX} lines:\n" + "\n".join(too_long)
