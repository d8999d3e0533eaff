"""The layering cannot drift: reads the imports and attribute uses of every module (scripts/code_figures.py)
and fails when a lower layer imports a higher one, the store imports more than model, geography and
errors, or a module outside the store and its services reaches the database (SQLAlchemy, the schema,
a connection opened, ``.store`` or ``.engine`` reached from the web or the CLI)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _figures() -> ModuleType:
    spec = importlib.util.spec_from_file_location("code_figures", ROOT / "scripts" / "code_figures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


figures = _figures()
MODULES = list(figures.modules(ROOT / "src"))


def test_every_package_has_a_layer() -> None:
    tops = {m.top for m in MODULES if m.top}
    assert sorted(t for t in tops if figures.level(t) < 0) == []


def test_no_import_runs_up_the_layers() -> None:
    assert figures.upward_imports(MODULES) == []


def test_only_the_store_and_its_services_reach_the_database() -> None:
    assert figures.outside_data(MODULES) == {}


def test_the_checks_catch_what_they_forbid(tmp_path: Path) -> None:
    """Each rule fails on a module that breaks it (so a passing check means something)."""
    pkg = tmp_path / "forewarn"
    for folder, source in [("store", "from forewarn.nlp import extract\n"),
                           ("model", "from forewarn.web import server\n"),
                           ("web", "from forewarn.store import schema\n\ndef f(ws):\n    return ws.store.engine\n"),
                           ("cli", "def g(engine):\n    with engine.connect() as conn:\n        return conn\n")]:
        (pkg / folder).mkdir(parents=True)
        (pkg / folder / "bad.py").write_text(source)
    found = list(figures.modules(tmp_path))
    assert figures.upward_imports(found) == ["forewarn.model.bad:1 imports forewarn.web",
                                             "forewarn.store.bad:1 imports forewarn.nlp"]
    outside = figures.outside_data(found)
    assert sorted(outside) == ["forewarn.cli.bad", "forewarn.web.bad"]
    assert "forewarn.cli.bad:2 calls .connect()" in outside["forewarn.cli.bad"]
    assert {"forewarn.web.bad:1 imports forewarn.store.schema", "forewarn.web.bad:4 reaches .store",
            "forewarn.web.bad:4 reaches .engine"} <= set(outside["forewarn.web.bad"])
