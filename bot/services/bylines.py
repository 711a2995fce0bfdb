"""The byline a server can add under every entry, so a diary shared by several members shows who
wrote each one (every issue is created by the same GitHub token)."""

from __future__ import annotations

from bot.limits import clean_text, cut

BYLINE_NAME = "{display_name}"  # the one placeholder of a byline template
BYLINE_TEMPLATE = 100  # characters of the template
BYLINE_DISPLAY_NAME = 64  # characters of the name put in (Discord allows 32)
# Markdown's backslash escapes: every ASCII punctuation character may be escaped.
_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def plain_markdown(text: str) -> str:
    """`text` shown literally by GitHub: no emphasis, links, HTML, @mentions or #references."""
    return "".join("\\" + char if char in _PUNCTUATION else char for char in text)


def render_byline(template: str, display_name: str) -> str:
    """The template with the member's display name, which GitHub shows as typed."""
    name = cut(" ".join(clean_text(display_name).split()), BYLINE_DISPLAY_NAME)
    return template.replace(BYLINE_NAME, plain_markdown(name))
