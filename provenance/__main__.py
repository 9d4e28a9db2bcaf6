"""``python -m provenance``: the same as the ``provenance`` command."""

from provenance.cli import main

raise SystemExit(main())
