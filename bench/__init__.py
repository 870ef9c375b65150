"""Benchmarks: `make bench` (python -m bench) prints one table; see docs/performance.md."""
