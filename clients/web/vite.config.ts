// The build the API serves at /app/ (web/webapp.py): files only, no inline script or style, so
// the page runs under a Content-Security-Policy of 'self'. JSX goes through Vite's own
// transformer (the automatic runtime), no plugin needed.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/app/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Keep every asset a file: an inlined data: URL is fine for the CSP's img-src, but a file
    // is cached on its own.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 700,
  },
  server: {
    // `npm run dev`: the API on :8000 behind Vite's dev server.
    proxy: {
      "/graphql": { target: "http://127.0.0.1:8000", ws: true },
      "/media": "http://127.0.0.1:8000",
    },
  },
});
