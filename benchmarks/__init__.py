"""Benchmarks: quality on labelled data and speed/memory at scale (run `python -m benchmarks --help`)."""
