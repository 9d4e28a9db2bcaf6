"""How documents are named in the report: headlines first, ids second, urls only when safe."""

from __future__ import annotations

from urllib.parse import urlsplit

HEADLINE_MAX = 90


def shorten(s: str, n: int) -> str:
    """``s`` on one line, cut at a word boundary to at most ``n`` characters (with "…")."""
    s = " ".join(s.split())
    if len(s) <= n:
        return s
    cut = s[: n - 1]
    space = cut.rfind(" ")
    if space > n // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def headline(title: str | None, text: str, fallback: str, n: int = HEADLINE_MAX) -> str:
    """The document's title, else the first non-empty line of its text, else ``fallback`` (its id)."""
    if title and title.strip():
        return shorten(title, n)
    for line in text.splitlines():
        if line.strip():
            return shorten(line, n)
    return fallback


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
