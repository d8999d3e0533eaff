"""Figures about the code's shape, for issue notes and the layering test: imports that run up the
layers, modules outside the store and its services that reach the database, the Workspace's public
methods, the largest module and class. Reads source files only (``ast``); imports nothing of forewarn.

    python scripts/code_figures.py [SRC]      # SRC: the folder holding forewarn/ (default: src)
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Lowest first. A module may import its own package and anything at its level or below, never above.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors", "config", "redact", "yamlfile", "model", "runtime"}),
    frozenset({"geo"}),
    frozenset({"sources", "store"}),
    frozenset({"ingest", "nlp", "ledger", "export", "formats", "accounts", "sharing"}),
    frozenset({"detect", "reads"}),
    frozenset({"warn"}),
    frozenset({"review"}),
    frozenset({"app", "cycle", "watch", "demo", "demo_play", "interchange"}),
    frozenset({"cli", "web", "__main__"}),
)
# The store's own imports; redact because migration 0009 applies the one redaction rule to stored rows.
STORE_MAY_IMPORT = frozenset({"store", "model", "geo", "errors", "redact"})
# The store and the feature services it backs: the only modules that may import SQLAlchemy or the
# schema, or open a connection or a transaction.
DATA_PACKAGES = frozenset({"store", "ledger", "warn", "detect", "reads", "accounts", "ingest", "nlp"})
OPENERS = frozenset({"connect", "begin", "transaction", "ingest_transaction"})
HOLDERS = DATA_PACKAGES | {"app"}  # may hold a store: the services and the root that builds them
FRONTS = frozenset({"cli", "web"})  # may not import the store at all: they ask the workspace's services


@dataclass(frozen=True)
class Module:
    name: str  # forewarn.web.api.events
    path: Path
    tree: ast.Module

    @property
    def top(self) -> str:  # the forewarn package or module it belongs to: "web"
        parts = self.name.split(".")
        return parts[1] if len(parts) > 1 else ""


def modules(src: Path) -> Iterator[Module]:
    for path in sorted((src / "forewarn").rglob("*.py")):
        rel = path.relative_to(src).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        yield Module(".".join(parts), path, ast.parse(path.read_text(encoding="utf-8"), str(path)))


def imported(m: Module) -> Iterator[tuple[int, str]]:
    """(line, module) of every import, at load time or inside a function, absolute or relative."""
    for node in ast.walk(m.tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = m.name.split(".")[: len(m.name.split(".")) - node.level + (m.path.name == "__init__.py")]
                base = ".".join([*package, base] if base else package)
            yield node.lineno, base
            yield from ((node.lineno, f"{base}.{a.name}") for a in node.names)


def level(top: str) -> int:
    return next((i for i, names in enumerate(LAYERS) if top in names), -1)


def upward_imports(ms: list[Module]) -> list[str]:
    """Imports of a higher layer's module, and store imports of anything but model, geo and errors."""
    found = set()
    for m in ms:
        for line, name in imported(m):
            parts = name.split(".")
            if parts[0] != "forewarn" or len(parts) < 2 or parts[1] == m.top or level(parts[1]) < 0:
                continue
            up = level(parts[1]) > level(m.top)
            if up or (m.top == "store" and parts[1] not in STORE_MAY_IMPORT):
                found.add(f"{m.name}:{line} imports forewarn.{parts[1]}")
    return sorted(found)


def reaches_database(m: Module) -> list[str]:
    """What in the module touches the database directly: SQLAlchemy or schema imports, connections
    opened, a store's engine or store reached through an attribute."""
    why = []
    for line, name in imported(m):
        store = name == "forewarn.store" or name.startswith("forewarn.store.")
        if name.split(".")[0] == "sqlalchemy" or name.startswith("forewarn.store.schema") or \
                (store and m.top in FRONTS):
            why.append(f"{m.name}:{line} imports {name}")
    for node in ast.walk(m.tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in OPENERS:
            why.append(f"{m.name}:{node.lineno} calls .{node.func.attr}()")
        elif isinstance(node, ast.Attribute) and node.attr in {"store", "engine"} and m.top not in HOLDERS:
            why.append(f"{m.name}:{node.lineno} reaches .{node.attr}")
    return why


def outside_data(ms: list[Module]) -> dict[str, list[str]]:
    return {m.name: why for m in ms if m.top not in DATA_PACKAGES and (why := reaches_database(m))}


def public_methods(ms: list[Module], module: str, cls: str) -> list[str]:
    m = next(m for m in ms if m.name == module)
    node = next(n for n in m.tree.body if isinstance(n, ast.ClassDef) and n.name == cls)
    return [f.name for f in node.body if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
            and not f.name.startswith("_")]


def largest(ms: list[Module]) -> tuple[tuple[int, str], tuple[int, str]]:
    """(lines, name) of the longest module and the longest class."""
    mods = max((len(m.path.read_text(encoding="utf-8").splitlines()), m.name) for m in ms)
    classes = max(((n.end_lineno or n.lineno) - n.lineno + 1, f"{m.name}.{n.name}")
                  for m in ms for n in ast.walk(m.tree) if isinstance(n, ast.ClassDef))
    return mods, classes


def main(src: Path) -> None:
    ms = list(modules(src))
    outside = outside_data(ms)
    up = upward_imports(ms)
    (mod_lines, mod), (cls_lines, cls) = largest(ms)
    rows = [("modules outside the store and its services reaching the database", str(len(outside))),
            ("imports that run up the layers", str(len(up))),
            ("Workspace public methods and properties", str(len(public_methods(ms, "forewarn.app", "Workspace")))),
            ("largest module", f"{mod} ({mod_lines} lines)"),
            ("largest class", f"{cls} ({cls_lines} lines)")]
    for name, value in rows:
        print(f"{name:<68} {value}")
    for name, why in sorted(outside.items()):
        print(f"  {name}: {why[0]}" + (f" (+{len(why) - 1})" if len(why) > 1 else ""))
    for line in up:
        print(f"  {line}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "src"))
