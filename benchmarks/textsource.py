"""Real source text for the rewrite and lineage benchmarks (offline, shipped in ``benchmarks/data``).

The labelled set is built from real prose that is *not* the seed articles, so
the detector is never measured on the text it was tuned on.  The shipped files
``benchmarks/data/handbook_{it,en}.jsonl`` hold articles cut from *The Debian
Administrator's Handbook* (Debian package ``debian-handbook``, GPL-2.0+ or
CC-BY-SA-3.0); ``benchmarks/data/extract.py`` reproduces them from the package
and ``benchmarks/data/README.md`` documents source, version, licence and the
extraction procedure.

Each line of a data file is one :class:`SourceArticle`: 300-800 words of
consecutive paragraphs of one section of the book, already split into
sentences by :func:`split_sentences`.  ``topic`` is the section (one HTML file
of the book): two articles with the same topic are two different passages about
the same subject -- they share vocabulary but not text, which is what the
benchmarks use as *same-story hard negatives*.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
LANGUAGES: tuple[str, ...] = ("it", "en")

# Short forms after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    "ecc etc es cfr vs ad e.g i.e eg ie mr mrs ms dr sig dott prof n nr no vol pag pp fig ca approx inc ltd".split()
)
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s+[\"“«‘(\[]?[A-ZÀ-ÖØ-Þ0-9])")


@dataclass(frozen=True)
class SourceArticle:
    """One real article: paragraphs of sentences (plain text, no markup)."""

    id: str
    language: str
    topic: str  # the book section it comes from; same topic = same "story"
    title: str
    origin: str  # package, version and file it was extracted from
    paragraphs: tuple[tuple[str, ...], ...]

    @property
    def sentences(self) -> list[str]:
        return [s for p in self.paragraphs for s in p]

    @property
    def n_words(self) -> int:
        return sum(len(s.split()) for s in self.sentences)

    @property
    def text(self) -> str:
        """Title line, then one paragraph per line (sentences joined by a space)."""
        return "\n".join([self.title, *(" ".join(p) for p in self.paragraphs)])


def split_sentences(text: str) -> list[str]:
    """Split one paragraph into sentences.

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` (plus closing quotes or
    brackets) followed by whitespace and an upper-case letter, a digit or an
    opening quote/bracket -- unless the stop closes an abbreviation (a single
    capital letter, a dotted short form such as "e.g." or a word in a small
    list of Italian and English short forms).  Whitespace is collapsed.
    """
    text = " ".join(text.split())
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        head = text[start : m.end()]
        last = head.rsplit(" ", 1)[-1].rstrip(".!?…\"'”’»)]").casefold()
        if m.group().startswith(".") and (len(last) <= 1 or last in _ABBREVIATIONS):
            continue
        out.append(head.strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return [s for s in out if s]


def _parse(line: str) -> SourceArticle:
    raw = json.loads(line)
    return SourceArticle(
        id=str(raw["id"]),
        language=str(raw["language"]),
        topic=str(raw["topic"]),
        title=str(raw["title"]),
        origin=str(raw["origin"]),
        paragraphs=tuple(tuple(str(s) for s in p) for p in raw["paragraphs"]),
    )


def article_to_json(article: SourceArticle) -> str:
    """One JSONL line for ``article`` (the inverse of the loader)."""
    return json.dumps(
        {
            "id": article.id,
            "language": article.language,
            "topic": article.topic,
            "title": article.title,
            "origin": article.origin,
            "paragraphs": [list(p) for p in article.paragraphs],
        },
        ensure_ascii=False,
    )


@cache
def load_articles(language: str, data_dir: Path = DATA_DIR) -> tuple[SourceArticle, ...]:
    """The shipped articles of ``language`` ("it" or "en"), in file order."""
    path = data_dir / f"handbook_{language}.jsonl"
    if not path.exists():
        raise FileNotFoundError(f"no source text for language {language!r}: {path} is missing")
    with path.open(encoding="utf-8") as fh:
        return tuple(_parse(line) for line in fh if line.strip())


def articles_by_topic(articles: tuple[SourceArticle, ...] | list[SourceArticle]) -> dict[str, list[SourceArticle]]:
    """Group articles by topic, keeping file order inside each topic."""
    out: dict[str, list[SourceArticle]] = {}
    for a in articles:
        out.setdefault(a.topic, []).append(a)
    return out
