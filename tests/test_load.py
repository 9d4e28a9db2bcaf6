"""Tests for stage 1: reading collections (provenance.load)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from provenance.errors import InputError
from provenance.load import load_corpus, load_document_file
from provenance.records import Document, SkippedInput

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ARTICLE = "Il Cremlino smentisce le notizie.\nPeskov: “Tutto falso”.\n"


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def jsonl(path: Path, *records: object) -> Path:
    return write(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def by_id(docs: list[Document]) -> dict[str, Document]:
    return {d.id: d for d in docs}


def reasons(skipped: list[SkippedInput]) -> dict[str, str]:
    return {Path(s.origin).name: s.reason for s in skipped}


# --- formats -----------------------------------------------------------------


def test_seeds_directory_loads_five_documents() -> None:
    corpus = load_corpus(SEEDS)
    assert len(corpus.documents) == 5
    assert corpus.skipped == []
    ids = [d.id for d in corpus.documents]
    assert ids == sorted(ids) and ids[0].startswith("000_")
    first = corpus.documents[0]
    assert first.origin == str(SEEDS / f"{first.id}.txt")
    assert first.text.startswith("Il Cremlino smentisce")
    assert "\r" not in first.text


def test_directory_of_txt_and_md(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", ARTICLE)
    write(tmp_path / "b.md", "# Titolo\n\nTesto.")
    corpus = load_corpus(tmp_path)
    docs = by_id(corpus.documents)
    assert set(docs) == {"a", "b"}
    assert docs["a"].text == ARTICLE  # kept exactly, trailing newline included
    assert docs["b"].origin == str(tmp_path / "b.md")
    assert docs["a"].outlet is None and docs["a"].published is None


def test_single_text_file(tmp_path: Path) -> None:
    corpus = load_corpus(write(tmp_path / "one.txt", ARTICLE))
    assert [(d.id, d.text) for d in corpus.documents] == [("one", ARTICLE)]


def test_jsonl_fields_default_ids_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps(
            {
                "id": "ansa-1",
                "text": "Primo testo",
                "outlet": " ANSA ",
                "url": "https://a.it/1",
                "published": "2024-10-25T09:30:00+02:00",
                "language": "it",
                "title": "Titolo",
            }
        ),
        "",
        "   ",
        json.dumps({"text": "Secondo testo", "published": "2024-10-26"}),
        json.dumps({"id": 42, "text": "Terzo", "extra": [1, 2]}),
    ]
    write(path, "\n".join(lines) + "\n")
    docs = load_corpus(path).documents
    assert [d.id for d in docs] == ["ansa-1", "feed:4", "42"]
    first, second, third = docs
    assert first.outlet == "ANSA" and first.url == "https://a.it/1" and first.language == "it"
    assert first.title == "Titolo"
    assert first.published == datetime(2024, 10, 25, 7, 30, tzinfo=UTC)
    assert first.published.utcoffset() == timedelta(hours=2)  # the zone is kept
    assert first.origin == f"{path}:1"
    assert second.origin == f"{path}:4"
    assert second.published == datetime(2024, 10, 26, tzinfo=UTC)
    assert third.text == "Terzo"


def test_csv_with_multiline_quoted_field(tmp_path: Path) -> None:
    path = write(
        tmp_path / "articles.csv",
        "ID,Text,Outlet,Published\n"
        'r1,"Riga uno\nriga due, con virgola",Reuters,2024-10-25 14:30\n'
        ',"Senza id ""citato""",,\n',
    )
    docs = load_corpus(path).documents
    assert [d.id for d in docs] == ["r1", "articles:4"]  # header matched case-insensitively
    assert docs[0].text == "Riga uno\nriga due, con virgola"
    assert docs[0].published == datetime(2024, 10, 25, 14, 30, tzinfo=UTC)
    assert docs[0].origin == f"{path}:2"
    assert docs[1].text == 'Senza id "citato"' and docs[1].outlet is None


def test_tsv_and_semicolon_csv(tmp_path: Path) -> None:
    tsv = write(tmp_path / "a.tsv", "id\ttext\toutlet\nt1\tuno, due; tre\tAGI\n")
    semi = write(tmp_path / "b.csv", "id;text\ns1;testo, con virgola\n")
    assert [(d.id, d.text, d.outlet) for d in load_corpus(tsv).documents] == [("t1", "uno, due; tre", "AGI")]
    assert [(d.id, d.text) for d in load_corpus(semi).documents] == [("s1", "testo, con virgola")]


def test_csv_blank_rows_and_trailing_empty_cells_are_ignored(tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "id,text\n\nx1,testo,,\n,,\n")
    assert [d.id for d in load_corpus(path).documents] == ["x1"]


def test_directory_mixes_formats_and_reports_other_files(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "testo a")
    jsonl(tmp_path / "feed.jsonl", {"id": "j1", "text": "testo j"})
    write(tmp_path / "t.csv", "id,text\nc1,testo c\n")
    write(tmp_path / "photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(tmp_path / "notes.pdf", "%PDF-1.4")
    write(tmp_path / ".hidden.txt", "secret")
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub" / "nested.txt", "not read")
    corpus = load_corpus(tmp_path)
    assert sorted(d.id for d in corpus.documents) == ["a", "c1", "j1"]
    skipped = reasons(corpus.skipped)
    assert set(skipped) == {"photo.png", "notes.pdf", "sub", ".hidden.txt", ".git"}
    assert skipped[".git"] == "hidden directory (name starts with '.')"
    assert "unsupported file type ('.pdf'" in skipped["notes.pdf"]
    assert "subdirectory" in skipped["sub"]


def test_load_document_file(tmp_path: Path) -> None:
    doc = load_document_file(write(tmp_path / "src.md", ARTICLE))
    assert (doc.id, doc.text, doc.origin) == ("src", ARTICLE, str(tmp_path / "src.md"))
    one = jsonl(tmp_path / "one.jsonl", {"id": "wsj", "text": "Original", "outlet": "WSJ"})
    assert load_document_file(one).outlet == "WSJ"
    row = write(tmp_path / "one.csv", "text\nSolo\n")
    assert load_document_file(row).id == "one:2"


def test_load_document_file_rejects_several_rows_and_directories(tmp_path: Path) -> None:
    two = jsonl(tmp_path / "two.jsonl", {"text": "a"}, {"text": "b"})
    with pytest.raises(InputError, match=r"two\.jsonl: expected exactly one document, found 2"):
        load_document_file(two)
    with pytest.raises(InputError, match="is a directory"):
        load_document_file(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        load_document_file(tmp_path / "missing.txt")
    with pytest.raises(InputError, match=r"unsupported file type \('\.html'"):
        load_document_file(write(tmp_path / "page.html", "<p>x</p>"))


# --- metadata ----------------------------------------------------------------


def test_metadata_csv_beside_texts_is_merged(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "testo a")
    write(tmp_path / "b.txt", "testo b")
    write(
        tmp_path / "metadata.csv",
        "id,outlet,published,url,language,title,notes\n"
        "a,ANSA,2024-10-25T08:00:00Z,https://ansa.it/a,it,Titolo A,ignored\n"
        "b,,2024-10-26,,,,\n"
        "ghost,Nobody,,,,,\n",
    )
    corpus = load_corpus(tmp_path)
    docs = by_id(corpus.documents)
    assert set(docs) == {"a", "b"}  # the metadata file is not a document
    a = docs["a"]
    assert (a.outlet, a.url, a.language, a.title) == ("ANSA", "https://ansa.it/a", "it", "Titolo A")
    assert a.published == datetime(2024, 10, 25, 8, tzinfo=UTC)
    assert docs["b"].outlet is None and docs["b"].published == datetime(2024, 10, 26, tzinfo=UTC)
    assert corpus.skipped == [SkippedInput(f"{tmp_path / 'metadata.csv'}:4", "metadata for unknown id 'ghost'")]


def test_metadata_argument_overrides_discovery_and_record_values(tmp_path: Path) -> None:
    corpus_dir = tmp_path / "docs"
    corpus_dir.mkdir()
    jsonl(corpus_dir / "feed.jsonl", {"id": "x", "text": "testo", "outlet": "Old", "title": "Keep"})
    write(corpus_dir / "metadata.csv", "id,outlet\nx,FromDiscovery\n")
    explicit = jsonl(tmp_path / "meta.jsonl", {"id": "x", "outlet": "New", "title": None})
    corpus = load_corpus(corpus_dir, metadata=explicit)
    (doc,) = corpus.documents
    assert doc.outlet == "New"  # metadata value replaces the record's own
    assert doc.title == "Keep"  # null in the metadata leaves the value alone
    assert corpus.skipped == []


def test_metadata_for_single_file_and_explicit_file_inside_directory(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "testo")
    meta = write(tmp_path / "info.tsv", "id\tpublished\na\t2024-01-02T03:04:05-05:00\n")
    corpus = load_corpus(tmp_path, metadata=meta)
    assert [d.id for d in corpus.documents] == ["a"] and corpus.skipped == []  # info.tsv not reported
    assert corpus.documents[0].published == datetime(2024, 1, 2, 8, 4, 5, tzinfo=UTC)
    single = load_corpus(tmp_path / "a.txt", metadata=meta)
    assert single.documents[0].published is not None
    assert single.documents[0].published.tzinfo == timezone(timedelta(hours=-5))


def test_metadata_errors(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    write(docs / "a.txt", "testo")
    no_id = write(tmp_path / "m1.csv", "name,outlet\na,X\n")
    with pytest.raises(InputError, match=r"m1\.csv: no \"id\" column \(columns found: 'name', 'outlet'\)"):
        load_corpus(docs, metadata=no_id)
    twice = write(tmp_path / "m2.csv", "id,outlet\na,X\na,Y\n")
    with pytest.raises(InputError, match=r"m2\.csv:3: metadata for id 'a' given twice \(first at .*m2\.csv:2\)"):
        load_corpus(docs, metadata=twice)
    bad_date = write(tmp_path / "m3.csv", "id,published\na,ieri\n")
    with pytest.raises(InputError, match=r"m3\.csv:2: cannot parse published date 'ieri'"):
        load_corpus(docs, metadata=bad_date)
    with pytest.raises(InputError, match=r"metadata file .*nope\.csv: no such file"):
        load_corpus(docs, metadata=tmp_path / "nope.csv")
    with pytest.raises(InputError, match=r"metadata must be a \.csv, \.tsv or \.jsonl file"):
        load_corpus(docs, metadata=write(tmp_path / "m.txt", "id"))


def test_two_discovered_metadata_files_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "testo")
    write(tmp_path / "metadata.csv", "id,outlet\na,X\n")
    jsonl(tmp_path / "metadata.jsonl", {"id": "a", "outlet": "Y"})
    with pytest.raises(InputError, match="found both metadata.csv and metadata.jsonl"):
        load_corpus(tmp_path)


# --- ids -----------------------------------------------------------------------


def test_duplicate_id_names_both_origins(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "uno")
    jsonl(tmp_path / "feed.jsonl", {"text": "x"}, {"id": "a", "text": "due"})
    with pytest.raises(InputError, match=r"duplicate document id 'a': .*a\.txt and .*feed\.jsonl:2"):
        load_corpus(tmp_path)


def test_same_stem_with_two_extensions_is_a_duplicate(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "uno")
    write(tmp_path / "a.md", "due")
    with pytest.raises(InputError, match="duplicate document id 'a'"):
        load_corpus(tmp_path)


def test_same_text_under_two_ids_is_fine(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", ARTICLE)
    write(tmp_path / "b.txt", ARTICLE)
    assert len(load_corpus(tmp_path).documents) == 2


# --- decoding --------------------------------------------------------------------


def test_utf8_bom_is_dropped(tmp_path: Path) -> None:
    doc = load_document_file(write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + "Perché".encode()))
    assert doc.text == "Perché"
    excel = write(tmp_path / "excel.csv", b"\xef\xbb\xbfid,text\r\ne1,s\xc3\xac\r\n")
    assert [(d.id, d.text) for d in load_corpus(excel).documents] == [("e1", "sì")]  # "id" column found


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_bom(tmp_path: Path, codec: str) -> None:
    text = "Città “virgolette” — 東京\r\nfine"
    data = text.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    doc = load_document_file(write(tmp_path / "wide.txt", data))
    assert doc.text == "Città “virgolette” — 東京\nfine"


def test_utf16_csv_with_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "excel.csv", "id,text\nu1,perché\n".encode("utf-16"))
    assert [(d.id, d.text) for d in load_corpus(path).documents] == [("u1", "perché")]


def test_newlines_are_normalised_and_nothing_else(tmp_path: Path) -> None:
    raw = "Uno\r\nDue\rTre\n  ﬁ café\u00a0 \t\n"
    doc = load_document_file(write(tmp_path / "crlf.txt", raw))
    assert doc.text == "Uno\nDue\nTre\n  ﬁ café\u00a0 \t\n"  # no NFKC, no stripping
    path = jsonl(tmp_path / "j.jsonl", {"text": "a\r\nb\rc"})
    assert load_document_file(path).text == "a\nb\nc"


def test_line_separator_inside_jsonl_string_is_not_a_line_break(tmp_path: Path) -> None:
    path = write(tmp_path / "ls.jsonl", '{"text": "uno\u2028due"}\n{"text": "tre"}\n')
    docs = load_corpus(path).documents
    assert [d.text for d in docs] == ["uno\u2028due", "tre"]
    assert docs[1].origin.endswith(":2")


def test_invalid_utf8_given_directly_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "latin.txt", b"Perch" + "é".encode("latin-1") + b" no")
    with pytest.raises(InputError) as info:
        load_document_file(path)
    assert str(info.value) == (f"{path}: not valid UTF-8 (byte 0xe9 at offset 5); re-encode the file as UTF-8")
    with pytest.raises(InputError, match="not valid UTF-8"):
        load_corpus(path)


def test_invalid_utf8_in_directory_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "good.txt", "buono")
    write(tmp_path / "bad.txt", b"caff\xe8")
    write(tmp_path / "bad.jsonl", b'{"text": "caff\xe8"}\n')
    corpus = load_corpus(tmp_path)
    assert [d.id for d in corpus.documents] == ["good"]
    skipped = reasons(corpus.skipped)
    assert skipped["bad.txt"].startswith("not valid UTF-8 (byte 0xe8 at offset 4)")
    assert skipped["bad.jsonl"].startswith("not valid UTF-8 (byte 0xe8 at offset 14)")


def test_binary_files(tmp_path: Path) -> None:
    nul = write(tmp_path / "nul.txt", b"abc\x00def")
    controls = write(tmp_path / "ctl.txt", bytes(range(1, 9)) * 10 + b"some text")
    utf16_no_bom = write(tmp_path / "wide.txt", "testo senza BOM".encode("utf-16-le"))
    for path in (nul, controls, utf16_no_bom):
        with pytest.raises(InputError, match="looks binary"):
            load_document_file(path)
    with pytest.raises(InputError, match="UTF-16 text without a byte-order mark"):
        load_document_file(utf16_no_bom)
    write(tmp_path / "ok.txt", "testo\ttabulato\fcon salto pagina")
    corpus = load_corpus(tmp_path)
    assert [d.id for d in corpus.documents] == ["ok"]
    assert all(r.startswith("looks binary") for r in reasons(corpus.skipped).values())
    assert len(corpus.skipped) == 3


def test_nul_in_utf16_text_is_binary(tmp_path: Path) -> None:
    path = write(tmp_path / "x.txt", "ab\x00c".encode("utf-16"))
    with pytest.raises(InputError, match="looks binary"):
        load_document_file(path)


def test_invalid_utf16_with_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "odd.txt", b"\xff\xfe" + "ok".encode("utf-16-le") + b"\x00\xd8")  # lone surrogate
    with pytest.raises(InputError, match=r"odd\.txt: not valid UTF-16 despite its byte-order mark"):
        load_document_file(path)


def test_empty_and_whitespace_files(tmp_path: Path) -> None:
    empty = write(tmp_path / "empty.txt", b"")
    blank = write(tmp_path / "blank.md", " \n\t\r\n")
    bom_only = write(tmp_path / "bom.txt", b"\xef\xbb\xbf")
    for path in (empty, blank, bom_only):
        with pytest.raises(InputError, match=f"{path.name}: empty"):
            load_document_file(path)
    write(tmp_path / "empty.jsonl", "\n\n")
    write(tmp_path / "header_only.csv", "id,text\n")
    write(tmp_path / "real.txt", "contenuto")
    corpus = load_corpus(tmp_path)
    assert [d.id for d in corpus.documents] == ["real"]
    assert reasons(corpus.skipped) == {
        "blank.md": "empty",
        "bom.txt": "empty",
        "empty.jsonl": "empty",
        "empty.txt": "empty",
        "header_only.csv": "no rows below the header",
    }


def test_header_only_csv_given_directly(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"h\.csv: no documents found"):
        load_corpus(write(tmp_path / "h.csv", "text,id\n"))


# --- collections without documents ------------------------------------------------


def test_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r": no documents found \(the directory has no \.txt"):
        load_corpus(tmp_path)


def test_directory_with_only_bad_files(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "")
    write(tmp_path / "b.doc", "x")
    write(tmp_path / "c.txt", b"\x00\x01")
    write(tmp_path / "d.txt", " ")
    with pytest.raises(InputError) as info:
        load_corpus(tmp_path)
    message = str(info.value)
    assert message.startswith(f"{tmp_path}: no documents found (4 files skipped: a.txt: empty; b.doc: ")
    assert message.endswith("; and 1 more)")
    assert "\n" not in message


def test_nonexistent_path() -> None:
    with pytest.raises(InputError, match="no such file or directory"):
        load_corpus("/nonexistent/provenance/corpus")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_special_file_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(InputError, match="not a regular file"):
        load_corpus(tmp_path / "pipe.txt")
    write(tmp_path / "a.txt", "testo")
    assert reasons(load_corpus(tmp_path).skipped) == {"pipe.txt": "not a regular file"}


# --- malformed structured files -----------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"text": "a",}', r"feed\.jsonl:3: invalid JSON: .*\(column \d+\)"),
        ('["text"]', r"feed\.jsonl:3: expected a JSON object, found an array"),
        ('"just a string"', r"feed\.jsonl:3: expected a JSON object, found str"),
        ('{"id": "x"}', r'feed\.jsonl:3: missing "text"'),
        ('{"text": null}', r'feed\.jsonl:3: missing "text"'),
        ('{"text": "  \\n "}', r'feed\.jsonl:3: empty "text"'),
        ('{"text": 12}', r'feed\.jsonl:3: "text" must be a string, found a number'),
        ('{"text": "a", "outlet": ["x"]}', r'feed\.jsonl:3: "outlet" must be a string, found an array'),
        ('{"text": "a", "published": 1729800000}', r'feed\.jsonl:3: "published" must be a string'),
        ('{"text": "a", "published": "25/10/2024"}', r"feed\.jsonl:3: cannot parse published date '25/10/2024'"),
        ('{"text": "bad \\ud800 surrogate"}', r'feed\.jsonl:3: "text" contains an invalid character'),
    ],
)
def test_malformed_jsonl_line(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path / "feed.jsonl", '{"text": "ok"}\n\n' + line + "\n")
    with pytest.raises(InputError, match=message):
        load_corpus(path)
    # inside a directory too: a malformed record is an error, never a silent partial load
    with pytest.raises(InputError, match=message):
        load_corpus(tmp_path)


def test_csv_without_text_column_names_columns(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "id,body,outlet\n1,hello,X\n")
    with pytest.raises(InputError) as info:
        load_corpus(path)
    assert str(info.value) == f"{path}: no \"text\" column (columns found: 'id', 'body', 'outlet')"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('id,text\na,"unterminated\nb,c\n', r"bad\.csv:\d+: malformed CSV: unexpected end of data"),
        ('id,text\na,"x"y\n', r"bad\.csv:2: malformed CSV: ',' expected after '\"'"),
        ("id,text\na,b,c\n", r"bad\.csv:2: 3 fields but the header has 2 columns"),
        ("id,text\na,\n", r'bad\.csv:2: empty "text"'),
        ("id,text\na\n", r'bad\.csv:2: missing "text"'),
        ("id,text,text\na,b,c\n", r'bad\.csv: column "text" appears twice'),
        ("id,text,published\na,b,yesterday\n", r"bad\.csv:2: cannot parse published date 'yesterday'"),
    ],
)
def test_malformed_csv(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_corpus(write(tmp_path / "bad.csv", content))


def test_csv_row_number_after_multiline_field(tmp_path: Path) -> None:
    path = write(tmp_path / "m.csv", 'id,text,published\na,"uno\ndue\ntre",2024-01-01\nb,x,nope\n')
    with pytest.raises(InputError, match=r"m\.csv:5: cannot parse published date"):
        load_corpus(path)


# --- dates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-10-25", datetime(2024, 10, 25, tzinfo=UTC)),
        ("2024-10-25T14:30", datetime(2024, 10, 25, 14, 30, tzinfo=UTC)),
        ("2024-10-25T14:30:00Z", datetime(2024, 10, 25, 14, 30, tzinfo=UTC)),
        ("2024-10-25T16:30:00+02:00", datetime(2024, 10, 25, 14, 30, tzinfo=UTC)),
        ("  2024-10-25 14:30:00.5  ", datetime(2024, 10, 25, 14, 30, 0, 500000, tzinfo=UTC)),
    ],
)
def test_published_dates_are_aware(tmp_path: Path, value: str, expected: datetime) -> None:
    doc = load_document_file(jsonl(tmp_path / "d.jsonl", {"text": "t", "published": value}))
    assert doc.published == expected
    assert doc.published is not None and doc.published.tzinfo is not None


def test_empty_published_is_none(tmp_path: Path) -> None:
    doc = load_document_file(write(tmp_path / "d.csv", "text,published\nciao,\n"))
    assert doc.published is None


# --- size ----------------------------------------------------------------------------


def test_ten_megabyte_article_in_every_format(tmp_path: Path) -> None:
    paragraph = "La portavoce ha dichiarato che “non è vero”, secondo l'ANSA.\n"
    big = paragraph * (10_000_000 // len(paragraph) + 1)
    assert len(big.encode()) > 10_000_000
    write(tmp_path / "big.txt", big)
    jsonl(tmp_path / "big.jsonl", {"id": "j", "text": big})
    write(tmp_path / "big.csv", 'id,text\nc,"' + big + '"\n')
    docs = by_id(load_corpus(tmp_path).documents)
    assert set(docs) == {"big", "j", "c"}
    assert all(d.text == big for d in docs.values())


def test_jsonl_lines_are_read_one_at_a_time_as_split_gives_them() -> None:
    from provenance.load.readers import _lines

    for text in ["", "\n", "a", "a\n", "a\nb", "\n\na\u2028b\n", "x\r\ny", '{"id": "1"}\n\n{"id": "2"}']:
        assert list(_lines(text)) == text.split("\n")
