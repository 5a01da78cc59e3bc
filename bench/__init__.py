"""Benchmarks of the E-room API against bare baselines measured in the same run.

``python -m bench`` (quick), ``python -m bench --full``; see docs/PERFORMANCE.md.
"""
