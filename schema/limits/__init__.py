"""Operation limits, checked after parsing and before anything executes.

They apply to every operation, over HTTP and over WebSocket alike (strawberry runs both
through the same parse/validate steps):

* tokens (``MAX_QUERY_TOKENS``): strawberry's ``MaxTokensLimiter`` makes the parser itself
  stop, so a huge document is never turned into a tree (wired in :mod:`schema.root`, its error
  mapped in :mod:`schema.errors`);
* depth (``MAX_QUERY_DEPTH``) and cost (``MAX_QUERY_COST``), introspection included, in one walk
  of the operation (:mod:`schema.limits.cost`): every list counts its declared bound
  (:mod:`schema.marks`), introspection lists what the schema holds
  (:mod:`schema.limits.introspection`); a batched request's operations share one
  ``MAX_QUERY_COST`` (checked in :mod:`web.requests` before any of them runs);
* ``first``/``last`` outside 1..100 (:mod:`infra.paging`): ``BAD_USER_INPUT`` naming the
  argument, read where cost reads page sizes (:mod:`schema.limits.pages`);
* aliases (``MAX_ALIASES_PER_FIELD`` of one field, ``MAX_ALIASES`` in total), counted in the
  same walk wherever a fragment spreads them: :mod:`schema.limits.aliases`;
* introspection off with ``INTROSPECTION=false``, and NUL characters
  (:mod:`schema.text_rules`): wired with the others in :mod:`schema.limits.extension`, which
  also skips validation of operations already validated (:mod:`schema.limits.validation_cache`).

Violations are ``QUERY_TOO_COMPLEX`` and the operation does not run.
"""
