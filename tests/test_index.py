"""The incremental index (`provenance index add|query|stats`): idempotent adds, queries that agree with
`provenance cluster`, errors, an add killed mid-run, and a reader querying while a writer adds."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from provenance.cli import main
from provenance.index.add import add_documents
from provenance.index.features import pack_ints, profile_from_bytes, profile_to_bytes, unpack_ints
from provenance.index.query import query_index
from provenance.index.store import IndexParams, IndexStore
from provenance.load import load_document_file
from provenance.normalize.analyzer import analyzer_for
from provenance.records import Document
from provenance.scoring.align import build_profile

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ROOT = SEEDS.parent
REWRITE_PAIR = ("001_1d2643d162fb0798", "002_5610e9206eb18a66")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _seed_dir(tmp_path: Path, without: tuple[str, ...] = ()) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in sorted(SEEDS.glob("*.txt")):
        if f.stem not in without:
            shutil.copy(f, corpus / f.name)
    return corpus


def _seed(stem: str) -> Path:
    return SEEDS / f"{stem}.txt"


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# --------------------------------------------------------------------------- add


def test_add_then_add_again_changes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "news.db"
    corpus = _seed_dir(tmp_path)
    code, out, _ = run(capsys, "index", "add", str(corpus), "--db", str(db), "-q")
    assert code == 0 and "5 added, 0 replaced, 0 unchanged (5 documents in the index)" in out
    before = _rows(db, "SELECT doc, id, text_hash FROM documents ORDER BY doc")
    postings = _rows(db, "SELECT COUNT(*) FROM postings")
    code, out, _ = run(capsys, "index", "add", str(corpus), "--db", str(db), "-q")
    assert code == 0 and "0 added, 0 replaced, 5 unchanged (5 documents in the index)" in out
    assert _rows(db, "SELECT doc, id, text_hash FROM documents ORDER BY doc") == before
    assert _rows(db, "SELECT COUNT(*) FROM postings") == postings
    # every document has one LSH key per band and the terms it lists in its row
    bands = IndexParams().bands_rows[0]
    assert _rows(db, "SELECT COUNT(*) FROM bands") == [(5 * bands,)]
    posted = sum(len(unpack_ints(t)) for (t,) in _rows(db, "SELECT terms FROM documents"))
    assert postings == [(posted,)]


def test_changed_text_is_an_error_unless_replace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "news.db"
    corpus = _seed_dir(tmp_path)
    assert run(capsys, "index", "add", str(corpus), "--db", str(db), "-q")[0] == 0
    stem = "003_3eb852199a30c901"
    old_terms = _rows(db, f"SELECT terms FROM documents WHERE id = '{stem}'")[0][0]
    edited = corpus / f"{stem}.txt"
    edited.write_text(_seed("000_f8cb5d798c192762").read_text(encoding="utf-8"), encoding="utf-8")
    before = _rows(db, "SELECT id, text_hash FROM documents ORDER BY id")
    code, out, err = run(capsys, "index", "add", str(corpus), "--db", str(db), "-q")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("provenance: error: ")
    assert stem in err and "--replace" in err
    assert _rows(db, "SELECT id, text_hash FROM documents ORDER BY id") == before  # nothing written

    code, out, _ = run(capsys, "index", "add", str(corpus), "--db", str(db), "--replace", "-q")
    assert code == 0 and "0 added, 1 replaced, 4 unchanged (5 documents in the index)" in out
    ((doc, terms),) = _rows(db, f"SELECT doc, terms FROM documents WHERE id = '{stem}'")
    assert terms != old_terms
    # the old keys and postings are gone: the document's rows are exactly its new ones
    assert sorted(t for (t,) in _rows(db, f"SELECT term FROM postings WHERE doc = {doc}")) == unpack_ints(terms)
    assert _rows(db, f"SELECT COUNT(*) FROM bands WHERE doc = {doc}") == [(IndexParams().bands_rows[0],)]
    # its text is now that of 000: the two are exact duplicates
    result = json.loads(
        run(capsys, "index", "query", str(_seed("000_f8cb5d798c192762")), "--db", str(db), "--format", "json")[1]
    )
    assert result["matches"][0]["id"] == stem and result["matches"][0]["relation"] == "near-duplicate"
    assert result["matches"][0]["jaccard"] == 1.0


def test_library_add_reports_counts(tmp_path: Path) -> None:
    docs = [Document(id=f.stem, text=f.read_text(encoding="utf-8"), language="it") for f in sorted(SEEDS.glob("*.txt"))]
    with IndexStore.create_or_open(tmp_path / "x.db") as store:
        first = add_documents(store, docs[:3], batch_size=2)
        second = add_documents(store, docs, batch_size=2)
    assert (first.added, first.unchanged, first.total) == (3, 0, 3)
    assert (second.added, second.unchanged, second.total) == (2, 3, 5)


def test_profiles_survive_storage() -> None:
    doc = load_document_file(_seed(REWRITE_PAIR[0]))
    profile = build_profile(doc, analyzer_for("it"))
    back = profile_from_bytes(profile_to_bytes(profile), doc.id)
    assert back.passages == profile.passages and back.terms == profile.terms and back.anchors == profile.anchors
    assert back.surface == profile.surface and back.text_length == profile.text_length
    assert back.language == profile.language
    assert unpack_ints(pack_ints([-(2**63), 0, 2**63 - 1])) == [-(2**63), 0, 2**63 - 1]


# --------------------------------------------------------------------------- query


def test_query_finds_the_rewrite_as_cluster_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "news.db"
    query = REWRITE_PAIR[1]
    assert run(capsys, "index", "add", str(_seed_dir(tmp_path, without=(query,))), "--db", str(db), "-q")[0] == 0
    code, out, _ = run(capsys, "index", "query", str(_seed(query)), "--db", str(db), "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert result["query"] == query and result["indexed"] == 4
    best = result["matches"][0]
    assert best["id"] == REWRITE_PAIR[0] and best["relation"] == "rewrite"
    assert best["p_value"] < 1e-3 and len(best["alignments"]) >= 2
    assert best["likely_source"] is False  # no publication dates
    assert [m["score"] for m in result["matches"] if m["relation"] == "same-story"] == sorted(
        [m["score"] for m in result["matches"] if m["relation"] == "same-story"], reverse=True
    )
    # every pair of the query is scored exactly as `provenance cluster seeds/` scores it
    code, out, _ = run(capsys, "cluster", str(SEEDS), "--format", "json", "-q")
    cluster = {(p["a"], p["b"]): p for p in json.loads(out)["pairs"] if query in (p["a"], p["b"])}
    assert len(result["matches"]) == len(cluster)
    for m in result["matches"]:
        pair = cluster[tuple(sorted((m["id"], query)))]
        assert m["relation"] == pair["relation"]
        assert m["p_value"] == pair["p_value"] and m["jaccard"] == pair["jaccard"]
        assert m["tfidf_cosine"] == pair["tfidf_cosine"]
        query_is_a = pair["a"] == query
        spans = [(a["query_start"], a["query_end"], a["match_start"], a["match_end"]) for a in m["alignments"]]
        expected = [
            (a["a_start"], a["a_end"], a["b_start"], a["b_end"]) if query_is_a
            else (a["b_start"], a["b_end"], a["a_start"], a["a_end"])
            for a in pair["alignments"]
        ]  # fmt: skip
        assert sorted(spans) == sorted(expected)
    # the table names the rewrite
    code, out, _ = run(capsys, "index", "query", str(_seed(query)), "--db", str(db))
    assert code == 0 and out.startswith(f"query {query} (it)")
    assert any(line.split()[:2] == [REWRITE_PAIR[0], "rewrite"] for line in out.splitlines())


def test_query_finds_a_near_duplicate_and_its_likely_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "news.db"
    corpus = _seed_dir(tmp_path)
    (corpus / "metadata.csv").write_text(
        "id,outlet,published\n003_3eb852199a30c901,Agenzia,2024-10-25T09:00:00+02:00\n", encoding="utf-8"
    )
    assert run(capsys, "index", "add", str(corpus), "--db", str(db), "-q")[0] == 0
    words = _seed("003_3eb852199a30c901").read_text(encoding="utf-8").split(" ")
    rng = random.Random(3)
    for k in rng.sample(range(len(words)), 5):
        words[k] = "modificato"
    for published, expected in (("2024-10-25T11:30:00+02:00", True), ("2024-10-24", False)):
        query = tmp_path / f"copy_{expected}.jsonl"
        record = {"id": "copia", "text": " ".join(words), "outlet": "Blog", "published": published}
        query.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
        code, out, _ = run(capsys, "index", "query", str(query), "--db", str(db), "--format", "json", "--top", "2")
        assert code == 0
        result = json.loads(out)
        assert len(result["matches"]) == 2
        best = result["matches"][0]
        assert best["id"] == "003_3eb852199a30c901" and best["relation"] == "near-duplicate"
        assert best["jaccard"] > 0.5 and "lsh" in best["found_by"]
        assert best["outlet"] == "Agenzia" and best["published"] == "2024-10-25T09:00:00+02:00"
        assert best["likely_source"] is expected
        assert not result["matches"][1]["likely_source"]  # undated


def test_query_of_an_indexed_document_skips_itself(tmp_path: Path) -> None:
    with IndexStore.create_or_open(tmp_path / "news.db") as store:
        add_documents(
            store, [Document(id=f.stem, text=f.read_text(encoding="utf-8")) for f in sorted(SEEDS.glob("*.txt"))]
        )
        result = query_index(store, load_document_file(_seed(REWRITE_PAIR[0])))
    assert REWRITE_PAIR[0] not in [m.id for m in result.matches]
    assert result.matches[0].id == REWRITE_PAIR[1] and result.matches[0].relation == "rewrite"


def test_large_index_weighs_the_query_on_an_even_sample(tmp_path: Path) -> None:
    query = load_document_file(_seed(REWRITE_PAIR[1]))
    others = [load_document_file(f) for f in sorted(SEEDS.glob("*.txt")) if f.stem != query.id]
    with IndexStore.create_or_open(tmp_path / "news.db") as store:
        add_documents(store, others)
        assert store.doc_sample(2) == [1, 4] and store.doc_sample(10) == [1, 2, 3, 4]
        result = query_index(store, query, max_candidates=1, context_size=3)
    assert result.indexed == 4 and result.candidates == 1 and result.context <= 3
    assert [(m.id, m.relation) for m in result.matches] == [(REWRITE_PAIR[0], "rewrite")]


def test_query_of_an_empty_index_has_no_matches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "news.db"
    IndexStore.create_or_open(db).close()
    code, out, _ = run(capsys, "index", "query", str(_seed(REWRITE_PAIR[0])), "--db", str(db), "--format", "json")
    assert code == 0 and json.loads(out)["matches"] == []


# --------------------------------------------------------------------------- stats and errors


def test_stats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "news.db"
    assert run(capsys, "index", "add", str(_seed_dir(tmp_path)), "--db", str(db), "-q")[0] == 0
    code, out, _ = run(capsys, "index", "stats", "--db", str(db), "--format", "json")
    assert code == 0
    stats = json.loads(out)
    assert stats["documents"] == 5 and stats["languages"] == {"it": 5}
    assert stats["size_bytes"] > 0 and stats["schema_version"] == 1
    params = stats["params"]
    assert (params["shingle"], params["threshold"], params["num_perm"], params["seed"]) == ("word:5", 0.5, 128, 1)
    assert (params["bands"], params["rows"]) == IndexParams().bands_rows
    code, out, _ = run(capsys, "index", "stats", "--db", str(db))
    assert code == 0 and "documents" in out and "word:5" in out


@pytest.mark.parametrize("action", ["query", "stats"])
def test_missing_index_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], action: str) -> None:
    extra = [str(_seed(REWRITE_PAIR[0]))] if action == "query" else []
    code, out, err = run(capsys, "index", action, *extra, "--db", str(tmp_path / "none.db"))
    assert code == 1 and out == "" and err.count("\n") == 1
    assert err.startswith("provenance: error: ") and "no such index" in err
    assert not (tmp_path / "none.db").exists()  # reading never creates the file


def test_other_files_and_parameters_are_input_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _seed_dir(tmp_path)
    text_file = tmp_path / "notes.db"
    text_file.write_text("not a database at all\n" * 100, encoding="utf-8")
    other_sqlite = tmp_path / "other.db"
    conn = sqlite3.connect(other_sqlite)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    other_params = tmp_path / "other_params.db"
    IndexStore.create_or_open(other_params, IndexParams(num_perm=64)).close()
    old_schema = tmp_path / "old.db"
    IndexStore.create_or_open(old_schema).close()
    conn = sqlite3.connect(old_schema)
    conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    cases = [
        (text_file, "not a provenance index"),
        (other_sqlite, "not a provenance index"),
        (other_params, "num_perm=64 (expected 128)"),
        (old_schema, "schema version 0"),
        (tmp_path, "directory"),
        (tmp_path / "no" / "dir.db", "no such directory"),
    ]
    for db, message in cases:
        for argv in (["add", str(corpus)], ["query", str(_seed(REWRITE_PAIR[0]))], ["stats"]):
            code, out, err = run(capsys, "index", *argv, "--db", str(db))
            if argv[0] != "add" and db.name == "dir.db":
                message_here = "no such index"
            elif argv[0] != "add" and db == tmp_path:
                message_here = "not a regular file"
            else:
                message_here = message
            assert code == 1, (db, argv, err)
            assert err.count("\n") == 1 and err.startswith("provenance: error: ") and message_here in err, err
            assert "Traceback" not in err


def test_unreadable_query_file_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "news.db"
    IndexStore.create_or_open(db).close()
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    for path in (tmp_path / "missing.txt", binary, tmp_path):
        code, _, err = run(capsys, "index", "query", str(path), "--db", str(db))
        assert code == 1 and err.count("\n") == 1 and err.startswith("provenance: error: ")


@pytest.mark.parametrize(
    "argv",
    [
        ["index"],
        ["index", "add", "x"],
        ["index", "add", "x", "--db", "d", "--batch-size", "0"],
        ["index", "add", "x", "--db", "d", "--batch-size", "ten"],
        ["index", "query", "x", "--db", "d", "--top", "-3"],
        ["index", "query", "x", "--db", "d", "--format", "xml"],
        ["index", "stats", "--db", "d", "--format", "csv"],
        ["index", "remove", "--db", "d"],
    ],
)
def test_invalid_options_are_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and "usage:" in err


# --------------------------------------------------------------------------- interruption and concurrency

_VOCAB = [
    f"{a}{b}{c}"
    for a in ("ba", "ce", "di", "fo", "gu", "la", "me", "ni")
    for b in ("r", "s", "t", "l")
    for c in "aeiou"
]


def _many_documents(path: Path, n: int, seed: int = 5) -> Path:
    """``n`` short documents (JSONL, language declared): ~80 words in sentences, some near-duplicates."""
    rng = random.Random(seed)
    texts: list[str] = []
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            if texts and rng.random() < 0.2:
                words = rng.choice(texts).split(" ")
                words[rng.randrange(len(words))] = "cambiato"
            else:
                words = [rng.choice(_VOCAB) + ("." if rng.random() < 0.08 else "") for _ in range(80)]
                words = [w.capitalize() if k == 0 or words[k - 1].endswith(".") else w for k, w in enumerate(words)]
            texts.append(" ".join(words))
            fh.write(json.dumps({"id": f"d{i:05d}", "text": texts[-1], "language": "it"}) + "\n")
    return path


def _start_add(corpus: Path, db: Path, batch: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "provenance", "index", "add", str(corpus), "--db", str(db), "--batch-size", str(batch)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _count(db: Path) -> int:
    """Documents committed so far (0 while the file or its tables do not exist yet)."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def _wait_for_rows(db: Path, proc: subprocess.Popen[str], timeout: float = 180.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = _count(db)
        if n > 0:
            return n
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    raise AssertionError("no batch committed in time")


@pytest.mark.slow
def test_killed_add_leaves_a_usable_index_and_a_second_add_completes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    total, batch = 1500, 20
    corpus = _many_documents(tmp_path / "many.jsonl", total)
    db = tmp_path / "news.db"
    proc = _start_add(corpus, db, batch)
    _wait_for_rows(db, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    done = _count(db)
    assert 0 < done < total and done % batch == 0  # whole batches only: each is one transaction

    # the interrupted index answers queries (the first document is indexed: it finds its copies or nothing)
    query = tmp_path / "q.jsonl"
    query.write_text(corpus.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    code, out, err = run(capsys, "index", "query", str(query), "--db", str(db), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["indexed"] == done
    assert run(capsys, "index", "stats", "--db", str(db), "--format", "json")[0] == 0

    code, out, err = run(capsys, "index", "add", str(corpus), "--db", str(db), "-q", "--batch-size", "500")
    assert code == 0, err
    assert f"{total - done} added, 0 replaced, {done} unchanged ({total} documents in the index)" in out
    assert _rows(db, "SELECT COUNT(*), COUNT(DISTINCT id) FROM documents") == [(total, total)]
    bands = IndexParams().bands_rows[0]
    assert _rows(db, "SELECT COUNT(*) FROM bands") == [(total * bands,)]
    assert _rows(
        db, "SELECT COUNT(*) FROM (SELECT doc FROM bands GROUP BY doc HAVING COUNT(*) != ?)".replace("?", str(bands))
    ) == [(0,)]
    posted = sum(len(unpack_ints(t)) for (t,) in _rows(db, "SELECT terms FROM documents"))
    assert _rows(db, "SELECT COUNT(*) FROM postings") == [(posted,)]
    assert _rows(db, "PRAGMA integrity_check") == [("ok",)]


@pytest.mark.slow
def test_readers_query_while_a_writer_adds(tmp_path: Path) -> None:
    total = 1500
    corpus = _many_documents(tmp_path / "many.jsonl", total, seed=9)
    probe = Document(id="probe", text=json.loads(corpus.read_text(encoding="utf-8").splitlines()[3])["text"])
    with IndexStore.create_or_open(tmp_path / "warm.db") as store:  # load the models before the writer starts
        add_documents(store, [replace(probe, id="warm")])
        query_index(store, probe)
    db = tmp_path / "news.db"
    proc = _start_add(corpus, db, 10)
    _wait_for_rows(db, proc)
    seen: list[int] = []
    while proc.poll() is None:
        with IndexStore.open_existing(db) as store:  # read-only, while the writer commits batches
            n = store.count()
            result = query_index(store, probe)
        assert n <= result.indexed  # the query reads its own, later snapshot
        if proc.poll() is None:
            seen.extend((n, result.indexed))
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert seen and seen == sorted(seen) and seen[0] < total  # read while the writer was adding
    assert f"({total} documents in the index)" in out
    assert _count(db) == total
