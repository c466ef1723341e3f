"""Markdown a stakeholder can read: the blueprint's event table, and one event side by side.

Pure functions over a Blueprint or a Preview, so the TUI's mapping view, the evidence pack and a
pasted document all say the same thing.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tui.mapping.blueprint import Blueprint
from tui.mapping.preview import Preview

VALUE_WIDTH = 60
"""Values longer than this are cut (with …) so the table stays readable on a projector."""

MISSING = object()
_TOKEN = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\[("(?:[^"\\]|\\.)*")\]|\[(\d+)\]')


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    """A code span in a table cell: backslashes are literal there, only `|` needs escaping."""
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    safe = text.replace("|", "\\|").replace("\n", " ")
    return f"{fence}{pad}{safe}{pad}{fence}"


def _value(value: Any) -> str:
    if value is MISSING:
        return ""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    if len(text) > VALUE_WIDTH:
        text = text[: VALUE_WIDTH - 1] + "…"
    return _code(text)


def resolve(document: Any, path: str | None) -> Any:
    """The value at a JSON path as written by the mapping (`$.a.b["x y"][0]`), or a marker if none."""
    if path is None or not path.startswith("$"):
        return MISSING
    current = document
    position = 1
    while position < len(path):
        match = _TOKEN.match(path, position)
        if match is None:
            return MISSING
        name, quoted, index = match.groups()
        key: Any = name if name is not None else json.loads(quoted) if quoted else int(index)
        in_list = isinstance(key, int) and isinstance(current, list) and key < len(current)
        in_dict = isinstance(key, str) and isinstance(current, dict) and key in current
        if not (in_list or in_dict):
            return MISSING
        current = current[key]
        position = match.end()
    return current


def blueprint_markdown(blueprint: Blueprint) -> str:
    """The blueprint as tables: Signal event → WebEngage event, then the property renames."""
    lines = [
        f"### Blueprint: {blueprint.name}",
        "",
    ]
    if blueprint.description:
        lines += [blueprint.description, ""]
    lines += [
        "| Signal event | WebEngage event |",
        "|---|---|",
        f"| {_code('page')} | {_cell(blueprint.page_event_name)} |",
    ]
    lines += [
        f"| {_cell(signal)} | {_cell(webengage)} |"
        for signal, webengage in blueprint.event_names.items()
    ]
    lines.append("| any other `track` event | its own name, unchanged (custom event) |")
    if blueprint.property_renames:
        lines += ["", "| Signal property | WebEngage attribute |", "|---|---|"]
        lines += [
            f"| {_code(source)} | {_code(target)} |"
            for source, target in blueprint.property_renames.items()
        ]
    steps = [
        f"nested objects are flattened with {_code(blueprint.flatten_separator)} between names",
        "renames apply to the flattened name",
    ]
    if blueprint.rewrite_dates:
        steps.append("ISO 8601 date-times are rewritten as `yyyy-MM-ddTHH:mm:ss+0000` (Date)")
    if blueprint.drop_nulls:
        steps.append("`null` values are dropped")
    lines += ["", "Properties become `eventData`: " + "; ".join(steps) + "."]
    return "\n".join(lines) + "\n"


def side_by_side_markdown(preview: Preview, event: Any = MISSING) -> str:
    """One event, field by field: the Signal field and value, what it became, and why.

    The Signal values come from `preview.raw`, or from `event` when given (a caller that kept it).
    """
    signal = preview.raw if event is MISSING else event
    request = preview.request
    path = request.url.split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else path
    title = preview.event_name or "(not an event)"
    lines = [f"### {_cell(title)}: Signal → WebEngage `{request.method} {_cell(path)}`", ""]
    if preview.mapped is not None:
        lines += [
            "| Signal field | Signal value | WebEngage field | WebEngage value | What happened |",
            "|---|---|---|---|---|",
        ]
        body = preview.mapped.body
        for field in preview.mapped.trace:
            target = field.target or "(not sent)"
            happened = field.change.replace("_", " ")
            note = field.note.removeprefix(f"{happened} ")
            if note:
                happened = f"{happened}: {note}"
            lines.append(
                "| "
                + " | ".join(
                    [
                        _code(field.source),
                        _value(resolve(signal, field.source)),
                        _code(target) if field.target else target,
                        _value(resolve(body, field.target)),
                        _cell(happened),
                    ]
                )
                + " |"
            )
    if preview.findings:
        lines += ["Findings:", ""] if preview.mapped is None else ["", "Findings:", ""]
        lines += [
            f"- **{f.severity.value}** {_code(f.path)}: {_cell(f.message)} (fix: {_cell(f.fix)})"
            for f in preview.findings
        ]
    return "\n".join(lines) + "\n"
