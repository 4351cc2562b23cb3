"""Benchmarks, run by `make bench` (`python -m bench`); `--quick` runs the small sizes only."""
