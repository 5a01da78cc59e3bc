"""Real-time: the event bus, event encoding, presence and the subscription generators."""
