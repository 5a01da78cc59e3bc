"""The top of the house: the Starlette app, its middleware, the GraphQL HTTP and WebSocket
transport, and the wiring of every service."""
