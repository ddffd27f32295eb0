"""How the core's modules fit: the import graph (every import that runs, at the top of a
module or inside a function; not those under ``if TYPE_CHECKING``), its cycles, and the modules and functions one ``precheck`` of the
bundled Shenzhen candidate runs through.

    python -m benchmarks.layout            # what the #16 closing note quotes
"""

from __future__ import annotations

import ast
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "core" / "kuaiji"
EXAMPLE = ROOT / "examples" / "li-lei-shenzhen.json"
AT = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(CORE.rglob("*.py")):
        if "from kuaiji._moved import moved" in path.read_text(encoding="utf-8"):
            continue  # a deprecated alias of an old path (kuaiji._moved)
        parts = path.relative_to(CORE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imported(name: str, path: Path, known: dict[str, Path]) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If)
        and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            candidates = [f"{module}.{alias.name}" for alias in node.names] + [module]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        for candidate in candidates:
            if candidate in known and candidate != name:
                yield candidate
                break


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: set(_imported(name, path, known)) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10000)
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def traced_precheck() -> tuple[set[str], set[str], int]:
    """Modules and functions of the core and the plugins that run during one precheck
    (registry warm)."""
    import kuaiji

    kuaiji.get_registry()
    kuaiji.precheck(
        kuaiji.load_candidate(EXAMPLE), exam="junior", year=2026, at=AT, base_dir=EXAMPLE.parent
    )  # warm every lazy import
    roots = tuple(str(ROOT / part) for part in ("core", "plugins"))
    seen_modules: set[str] = set()
    seen_functions: set[str] = set()
    returns = 0
    last: list[str] = []

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal returns
        filename = frame.f_code.co_filename
        if not filename.startswith(roots):
            return
        module = frame.f_globals.get("__name__", "?")
        if event == "call":
            seen_modules.add(module)
            seen_functions.add(f"{module}.{frame.f_code.co_qualname}")
            last.append(module)
        elif event == "return" and last:
            left = last.pop()
            if last and last[-1] != left:
                returns += 1

    sys.setprofile(profile)
    try:
        kuaiji.precheck(
            kuaiji.load_candidate(EXAMPLE), exam="junior", year=2026, at=AT, base_dir=EXAMPLE.parent
        )
    finally:
        sys.setprofile(None)
    return seen_modules, seen_functions, returns


def main() -> None:
    edges = graph()
    loops = cycles(edges)
    print(f"modules in the core: {len(edges)}")
    print(f"import edges: {sum(len(v) for v in edges.values())}")
    print(f"import cycles: {len(loops)}")
    for loop in loops:
        print("  cycle: " + " ↔ ".join(loop))
    seen_modules, seen_functions, returns = traced_precheck()
    print(
        f"one precheck (li-lei-shenzhen.json) runs code in {len(seen_modules)} modules, "
        f"{len(seen_functions)} functions, {returns} returns to another module"
    )
    for module in sorted(seen_modules):
        print(f"  {module}")


if __name__ == "__main__":
    main()
