"""Bare baselines: the least a server could do to produce the same bytes as ours.

Each is an ASGI app factory served by uvicorn with the same options as ``main.py serve``.
"""
