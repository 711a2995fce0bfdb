"""Point an unmodified discord.py at the fake Discord (tests/fakes/discord_server.py).

Put this directory on the PYTHONPATH of the bot subprocess and set:

- `FAKE_DISCORD_API`: e.g. `http://127.0.0.1:PORT/api/v10`, becomes `discord.http.Route.BASE`;
- `FAKE_DISCORD_GATEWAY` (optional): e.g. `ws://127.0.0.1:PORT/gateway`, becomes
  `discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY` (discord.py 2.x's plain `Client` connects
  there without asking `GET /gateway/bot`); defaults to `/gateway` on the API's host.

With `FAKE_DISCORD_API` unset this module does nothing (beyond running any other
`sitecustomize` it shadows). discord.py is patched lazily, right after `discord.http` and
`discord.gateway` are first imported, so processes that never import discord are unaffected.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from typing import Any
from urllib.parse import urlsplit

_TARGETS = ("discord.http", "discord.gateway")


def _chain_shadowed_sitecustomize() -> None:
    """Run the `sitecustomize` this one hides (e.g. a distribution's), if there is one."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is None or spec.loader is None or spec.origin == os.path.abspath(__file__):
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)


def _urls() -> tuple[str, str] | None:
    api = os.environ.get("FAKE_DISCORD_API", "").strip().rstrip("/")
    if not api:
        return None
    gateway = os.environ.get("FAKE_DISCORD_GATEWAY", "").strip()
    if not gateway:
        parts = urlsplit(api)
        scheme = "wss" if parts.scheme == "https" else "ws"
        gateway = f"{scheme}://{parts.netloc}/gateway"
    return api, gateway


def _patch(module: Any, api: str, gateway: str) -> None:
    if module.__name__ == "discord.http":
        module.Route.BASE = api
    elif module.__name__ == "discord.gateway":
        import yarl

        module.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)


class _PatchingLoader(importlib.abc.Loader):
    """Runs the real loader, then patches the module."""

    def __init__(self, original: Any, api: str, gateway: str) -> None:
        self._original, self._api, self._gateway = original, api, gateway

    def create_module(self, spec: Any) -> Any:
        return self._original.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._original.exec_module(module)
        _patch(module, self._api, self._gateway)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


class _PatchAfterImport(importlib.abc.MetaPathFinder):
    """Wraps the loaders of `discord.http`/`discord.gateway` to patch them once executed."""

    def __init__(self, api: str, gateway: str) -> None:
        self.api, self.gateway = api, gateway

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname not in _TARGETS:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _PatchingLoader(spec.loader, self.api, self.gateway)
                return spec
        return None


def _install() -> None:
    urls = _urls()
    if urls is None:
        return
    api, gateway = urls
    for name in _TARGETS:
        if name in sys.modules:
            _patch(sys.modules[name], api, gateway)
    sys.meta_path.insert(0, _PatchAfterImport(api, gateway))


_chain_shadowed_sitecustomize()
_install()
