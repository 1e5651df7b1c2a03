"""Benchmarks (``make bench``): they print tables and are not tests. Figures are recorded in
docs/. They live outside the runtime packages: nothing under ``huying/`` imports them."""
