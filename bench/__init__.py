"""Benchmarks: each module here with a `main(argv)` measures one thing and prints its figures.

Run them all with `python -m bench` (or `make bench`), one with `python -m bench.<name>`.
See bench/README.md.
"""
