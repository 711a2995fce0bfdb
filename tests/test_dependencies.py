"""Every third-party module the package imports is declared in pyproject.toml (installs
nothing: reads the sources' imports and the installed distributions' metadata)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "cogs")


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    names = set()
    for requirement in project["dependencies"]:
        names.add(_normalized(re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]))
    return names


def _top_level_imports() -> dict[str, set[Path]]:
    """Top-level module names imported (anywhere, at any depth) by the package sources."""
    found: dict[str, set[Path]] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], set()).add(path.relative_to(ROOT))
    return found


def test_every_third_party_import_is_declared():
    """An import whose distribution is not in `dependencies` would only work by accident (a
    transitive dependency), and break when that dependency drops it."""
    distributions = metadata.packages_distributions()
    declared = _declared()
    undeclared = {}
    for module, paths in _top_level_imports().items():
        if module in sys.stdlib_module_names or module in PACKAGES or module == "__future__":
            continue
        owners = {_normalized(name) for name in distributions.get(module, [module])}
        if not owners & declared:
            undeclared[module] = sorted(map(str, paths))
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


def test_the_check_sees_the_known_third_party_imports():
    """The scan finds the imports the package is known to make, so the check above can fail."""
    imports = _top_level_imports()
    assert {"discord", "github", "aiosqlite", "aiohttp", "dotenv"} <= imports.keys()
    assert "os" in imports
