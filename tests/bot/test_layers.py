"""Dependency direction (DESIGN.md section 1), checked on the source with ast."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSITION_ROOT = "bot/__main__.py"


@cache
def sources() -> dict[str, ast.Module]:
    """Every module of bot/ and cogs/, by path relative to the repository root."""
    found = {}
    for folder in ("bot", "cogs"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            found[path.relative_to(ROOT).as_posix()] = ast.parse(path.read_text("utf-8"))
    assert "bot/github_gateway.py" in found and "cogs/__init__.py" in found
    return found


def imported(tree: ast.Module) -> set[str]:
    """Absolute module names a module imports anywhere (also inside functions)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def importers(package: str) -> set[str]:
    """Modules that import `package` or anything inside it."""
    return {
        path
        for path, tree in sources().items()
        if any(name == package or name.startswith(f"{package}.") for name in imported(tree))
    }


def is_cog(path: str) -> bool:
    return path.startswith("cogs/")


# `diary-bot check`/`invite` talk to Discord's REST API without a gateway connection, through
# discord.py's public REST methods (Client.login, fetch_*, permissions_for); only this module.
DISCORD_PROBE = "bot/ops/discord_probe.py"


def test_discord_is_imported_only_by_cogs_client_and_composition_root():
    """Besides the entry point and the set-up probe, only cogs/ and bot/client/ import
    discord."""
    offenders = {
        p
        for p in importers("discord")
        if not is_cog(p)
        and not p.startswith("bot/client/")
        and p not in (COMPOSITION_ROOT, DISCORD_PROBE)
    }
    assert offenders == set()


def test_entry_point_does_not_import_discord():
    """The composition root leaves discord to bot/client/ (DESIGN.md: bot/client.py)."""
    assert COMPOSITION_ROOT not in importers("discord")


def test_pygithub_is_imported_only_by_the_gateway():
    """Only bot/github_gateway.py imports PyGithub (`github`)."""
    assert importers("github") == {"bot/github_gateway.py"}


def test_aiosqlite_is_imported_only_by_the_store():
    """Only modules under bot/store/ import aiosqlite."""
    offenders = {p for p in importers("aiosqlite") if not p.startswith("bot/store/")}
    assert offenders == set()
    assert importers("aiosqlite"), "the store no longer imports aiosqlite: the scan is broken"


@pytest.mark.parametrize("package", ["discord", "github", "aiosqlite", "requests"])
def test_services_import_no_framework(package):
    """bot/services/ imports neither discord, PyGithub, aiosqlite nor requests."""
    assert {p for p in importers(package) if p.startswith("bot/services/")} == set()


@pytest.mark.parametrize(
    "lower", ["bot/store/", "bot/github_gateway.py", "bot/models.py", "bot/errors.py"]
)
def test_lower_layers_do_not_import_upper_ones(lower):
    """Store, gateway, models and errors never import services, workers, the client or cogs."""
    upper = ("bot.services", "bot.workers", "bot.app", "bot.client", "cogs")
    offenders = {
        path: sorted(n for n in imported(tree) if n.startswith(upper))
        for path, tree in sources().items()
        if path.startswith(lower) and any(n.startswith(upper) for n in imported(tree))
    }
    assert offenders == {}


def reads_environment(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr in ("environ", "environb", "getenv", "getenvb", "putenv")
        ):
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            if any(a.name in ("environ", "environb", "getenv", "getenvb") for a in node.names):
                return True
    return False


def test_only_the_entry_point_reads_the_environment():
    """Nothing but bot/__main__.py touches os.environ or os.getenv."""
    readers = {path for path, tree in sources().items() if reads_environment(tree)}
    assert readers == {COMPOSITION_ROOT}


def feature_of(module: str) -> str | None:
    """`cogs.drafts._cog` → `drafts`; modules directly under cogs/ belong to no feature."""
    parts = module.split(".")
    return parts[1] if parts[0] == "cogs" and len(parts) > 2 else None


def test_cogs_import_no_other_cogs_private_modules():
    """A feature under cogs/ shares code through cogs/_common.py and the like, never by importing
    another feature's private modules (`cogs.drafts._actions` from `cogs/entries`)."""
    offenders = {
        path: sorted(
            name
            for name in imported(tree)
            if feature_of(name)
            not in (None, feature_of(path.removesuffix(".py").replace("/", ".")))
            and name.rpartition(".")[2].startswith("_")
        )
        for path, tree in sources().items()
        if is_cog(path)
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def module_name(path: str) -> str:
    """`cogs/drafts/_cog.py` → `cogs.drafts._cog`; a package's `__init__.py` → the package."""
    parts = path.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_within(name: str, tree: ast.Module, modules: set[str]) -> set[str]:
    """The modules among `modules` that module `name` imports, anywhere in it (inside functions
    and under TYPE_CHECKING too); `from a import b` counts as importing the module `a.b` when
    there is one, else `a`; relative imports are resolved."""
    is_package = any(m.startswith(f"{name}.") for m in modules)
    package = name if is_package else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parents = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parents, *([node.module] if node.module else [])])
            for alias in node.names:
                if f"{base}.{alias.name}" in modules:
                    found.add(f"{base}.{alias.name}")
                elif base in modules:
                    found.add(base)
    return found - {name}


def import_graph() -> dict[str, set[str]]:
    """For each module of bot/ and cogs/, the modules of bot/ and cogs/ it imports."""
    trees = {module_name(path): tree for path, tree in sources().items()}
    return {name: imports_within(name, tree, set(trees)) for name, tree in trees.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_cycle_finder_sees_a_cycle_through_a_function_level_import():
    """The scan catches a view importing `_actions` inside a function, as `_buttons` once did."""
    graph = import_graph()
    late = ast.parse("def callback():\n    from cogs.drafts import _actions\n")
    graph["cogs.drafts._views"] |= imports_within("cogs.drafts._views", late, set(graph))

    cycle = {"cogs.drafts._actions", "cogs.drafts._views"}
    assert any(cycle <= set(found) for found in cycles(graph))


def test_no_import_cycles_in_bot_and_cogs():
    """No module of bot/ or cogs/ imports, however indirectly, a module that imports it."""
    graph = import_graph()
    assert "cogs.drafts._actions" in graph["cogs.drafts._buttons"], "the scan is broken"
    assert cycles(graph) == []


# A cog reaches the store or the settings through these attributes (`services.store`,
# `bot.settings`) or by importing their modules; it should call a service method instead.
OFF_LIMITS_ATTRIBUTES = ("store", "settings")
OFF_LIMITS_MODULES = ("bot.store", "bot.settings")


def store_or_settings_use(tree: ast.Module) -> list[str]:
    """Each `.store` / `.settings` attribute read and each import of bot.store or bot.settings."""
    uses = [
        f"line {node.lineno}: .{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in OFF_LIMITS_ATTRIBUTES
    ]
    uses += [
        f"import {name}"
        for name in sorted(imported(tree))
        if any(name == m or name.startswith(f"{m}.") for m in OFF_LIMITS_MODULES)
    ]
    return uses


def test_store_access_is_seen_in_an_attribute_chain():
    """`interaction.client.services.store.get_guild_settings(...)` counts, as does an import."""
    tree = ast.parse(
        "from bot.store import Store\n"
        "async def f(interaction):\n"
        "    return await interaction.client.services.store.get_guild_settings(1)\n"
    )
    assert store_or_settings_use(tree) == ["line 3: .store", "import bot.store"]


def test_cogs_do_not_touch_the_store_or_settings():
    """Cogs call services only: no `services.store`, no `.settings`, no bot.store imports."""
    offenders = {
        path: uses
        for path, tree in sources().items()
        if is_cog(path) and (uses := store_or_settings_use(tree))
    }
    assert offenders == {}


def test_the_webhook_endpoint_does_not_touch_the_store():
    """bot/webhooks.py hands deliveries to the watcher's service (WatchService.receive_delivery
    remembers them): no `.store`, no bot.store import."""
    assert store_or_settings_use(sources()["bot/webhooks.py"]) == []


def store_methods() -> dict[str, str]:
    """Public methods of the store's parts (bot/store/ less its private modules such as the
    connection layer `_database.py`), each with its module."""
    methods = {}
    for path, tree in sources().items():
        if not path.startswith("bot/store/") or path.rpartition("/")[2].startswith("_"):
            continue
        for node in tree.body:
            if isinstance(node, ast.ClassDef):
                methods.update(
                    {
                        item.name: path
                        for item in node.body
                        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                        and not item.name.startswith("_")
                    }
                )
    return methods


def test_every_store_method_serves_the_bot():
    """A public store method is called from bot/ or cogs/ outside the store: what only tests
    need they read through services or `tests/peek.py`, not through a method the bot carries."""
    used = {
        node.attr
        for path, tree in sources().items()
        if not path.startswith("bot/store/")
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
    }
    methods = store_methods()
    assert "add_draft" in methods, "the scan is broken"
    assert {name: path for name, path in methods.items() if name not in used} == {}


def test_services_and_workers_do_not_import_the_store():
    """Services and workers get the store's parts, typed by the Protocols of
    bot/services/store_ports.py; only the composition (bot/app.py, bot/__main__.py), the
    operator's commands (bot/ops) and the store itself import bot.store."""
    offenders = {
        path
        for path in importers("bot.store")
        if path.startswith(("bot/services/", "bot/workers/", "bot/client/", "cogs/"))
    }
    assert "bot/app.py" in importers("bot.store"), "the scan is broken"
    assert offenders == set()


def test_services_hold_no_store_or_settings():
    """`Services` (bot/app.py) holds the services and their loops, not the store or the
    configuration: what a service needs of them it was given when it was built."""
    (services,) = [
        node
        for node in sources()["bot/app.py"].body
        if isinstance(node, ast.ClassDef) and node.name == "Services"
    ]
    fields = {
        node.target.id
        for node in services.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }
    assert "drafts" in fields, "the scan is broken"
    assert fields & {"store", "settings"} == set()


def second_wiring(tree: ast.Module) -> list[str]:
    """Calls that wire something after it was built: `x.set_…(…)` and `x.attach(…)`."""
    return sorted(
        f"line {node.lineno}: .{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and (node.func.attr.startswith("set_") or node.func.attr == "attach")
    )


def test_a_second_wiring_phase_is_seen():
    """`bot.attach(services)` and `service.set_wake_worker(worker.wake)` count."""
    tree = ast.parse("bot.attach(services)\npublishing.set_wake_worker(worker.wake)\n")
    assert second_wiring(tree) == ["line 1: .attach()", "line 2: .set_wake_worker()"]


def test_composition_happens_in_one_pass():
    """The composition root and Services.build give each part all it needs when they build
    it (a Wake made first goes to a service and its loop; the client takes the function that
    builds its services): nothing is attached or set afterwards."""
    offenders = {
        path: calls
        for path in (COMPOSITION_ROOT, "bot/app.py")
        if (calls := second_wiring(sources()[path]))
    }
    assert offenders == {}


def test_services_and_workers_call_store_parts_by_name():
    """A service or worker keeps each store part under the part's name (`self._jobs`,
    `self._settings`), never as a whole `self._store`: a call left on `self._store` after the
    store became parts fails here rather than at run time."""
    offenders = {
        path: lines
        for path, tree in sources().items()
        if path.startswith(("bot/services/", "bot/workers/"))
        if (
            lines := sorted(
                node.lineno
                for node in ast.walk(tree)
                if isinstance(node, ast.Attribute) and node.attr == "_store"
            )
        )
    }
    assert offenders == {}
