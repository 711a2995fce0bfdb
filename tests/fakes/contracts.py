"""Check requests that fakes receive against the services' official OpenAPI descriptions.

The descriptions in `tests/fakes/specs/` are the published ones (GitHub: OpenAPI 3.0.3 from
github/rest-api-description; Discord: OpenAPI 3.1 from discord/discord-api-spec). Validation is
done by `openapi-core`; this module only adapts raw HTTP pieces to its request protocol and turns
its exceptions into readable strings.

Deliberate leniencies (things the real services accept that a literal reading would reject):

* Header names are matched case-insensitively (werkzeug `Headers`), as HTTP requires.
* A body without a `Content-Type` is read as JSON (GitHub parses such bodies as JSON).
* `multipart/form-data` bodies: the `payload_json` part is validated as the JSON body when the
  operation also accepts `application/json` (that is how discord.py sends attachments); otherwise
  the body is not validated, but path, method, parameters and auth still are.
* Path parameters that GitHub documents as slash-containing (`{path}` of the contents API,
  `{ref}`, `{branch}`, `{basehead}`) may span several segments; openapi-core's path templating
  would otherwise report such requests as unknown paths.
* The description documents themselves are not re-validated on load (`spec_validator_cls=None`):
  they are the services' own published files, and validating 1 MB+ documents is slow.

Security requirements are validated as openapi-core does it (presence of the `Authorization`
header for Discord's `BotToken` api-key scheme; GitHub's description declares none). OAuth2 /
OpenID schemes are checked for the presence of an `Authorization` header, because openapi-core
only warns ("Unsupported scheme type") for them and accepts anything.
"""

from __future__ import annotations

import email.parser
import email.policy
import functools
import json
import pathlib
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.security.exceptions import SecurityProviderError
from openapi_core.security.factories import SecurityProviderFactory
from openapi_core.security.providers import BaseProvider
from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.validation.request.exceptions import MissingRequestBodyError
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPECS_DIR = pathlib.Path(__file__).parent / "specs"
_SPEC_FILES = {"github": "github-rest-openapi.json", "discord": "discord-openapi.json"}
# Path parameters that the GitHub API lets span several path segments.
_SLASHY_PARAMS = frozenset({"path", "ref", "branch", "basehead"})
_MAX_MESSAGE = 300


def spec_path(name: str) -> pathlib.Path:
    """Path of a bundled description: `"github"` or `"discord"`."""
    try:
        return SPECS_DIR / _SPEC_FILES[name]
    except KeyError:
        raise ValueError(f"unknown spec {name!r}; known: {sorted(_SPEC_FILES)}") from None


class _AuthorizationHeaderProvider(BaseProvider):
    """OAuth2/OpenID: openapi-core has no provider and accepts anything; require the header."""

    def __call__(self, parameters: Any) -> Any:
        if "Authorization" not in parameters.header:
            raise SecurityProviderError("Missing authorization header.")
        return parameters.header["Authorization"]


class _SecurityProviderFactory(SecurityProviderFactory):
    PROVIDERS: ClassVar[dict[str, type[BaseProvider]]] = {
        **SecurityProviderFactory.PROVIDERS,
        "oauth2": _AuthorizationHeaderProvider,
        "openIdConnect": _AuthorizationHeaderProvider,
    }


@dataclass
class _Request:
    """Minimal implementation of `openapi_core.protocols.Request` (+ `SupportsPathPattern`)."""

    host_url: str
    path: str
    method: str
    body: bytes | None
    content_type: str
    parameters: Any
    path_pattern: str | None = None


@dataclass(frozen=True)
class _LoadedSpec:
    name: str
    app: OpenAPI
    host_url: str  # scheme://host of the first server
    base_path: str  # path part of the first server URL, e.g. "/api/v10"
    slashy: tuple[tuple[re.Pattern[str], str], ...]  # fallback matchers: (regex, template)
    lock: threading.Lock


# Loaded once per process and spec. Measured here: ~15 ms to read + parse each 1.1 MB JSON and
# build the app (openapi-core resolves lazily; importing openapi_core itself takes ~0.5 s); the
# first check per spec ~8-17 ms, later checks ~2-3 ms for a POST, ~5-8 ms for a GET with many
# query parameters. Validating the documents themselves would add 0.5 s (GitHub) / 10 s (Discord).
@functools.cache
def _load(path: str) -> _LoadedSpec:
    data = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    _relax_snowflakes(data)
    config = Config(
        spec_validator_cls=None,  # type: ignore[arg-type]
        security_provider_factory=_SecurityProviderFactory(),
    )
    app = OpenAPI.from_dict(data, config=config)
    server = urlsplit(data["servers"][0]["url"])
    slashy = []
    for template in data.get("paths", {}):
        last = template.rsplit("/", 1)[-1]
        if last.startswith("{") and last.endswith("}") and last[1:-1] in _SLASHY_PARAMS:
            regex = re.sub(r"\\\{([^}]+)\\\}", r"(?P<\1>[^/]+)", re.escape(template[: -len(last)]))
            slashy.append((re.compile(f"^{regex}(?P<{last[1:-1]}>.+)$"), template))
    return _LoadedSpec(
        name=pathlib.Path(path).name,
        app=app,
        host_url=f"{server.scheme}://{server.netloc}",
        base_path=server.path.rstrip("/"),
        slashy=tuple(slashy),
        lock=threading.Lock(),
    )


def _relax_snowflakes(data: dict[str, Any]) -> None:
    """Discord: accept snowflakes as JSON integers too, as the API does and discord.py sends them
    (e.g. `attachments[].id`, `message_reference.message_id`); the description says string-only."""
    schemas = data.get("components", {}).get("schemas", {})
    snowflake = schemas.get("SnowflakeType")
    if snowflake and snowflake.get("type") == "string":
        schemas["SnowflakeType"] = {
            "anyOf": [dict(snowflake), {"type": "integer", "minimum": 0}],
            "format": "snowflake",
        }


def _multipart_payload_json(content_type: str, body: bytes) -> bytes | None:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return None
    for part in message.iter_parts():  # type: ignore[attr-defined]
        if part.get_param("name", header="content-disposition") == "payload_json":
            return part.get_payload(decode=True)
    return None


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _describe(exc: Exception) -> Iterator[str]:
    cause = exc.__cause__
    schema_errors = getattr(cause, "schema_errors", None)
    if isinstance(exc, MissingRequestBodyError) or cause is None:
        yield _short(str(exc))
    elif schema_errors:
        prefix = "request body" if "body" in type(exc).__name__.lower() else str(exc)
        for err in schema_errors:
            yield _short(f"{prefix}: {err.json_path}: {err.message}")
    else:
        text, detail = str(exc), str(cause)
        yield _short(text if detail in text else f"{text}: {detail}")


class ContractChecker:
    """Validates raw requests against one OpenAPI description.

    `path_prefix` (e.g. `"/api/v10"` for Discord) is stripped from incoming paths before they
    are matched against the description's paths, which are relative to its first server URL.
    """

    def __init__(self, spec_path: pathlib.Path, path_prefix: str = "") -> None:
        self._spec = _load(str(pathlib.Path(spec_path).resolve()))
        self._prefix = path_prefix.rstrip("/")

    def check(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes | None,
    ) -> list[str]:
        """Return human-readable violations (empty list = valid). Unknown path/method is one.

        `path` may be percent-encoded (preferred: `request.rel_url.raw_path`) or decoded;
        `query` is the raw query string without `?`.
        """
        if "?" in path and not query:
            path, _, query = path.partition("?")
        if self._prefix and (path == self._prefix or path.startswith(self._prefix + "/")):
            path = path[len(self._prefix) :] or "/"
        spec = self._spec
        header_map = Headers(list(headers.items()))
        content_type = (header_map.get("Content-Type") or "").lower()
        if body and not content_type:
            content_type = "application/json"
        skip_body = False
        multipart = content_type.startswith("multipart/form-data")
        if multipart:
            payload = _multipart_payload_json(content_type, body or b"")
            if payload is None:
                body, skip_body = None, True
            else:
                body, content_type = payload, "application/json"

        def make(pattern: str | None = None, variables: Mapping[str, str] | None = None) -> Any:
            return _Request(
                host_url=spec.host_url,
                path=spec.base_path + path,
                method=method.lower(),
                body=body or None,
                content_type=content_type,
                parameters=RequestParameters(
                    query=ImmutableMultiDict(parse_qsl(query or "", keep_blank_values=True)),
                    header=header_map,
                    path=dict(variables or {}),
                ),
                path_pattern=spec.base_path + pattern if pattern else None,
            )

        with spec.lock:
            errors = list(spec.app.request_validator.iter_errors(make()))
            if errors and isinstance(errors[0], PathNotFound):
                for regex, template in spec.slashy:
                    match = regex.match(path)
                    if match:
                        errors = list(
                            spec.app.request_validator.iter_errors(
                                make(template, match.groupdict())
                            )
                        )
                        break
        out: list[str] = []
        for exc in errors:
            if isinstance(exc, OperationNotFound):
                out.append(f"{method.upper()} not documented for {path} in {spec.name}")
                continue
            if isinstance(exc, PathNotFound):
                out.append(f"path {path} not documented in {spec.name}")
                continue
            if skip_body and isinstance(exc, MissingRequestBodyError):
                continue
            if multipart and isinstance(exc.__cause__, MediaTypeNotFound):
                continue  # payload_json, but the operation takes no JSON body: skip the body
            out.extend(_describe(exc))
        return out
