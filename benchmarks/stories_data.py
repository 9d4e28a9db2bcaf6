"""Hand-written story families: loading, the tuning/evaluation split and the ground truth.

Format (``benchmarks/data/stories/README.md``): one directory per story with
``articles.jsonl``, ``absent.jsonl`` (optional), ``facts.md`` and
``truth.json``.  The truth gives each article's ``role`` and ``parents`` and a
``paragraph_map``: rows ``{child, child_par, parent, parent_par}`` saying that
paragraph ``child_par`` of ``child`` renders paragraph ``parent_par`` of its
direct parent (blocks separated by a blank line, the headline being block 0).

:func:`origins` traces every paragraph up to the story's root (the source, or
the absent original): the set of root paragraphs it renders.  Two paragraphs
render the same original text when their origin sets meet; two articles are a
*reuse pair* when any of their paragraphs do.  Independent articles and new
material have no origin.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

STORIES_DIR = Path(__file__).resolve().parent / "data" / "stories"
SPLIT_FILE = STORIES_DIR / "split.json"

Origin = tuple[str, int]  # (root article id, paragraph index)


@dataclass(frozen=True)
class Article:
    """One article of a story, ids prefixed with the story name (``a1-e7cbb13e``) so stories never collide."""

    id: str
    story: str
    text: str
    outlet: str | None
    published: str | None
    language: str
    role: str
    parents: tuple[str, ...]
    strength: str | None
    credits: tuple[str, ...]
    absent: bool = False

    def blocks(self) -> list[tuple[int, int]]:
        """Character spans of the blocks (headline, paragraphs) separated by blank lines."""
        spans = []
        pos = 0
        for part in self.text.split("\n\n"):
            spans.append((pos, pos + len(part)))
            pos += len(part) + 2
        return spans


@dataclass
class Story:
    name: str
    articles: dict[str, Article]
    paragraph_map: list[tuple[str, int, str, int]]  # (child, child_par, parent, parent_par), ids prefixed
    _origins: dict[str, list[frozenset[Origin]]] = field(default_factory=dict, repr=False)

    @property
    def present(self) -> list[Article]:
        return [a for a in self.articles.values() if not a.absent]

    def origins(self, article_id: str) -> list[frozenset[Origin]]:
        """Per block of ``article_id``: the root paragraphs it renders (empty for new material)."""
        if article_id in self._origins:
            return self._origins[article_id]
        art = self.articles[article_id]
        n = len(art.blocks())
        if not art.parents:
            out = [frozenset({(article_id, k)}) if art.role in {"source", "absent"} else frozenset() for k in range(n)]
        else:
            acc: list[set[Origin]] = [set() for _ in range(n)]
            for child, cpar, parent, ppar in self.paragraph_map:
                if child == article_id:
                    acc[cpar] |= self.origins(parent)[ppar]
            out = [frozenset(s) for s in acc]
        self._origins[article_id] = out
        return out

    def article_origins(self, article_id: str) -> frozenset[Origin]:
        return frozenset().union(*self.origins(article_id)) if self.articles[article_id].text else frozenset()

    def ancestors(self, article_id: str) -> set[str]:
        out: set[str] = set()
        todo = list(self.articles[article_id].parents)
        while todo:
            p = todo.pop()
            if p not in out:
                out.add(p)
                todo.extend(self.articles[p].parents)
        return out


def _read_jsonl(path: Path) -> list[dict[str, object]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_story(directory: Path) -> Story:
    """Read one story directory; ids are prefixed with the directory name."""
    name = directory.name
    truth = json.loads((directory / "truth.json").read_text(encoding="utf-8"))
    meta = truth["articles"]

    def pid(i: str) -> str:
        return f"{name}-{i}"

    articles: dict[str, Article] = {}
    files = ((False, directory / "articles.jsonl"), (True, directory / "absent.jsonl"))
    for absent, rows in ((flag, _read_jsonl(path)) for flag, path in files):
        for row in rows:
            rid = str(row["id"])
            m = meta[rid]
            articles[pid(rid)] = Article(
                id=pid(rid),
                story=name,
                text=str(row["text"]),
                outlet=str(row["outlet"]) if row.get("outlet") else None,
                published=str(row["published"]) if row.get("published") else None,
                language=str(row.get("language") or ""),
                role=str(m["role"]),
                parents=tuple(pid(p) for p in m.get("parents") or []),
                strength=m.get("strength"),
                credits=tuple(m.get("credits") or []),
                absent=absent,
            )
    missing = set(map(pid, meta)) - set(articles)
    for rid in missing:  # an absent original listed in the truth without its text
        m = meta[rid.split("-", 1)[1]]
        articles[rid] = Article(rid, name, "", None, None, "", str(m["role"]), (), None, (), absent=True)
    pmap = [
        (pid(r["child"]), int(r["child_par"]), pid(r["parent"]), int(r["parent_par"])) for r in truth["paragraph_map"]
    ]
    return Story(name, articles, pmap)


def load_stories(directory: Path = STORIES_DIR, names: Iterable[str] | None = None) -> list[Story]:
    wanted = set(names) if names is not None else None
    out = []
    for d in sorted(p for p in directory.iterdir() if p.is_dir() and (p / "truth.json").exists()):
        if wanted is None or d.name in wanted:
            out.append(load_story(d))
    return out


def load_split(path: Path = SPLIT_FILE) -> dict[str, list[str]]:
    """``{"tune": [...], "eval": [...]}``: tune on the first half only, report on the second."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {"tune": list(data["tune"]), "eval": list(data["eval"])}


def reuse_truth(story: Story) -> set[tuple[str, str]]:
    """Pairs (sorted ids) of present articles that render at least one common root paragraph."""
    arts = sorted(a.id for a in story.present)
    orig = {a: story.article_origins(a) for a in arts}
    return {(a, b) for i, a in enumerate(arts) for b in arts[i + 1 :] if orig[a] & orig[b]}


def pair_category(story: Story, a: str, b: str) -> str:
    """How two related articles are related: the child's role for a direct copy, else chain/collateral."""
    for x, y in ((a, b), (b, a)):
        if y in story.articles[x].parents:
            return story.articles[x].role
    if a in story.ancestors(b) or b in story.ancestors(a):
        return "chain"
    return "collateral"


def pair_strength(story: Story, a: str, b: str) -> str:
    for x, y in ((a, b), (b, a)):
        if y in story.articles[x].parents:
            return story.articles[x].strength or "n/a"
    return "indirect"
