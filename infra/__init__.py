"""Cross-cutting infrastructure: settings, errors, ids, database, tokens, storage, mail, limits."""
