"""Events: the small typed payloads that travel on the bus, and their one codec.

A leaf package: resolvers publish these, subscriptions consume them; neither imports the other.
"""
