import { defineConfig } from 'vite';

// Preact through the automatic JSX runtime of Vite's own transformer: no framework plugin.
export default defineConfig({
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server serves dist/ as is; small inline assets save a round trip on slow phones.
    assetsInlineLimit: 4096,
    target: 'es2022',
  },
  server: {
    // `npm run dev` next to a server on :8080.
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
    },
  },
});
