"""The ASGI middlewares in front of every route, one concern each.

``web.app`` stacks them in this order, outermost first; each sees what the ones inside it send:

0. :mod:`~web.middleware.websockets` ``ServerSend``: keeps a WebSocket's ``send`` as the server
   passed it, before tracing (when on) or anything else wraps it (``web.frames`` writes
   subscription frames through it). Tracing, when on, comes next.
1. :mod:`~web.middleware.request_id`: assigns the request id (a valid ``X-Request-ID`` from
   the client, or a new one), sets the logging context and ``scope["state"]`` before anything
   else runs, and echoes it on every HTTP response, the 413 refusals included.
2. :mod:`~web.middleware.access_log`: the access log line and the request counter, with the
   status actually sent, so a refusal from ``body_limits`` is counted as 413.
3. :mod:`~web.middleware.headers` ``SecurityHeaders``: nosniff, referrer and frame headers on
   every HTTP response, the 413 refusals included.
4. :mod:`~web.middleware.body_limits`: the body caps, enforced while the body streams in
   (:mod:`~web.middleware.multipart` counts files); over a cap it answers 413 itself.
5. :mod:`~web.middleware.headers` ``MediaHeaders``: content type and CSP of served uploads;
   inside ``body_limits`` so that a 413 on a ``/media/`` path stays a JSON error.
6. :mod:`~web.middleware.websockets`: the open-socket gauge and the close callbacks.
7. CORS: answers preflights, and adds its headers to what the ones inside send.
8. :mod:`~web.middleware.csrf`: refuses, on ``/graphql``, what another site could make a browser
   send without a preflight, and cookie-authenticated requests from foreign origins; inside
   CORS so that an allowed origin can read why it was refused.

Then the routes.
"""
