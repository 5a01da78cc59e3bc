"""Challenge progress: the arithmetic (``rules``), the queries that feed it (``loaders``), the
leaderboard and member statistics (``queries``), and the REMINDER and FINISHED notices that the
scheduler sends (``notices``)."""
