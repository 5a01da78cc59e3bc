"""Challenges and memberships: listing, CRUD, joining and leaving."""
