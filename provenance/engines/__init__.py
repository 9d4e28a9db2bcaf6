"""Execution engines of ``provenance cluster``.

* ``local`` (the default): :func:`provenance.pipeline.analyze` in this process.
* ``spark``: :mod:`provenance.engines.spark`, the same stages run on a Spark
  cluster (or Spark's local mode); needs the optional ``spark`` extra
  (``pip install 'provenance[spark]'``) and Java 17.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from provenance.errors import ProvenanceError

ENGINES = ("local", "spark")


def spark_engine() -> ModuleType:
    """The module :mod:`provenance.engines.spark`; a :class:`ProvenanceError` (one line) without pyspark."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise ProvenanceError(
            "--engine spark needs pyspark, which is not installed: pip install 'provenance[spark]'"
        ) from None
    return importlib.import_module("provenance.engines.spark")
