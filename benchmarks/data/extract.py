"""Reproduce ``handbook_it.jsonl`` and ``handbook_en.jsonl`` from the Debian package ``debian-handbook``.

Usage (the package's docs may be excluded from installation in containers, so
unpack the .deb instead of installing it)::

    apt-get download debian-handbook            # debian-handbook_11.20220922_all.deb (bookworm)
    dpkg-deb -x debian-handbook_*_all.deb /tmp/dh
    python benchmarks/data/extract.py --root /tmp/dh

Procedure, per language (it-IT, en-US HTML of the book):

1. the book's files are read in reading order (``index.html`` then the
   "next" links); a file whose name does not start with ``sect.`` opens a
   chapter, which is the *topic* of the files up to the next chapter.  The
   text of a file (a *section*) is the sequence of ``<div class="para">``
   blocks that are not inside a sidebar, list, table, example, figure, note or
   code block;
2. a paragraph is kept when it has 25-250 words, ends with ``.`` or ``:``, is in
   the target language (the Italian translation leaves some paragraphs in
   English: a paragraph is Italian when it has more Italian than English
   function words, and vice versa, by a margin of 3) and looks like prose
   (under 8% of its tokens contain ``/ _ = < > { } $`` or start with ``-``);
3. consecutive kept paragraphs of one section are grouped greedily into
   articles: a group is closed once it reaches 450 words, or before a
   paragraph that would take it past 800 words; groups under 300 words are
   dropped (so every article has 300-800 words);
4. paragraphs are split into sentences with
   :func:`benchmarks.textsource.split_sentences`;
5. chapters are taken in reading order, at most ``--per-topic`` articles
   each (spread over its sections: round-robin, first article of each
   section first), and only chapters with at least 2 articles (so every
   story has a same-topic hard negative), until ``--max-articles`` articles
   per language.
"""

from __future__ import annotations

import argparse
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from benchmarks.textsource import SourceArticle, article_to_json, split_sentences  # noqa: E402

PACKAGE = "debian-handbook 11.20220922 (Debian bookworm)"
HTML_DIR = "usr/share/doc/debian-handbook/html"
LOCALES = {"it": "it-IT", "en": "en-US"}
SKIP_CONTAINERS: tuple[str, ...] = ("sidebar", "listitem", "itemizedlist", "orderedlist", "table", "example", "figure")
SKIP_CONTAINERS += ("note", "variablelist", "warning", "important", "tip", "caution", "screen", "programlisting")

_IT = frozenset("il lo la gli le di del della dei delle che è per con non una uno un sono nel nella si più".split())
_EN = frozenset("the of and to is are that for with this it be by which from can an on not as".split())
_CODE = re.compile(r"[/_=<>{}$]|^-")
_NEXT = re.compile(r'<li class="next"><a accesskey="n" href="([^"#]+)"')


class _SectionParser(HTMLParser):
    """Collects the title and the prose paragraphs of one book section."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []  # (tag, class) of open elements
        self.title = ""
        self.paragraphs: list[str] = []
        self._buf: list[str] | None = None
        self._para_depth = -1
        self._title_buf: list[str] | None = None

    def _skipped(self) -> bool:
        return any(tag == "pre" or any(c in cls.split() for c in SKIP_CONTAINERS) for tag, cls in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "img", "hr", "meta", "link", "input"}:
            return
        cls = dict(attrs).get("class") or ""
        if tag == "h2" and not self.title:
            self._title_buf = []
        if tag == "div" and cls == "para" and self._buf is None and not self._skipped():
            self._buf = []
            self._para_depth = len(self.stack)
        self.stack.append((tag, cls))
        if self._buf is not None and (tag == "pre" or any(c in cls.split() for c in SKIP_CONTAINERS)):
            self._buf.append(" \x00 ")  # code or a list inside the paragraph: mark it, drop the paragraph

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break
        if tag == "h2" and self._title_buf is not None:
            self.title = " ".join("".join(self._title_buf).split())
            self._title_buf = None
        if self._buf is not None and len(self.stack) <= self._para_depth:
            self.paragraphs.append(" ".join("".join(self._buf).split()))
            self._buf = None

    def handle_data(self, data: str) -> None:
        if self._title_buf is not None:
            self._title_buf.append(data)
        if self._buf is not None:
            self._buf.append(data)


def language_of(text: str) -> str | None:
    words = re.findall(r"[^\W\d_]+", text.casefold())
    it = sum(w in _IT for w in words)
    en = sum(w in _EN for w in words)
    if it >= en + 3:
        return "it"
    if en >= it + 3:
        return "en"
    return None


def is_prose(paragraph: str, language: str) -> bool:
    tokens = paragraph.split()
    if "\x00" in paragraph or not 25 <= len(tokens) <= 250 or not paragraph.endswith((".", ":")):
        return False
    if sum(bool(_CODE.search(t)) for t in tokens) > 0.08 * len(tokens):
        return False
    return language_of(paragraph) == language


def clean_title(title: str) -> str:
    return re.sub(r"^[\dA-Z]+(?:\.\d+)*\.\s+", "", title).strip()


def reading_order(html: Path) -> list[tuple[str, str]]:
    """(file name, chapter file stem) of every file, from index.html along the "next" links."""
    out: list[tuple[str, str]] = []
    name: str | None = "index.html"
    chapter = "index"
    seen: set[str] = set()
    while name and name not in seen and (html / name).exists():
        seen.add(name)
        if not name.startswith("sect."):
            chapter = name.removesuffix(".html")
        out.append((name, chapter))
        m = _NEXT.search((html / name).read_text(encoding="utf-8"))
        name = m.group(1) if m else None
    return out


def section_articles(path: Path, language: str, topic: str) -> list[SourceArticle]:
    """The articles of one section file (steps 1-4 of the module procedure)."""
    parser = _SectionParser()
    parser.feed(path.read_text(encoding="utf-8"))
    paragraphs = [p for p in parser.paragraphs if is_prose(p, language)]
    groups: list[list[str]] = []
    current: list[str] = []
    words = 0
    for p in paragraphs:
        n = len(p.split())
        if current and words + n > 800:
            groups.append(current)
            current, words = [], 0
        current.append(p)
        words += n
        if words >= 450:
            groups.append(current)
            current, words = [], 0
    if current:
        groups.append(current)
    section = path.stem.removeprefix("sect.")
    out = []
    for k, g in enumerate(x for x in groups if sum(len(p.split()) for p in x) >= 300):
        out.append(
            SourceArticle(
                id=f"{language}-{section}-{k}",
                language=language,
                topic=topic,
                title=clean_title(parser.title),
                origin=f"{PACKAGE}: {HTML_DIR}/{LOCALES[language]}/{path.name}",
                paragraphs=tuple(tuple(split_sentences(p)) for p in g),
            )
        )
    return out


def extract(root: Path, language: str, max_articles: int, per_topic: int = 4) -> list[SourceArticle]:
    """Articles of ``language`` (step 5 of the module procedure)."""
    html = root / HTML_DIR / LOCALES[language]
    order = reading_order(html)
    if len(order) < 2:
        raise SystemExit(f"no book under {html}: unpack debian-handbook there first (see --help)")
    chapters: dict[str, list[list[SourceArticle]]] = {}
    for name, chapter in order:
        if name != "index.html":
            chapters.setdefault(chapter, []).append(section_articles(html / name, language, chapter))
    out: list[SourceArticle] = []
    for sections in chapters.values():
        picked: list[SourceArticle] = []
        for rank in range(max((len(s) for s in sections), default=0)):
            picked.extend(s[rank] for s in sections if rank < len(s))
        picked = picked[:per_topic]
        if len(picked) >= 2:
            out.extend(picked)
    return out[:max_articles]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", type=Path, default=Path("/"), help="where debian-handbook is unpacked (default /)")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent)
    ap.add_argument("--max-articles", type=int, default=48)
    ap.add_argument("--per-topic", type=int, default=4)
    args = ap.parse_args(argv)
    for language in LOCALES:
        arts = extract(args.root, language, args.max_articles, args.per_topic)
        path = args.out / f"handbook_{language}.jsonl"
        path.write_text("".join(article_to_json(a) + "\n" for a in arts), encoding="utf-8")
        topics = len({a.topic for a in arts})
        words = sum(a.n_words for a in arts)
        print(f"{path}: {len(arts)} articles, {topics} topics, {words} words")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
