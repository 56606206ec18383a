"""The package's shape, as ARCHITECTURE.md states it: layers, what may import what, module sizes.

Every import counts, including those inside functions (the lazy heavy imports): a layer may use only the
layers below it, so there is no import circle between sub-packages, and ``core`` imports nothing else of
embedlab.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "embedlab"

# sub-package -> the sub-packages it may import (besides itself); keep in step with ARCHITECTURE.md
ALLOWED = {
    "core": set(),
    "io": {"core"},
    "runtime": {"core", "io"},          # io.cache: the folder the faiss index is saved in
    "space": {"core", "io"},
    "encoder": {"core", "io"},
    "lessons": {"core", "io", "space", "encoder"},
    "train": {"core", "io", "runtime", "space"},
    "viz": {"core", "space", "lessons"},
    "cli": {"core", "io", "runtime", "space", "encoder", "lessons", "train", "viz"},
}
MAX_LINES = 500


def _modules():
    return sorted(p for p in PKG.rglob("*.py") if "__pycache__" not in p.parts)


def _layer(path: Path) -> str:
    rel = path.relative_to(PKG).parts
    return rel[0] if len(rel) > 1 else ""      # "" = embedlab/__init__.py, __main__.py (the public face)


def _imported_embedlab_modules(path: Path) -> list[tuple[int, str]]:
    """(line, dotted module) of every embedlab import in ``path``, relative ones resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    here = ["embedlab", *path.relative_to(PKG).with_suffix("").parts]
    package = here[:-1] if here[-1] != "__init__" else here[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "embedlab"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
                names = [mod] if node.module else [f"{mod}.{a.name}" for a in node.names]
                out += [(node.lineno, m) for m in names]
            elif node.module and node.module.split(".")[0] == "embedlab":
                out.append((node.lineno, node.module))
    return out


def test_every_subpackage_is_in_the_layer_table():
    found = {p.name for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert found == set(ALLOWED)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_imports_only_go_down_the_layers(path):
    layer = _layer(path)
    if not layer:
        return   # embedlab/__init__.py and __main__.py may import any layer
    bad = []
    for line, mod in _imported_embedlab_modules(path):
        parts = mod.split(".")
        target = parts[1] if len(parts) > 1 else ""
        if target in ALLOWED and target != layer and target not in ALLOWED[layer]:
            bad.append(f"line {line}: {mod} ({layer} may import {sorted(ALLOWED[layer]) or 'nothing else'})")
        if target == "" or target not in ALLOWED:   # the top-level package: would be a circle
            if target not in ALLOWED and len(parts) > 1 and (PKG / f"{target}.py").exists():
                bad.append(f"line {line}: {mod} (a top-level module)")
            elif len(parts) == 1 and layer != "cli":   # the command line may use the public face
                bad.append(f"line {line}: import embedlab itself (import the module that defines the name)")
    assert not bad, "\n".join(bad)


def test_the_layer_table_has_no_cycle():
    seen, done = set(), set()

    def visit(n, trail):
        assert n not in seen or n in done, f"cycle: {' -> '.join(trail + [n])}"
        if n in done:
            return
        seen.add(n)
        for m in ALLOWED[n]:
            visit(m, trail + [n])
        done.add(n)

    for n in ALLOWED:
        visit(n, [])


def test_the_library_never_imports_streamlit_and_pages_not_the_numeric_libraries():
    for path in _modules():
        tree = ast.parse(path.read_text())
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert "streamlit" not in names, path
    for path in [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]:
        src = path.read_text()
        for lib in ("gensim", "sklearn", "umap", "openTSNE", "pynndescent"):
            assert f"import {lib}" not in src and f"from {lib}" not in src, (path, lib)


@pytest.mark.parametrize("path", [p for p in _modules()] + sorted((ROOT / "ui").glob("*.py"))
                         + sorted((ROOT / "app_pages").glob("*.py")) + [ROOT / "app.py"],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_module_is_over_500_lines(path):
    n = len(path.read_text().splitlines())
    assert n <= MAX_LINES, f"{path.relative_to(ROOT)} has {n} lines; split it by concern (limit {MAX_LINES})"
