"""An incremental index for daily monitoring: add articles as they come, query new ones against them.

``provenance index add PATH --db news.db`` stores, per document, its text and
metadata, its MinHash signature and LSH band keys (near-duplicate
candidates), its passage profile and the rare stems it posts (rewrite
candidates), in one SQLite file (:mod:`.store`, schema there).
``provenance index query FILE --db news.db`` finds the indexed documents a
new article reuses or is reused by, scored as ``provenance cluster`` scores
pairs (:mod:`.query`).  Adding is idempotent and batched in transactions, and
the file is in WAL mode, so readers query while a writer adds.

Import from the modules: :mod:`.store` (``IndexStore``, ``IndexParams``,
``index_stats``), :mod:`.add` (``add_documents``), :mod:`.query`
(``query_index``).  This package file imports nothing, so the CLI's parser
(:mod:`.arguments`) stays light.
"""
