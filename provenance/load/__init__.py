"""Stage 1: reading a collection of articles into :class:`~provenance.records.Corpus`.

Public API: :func:`load_corpus` (a directory or a file of documents, plus
optional metadata) and :func:`load_document_file` (one file as one document).

Inputs
    A directory is read non-recursively: every ``.txt``/``.md`` file is one
    document (id = file name without extension), every ``.jsonl``/``.csv``/
    ``.tsv`` file holds one document per record (see :mod:`.readers`).  A
    single file of any of these formats may be given instead.  Metadata
    (outlet, url, published, language, title by id) comes from the directory's
    ``metadata.csv``/``.tsv``/``.jsonl`` or an explicit file (see :mod:`.metadata`).

Text
    Files are decoded as UTF-8 (a UTF-8 byte-order mark is dropped; UTF-16/32
    with a byte-order mark are decoded); ``"\\r\\n"`` and ``"\\r"`` become
    ``"\\n"``; nothing else is changed.  Offsets computed by later stages point
    into ``Document.text``, i.e. into the text after this decoding.

Error and skip policy (nothing is dropped silently)
    * In a directory, a file that cannot be used as a whole (unsupported type,
      subdirectory, unreadable, binary, not UTF-8, empty, table without rows) is
      skipped and listed in ``Corpus.skipped`` with its reason; so is a
      symbolic link that loops or whose target is missing.  Hidden entries
      (names starting with ``.``) are not read but are listed too, one by one,
      or as a single summary entry when there are more than five.  Metadata
      files are neither read as documents nor reported.
    * A file given directly (to either function) with such a problem raises
      :class:`~provenance.errors.InputError`.
    * A malformed record inside a structured file (invalid JSON, non-object,
      missing or empty ``text``, missing ``text`` column, malformed CSV,
      unparseable date, wrongly typed field) always raises ``InputError`` naming
      ``path:line``: skipping part of a file would lose data quietly.
    * Duplicate document ids, a missing path, or a collection with no document
      at all raise ``InputError``; metadata for an unknown id is only reported
      in ``Corpus.skipped``.
"""

from provenance.load.corpus import load_corpus, load_document_file

__all__ = ["load_corpus", "load_document_file"]
