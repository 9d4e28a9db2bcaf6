"""How documents are named in the report: headlines first, ids second, urls only when safe."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

HEADLINE_MAX = 90
_NON_SPACE = re.compile(r"\S")  # str.isspace, as str.strip and str.split read it
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")  # where str.splitlines splits


def shorten(s: str, n: int) -> str:
    """``s`` on one line, cut at a word boundary to at most ``n`` characters (with "…")."""
    s = _collapsed_prefix(s, n)
    if len(s) <= n:
        return s
    cut = s[: n - 1]
    space = cut.rfind(" ")
    if space > n // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def _collapsed_prefix(s: str, n: int) -> str:
    """``" ".join(s.split())``, or a prefix of it longer than ``n`` (all :func:`shorten` reads).

    Collapsing a prefix of ``s`` gives a prefix of the collapsed whole (a word cut
    at the end is a prefix of the word), so a long text is not collapsed whole to
    name it by its first line.
    """
    k = 2 * n + 16
    while True:
        out = " ".join(s[:k].split())
        if len(out) > n or k >= len(s):
            return out
        k *= 4


def headline(title: str | None, text: str, fallback: str, n: int = HEADLINE_MAX) -> str:
    """The document's title, else the first non-empty line of its text, else ``fallback`` (its id)."""
    if title and title.strip():
        return shorten(title, n)
    first = _NON_SPACE.search(text)  # it opens the first non-empty line (what precedes it is blank)
    if first is None:
        return fallback
    start = first.start()
    window = start + 8 * n + 64  # the line's end is looked for this far first: shorten reads a prefix
    end = _LINE_BREAK.search(text, start, window)
    if end is None:
        head = text[start:window]  # all of the line, or a prefix of it
        if window >= len(text) or len(_collapsed_prefix(head, n)) > n:
            return shorten(head, n)  # the line, or a prefix long enough to name it by (_collapsed_prefix)
        end = _LINE_BREAK.search(text, window)
    return shorten(text[start : end.start() if end is not None else len(text)], n)


def wrap(s: str, width: int, lines: int) -> list[str]:
    """``s`` in at most ``lines`` lines of at most ``width`` characters (the last one cut with "…")."""
    out: list[str] = []
    cur = ""
    words = s.split()
    for i, w in enumerate(words):
        if len(w) > width:
            w = w[: width - 1] + "…"
        if not cur:
            cur = w
        elif len(cur) + 1 + len(w) <= width:
            cur += " " + w
        else:
            out.append(cur)
            cur = w
            if len(out) == lines - 1:
                rest = " ".join([w, *words[i + 1 :]])
                out.append(shorten(rest, width))
                return out
    if cur:
        out.append(cur)
    return out


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) url with a host, else None (never ``javascript:`` and the like)."""
    if not url:
        return None
    url = url.strip()
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def pct(x: float) -> str:
    """A share as a whole percentage ("<1 %" for small non-zero shares)."""
    v = max(0.0, float(x)) * 100
    if 0 < v < 1:
        return "<1 %"
    return f"{v:.0f} %"
