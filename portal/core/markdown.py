"""Staff-written Markdown as safe HTML: the one renderer and sanitiser (Python-Markdown, then nh3).

Raw HTML in the text is stripped, scripts, event handlers and styles never pass, links keep only http,
https and mailto. Pages choose the tags they allow and may move headings down under their own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Set

import markdown
import nh3
from markupsafe import Markup

#: the tags of written analyses, the service standard and the rakor report
ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "h3", "h4", "blockquote", "code",
                          "pre", "table", "thead", "tbody", "tr", "th", "td", "hr", "a"})
ALLOWED_ATTRIBUTES: Mapping[str, Set[str]] = {"a": {"href"}, "th": {"scope"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
EXTENSIONS = ("sane_lists", "tables")


def sanitize_html(html: str, *, tags: Set[str] = ALLOWED_TAGS,
                  attributes: Mapping[str, Set[str]] = ALLOWED_ATTRIBUTES, link_rel: str | None = None) -> Markup:
    """HTML reduced to ``tags`` and ``attributes`` (nh3)."""
    clean = nh3.clean(html or "", tags=set(tags), attributes={k: set(v) for k, v in attributes.items()},
                      url_schemes=set(URL_SCHEMES), link_rel=link_rel)
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


def _shift(match: re.Match[str]) -> str:
    level = int(match[2])
    return f"<{match[1]}h{min(level + 2 if level == 1 else level + 1, 4)}>"


def markdown_html(text: str | None, *, tags: Set[str] = ALLOWED_TAGS,
                  attributes: Mapping[str, Set[str]] = ALLOWED_ATTRIBUTES, link_rel: str | None = None,
                  shift_headings: bool = False) -> Markup:
    """Markdown → sanitised HTML (empty for blank text). ``shift_headings``: ``#`` → ``<h3>``, ``##`` → ``<h3>``,
    ``###`` → ``<h4>`` … (the text sits under the page's own ``<h2>``)."""
    if not text or not text.strip():
        return Markup("")
    html = markdown.markdown(text, extensions=list(EXTENSIONS))
    if shift_headings:
        html = re.sub(r"<(/?)h([1-6])>", _shift, html)
    return sanitize_html(html, tags=tags, attributes=attributes, link_rel=link_rel)
