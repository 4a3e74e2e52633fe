"""Refuse functions longer than 60 lines (``def`` to the end of the body, decorators excluded).

Complexity is ruff's ``C901`` (max 15, in pyproject.toml); ruff has no rule for length, so
``make lint`` runs this beside it. Usage: ``python scripts/function_size.py [--max N] [PATH...]``.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

DEFAULT_PATHS = ("ledger", "importers", "reports", "bench", "scripts", "wsgi.py")


def functions(path: Path) -> Iterator[tuple[str, int, int]]:
    """(qualified name, first line, length) of every function in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, int, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                yield name, child.lineno, (child.end_lineno or child.lineno) - child.lineno + 1
                yield from walk(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, f"{prefix}{child.name}.")

    yield from walk(tree, "")


def python_files(paths: list[str]) -> Iterator[Path]:
    for name in paths:
        path = Path(name)
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=60)
    parser.add_argument("--top", type=int, default=0, help="also print the N longest functions")
    parser.add_argument("paths", nargs="*", default=list(DEFAULT_PATHS))
    args = parser.parse_args(argv)
    found = [(length, f"{path}:{line} {name}") for path in python_files(args.paths)
             for name, line, length in functions(path)]
    found.sort(reverse=True)
    for length, where in found[: args.top]:
        print(f"{length:4d}  {where}")
    too_long = [(length, where) for length, where in found if length > args.max]
    for length, where in too_long:
        print(f"{where}: {length} lines (more than {args.max})", file=sys.stderr)
    return 1 if too_long else 0


if __name__ == "__main__":
    sys.exit(main())
