"""Every reason the parser and importer can give has its Danish wording for the admin.

The reasons are found in the code itself (each ParseError, ImportError_ and
review reason's message, the varying parts of an f-string as placeholders), so
a reason added later without a Danish wording fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.utils import translation

from meetings import reasons

REPO = Path(__file__).resolve().parent.parent
RAISED_BY = {"ParseError", "ImportError_"}


def _sample(node: ast.AST, constants: dict[str, str]) -> str | None:
    """A message as the code writes it, each varying part as "7"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):  # a reason named by a module constant
        return constants.get(node.id)
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "7" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _sample(node.left, constants), _sample(node.right, constants)
        return None if left is None or right is None else left + right
    return None


def reasons_in_code() -> list[tuple[str, str]]:
    found = []
    for path in sorted((REPO / "meetings").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }  # fmt: skip
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in RAISED_BY and node.args:
                message = _sample(node.args[-1], constants)
            elif name == "append" and getattr(node.func.value, "attr", "") == "review_reasons":
                message = _sample(node.args[0], constants) if node.args else None
            else:
                continue
            if message:
                found.append((f"{path.relative_to(REPO)}:{node.lineno}", message))
    return found


FOUND = reasons_in_code()


def test_the_code_gives_reasons_to_check():
    assert len(FOUND) >= 30


@pytest.mark.parametrize(("where", "reason"), FOUND, ids=[where for where, _ in FOUND])
def test_each_reason_has_a_danish_wording(where, reason):
    assert reasons.known(reason), f"{where}: no Danish wording in meetings/reasons.py: {reason!r}"
    with translation.override("da"):
        danish = reasons.in_reader_language(reason)
    assert danish != reason


def test_a_reason_reads_in_danish_and_in_english():
    reason = "no agenda items found (layout generic)"
    with translation.override("da"):
        assert reasons.in_reader_language(reason) == (
            "der blev ikke fundet nogen dagsordenspunkter (layout generic)"
        )
    with translation.override("en"):
        assert reasons.in_reader_language(reason) == "no agenda items found (layout generic)"
    several = (
        "line 8 marks something closed (Lukket punkt) that is no closed item; the file is empty"
    )
    with translation.override("da"):
        assert reasons.in_reader_language(several) == (
            "linje 8 markerer noget som lukket (Lukket punkt), som ikke er et lukket punkt; "
            "filen er tom"
        )


def test_an_unknown_reason_is_shown_as_it_is():
    assert reasons.in_reader_language("something new happened") == "something new happened"
