#!/usr/bin/env python3
"""Print a map of the crimesite package for a reviewer: lines per module, the longest functions, and which
modules import which (the package's own imports only, at module level and inside functions).

    python scripts/code_map.py              # all three
    python scripts/code_map.py --longest 20
"""

from __future__ import annotations

import argparse
import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "crimesite"


@dataclass(frozen=True)
class Function:
    module: str
    name: str
    lines: int


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted((ROOT / PACKAGE).rglob("*.py"))}


def functions(name: str, tree: ast.Module) -> list[Function]:
    """Every function and method, with its length in lines (decorators and docstring included)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            found.append(Function(name, node.name, node.end_lineno - first + 1))
    return found


def imported(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The package's modules that `name` imports (`from crimesite import x` names module crimesite.x)."""
    found = set()
    package = name if (ROOT / Path(*name.split(".")) / "__init__.py").exists() else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in known else base)
    return {module for module in found if module in known and module != name}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--longest", type=int, default=10, help="how many of the longest functions to list")
    args = parser.parse_args(argv)
    found = modules()
    trees = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in found.items()}
    lines = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in found.items()}
    print(f"lines per module ({sum(lines.values()):,} in {len(lines)} modules)")
    for name, count in sorted(lines.items(), key=lambda item: (-item[1], item[0])):
        print(f"  {count:6,}  {name}")
    every = sorted((f for name, tree in trees.items() for f in functions(name, tree)), key=lambda f: -f.lines)
    print(f"\nthe {args.longest} longest functions")
    for function in every[: args.longest]:
        print(f"  {function.lines:4}  {function.module}.{function.name}")
    print("\nimports within the package (module -> the modules it imports)")
    for name in sorted(trees):
        targets = sorted(imported(name, trees[name], set(found)))
        if targets:
            print(f"  {name} -> {', '.join(targets)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
