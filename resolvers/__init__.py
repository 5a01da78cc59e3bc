"""Domain logic: plain async functions that take the viewer and validated input, own their
transactions, publish events after commit and raise :mod:`infra.errors`. No HTTP in here."""
