// Builds the console into dist/console, served by Tollgate at /console (src/http/console-static.ts).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/console/',
  plugins: [react()],
  // A <meta property="csp-nonce"> for React Aria's one style element; Tollgate puts a fresh nonce
  // in place of this placeholder in every index.html it serves (src/http/console-static.ts).
  html: { cspNonce: 'TOLLGATE_CSP_NONCE' },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // No inline module-preload polyfill: the CSP allows the app's own script files only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1200,
  },
  // `vite` dev server on :5173 forwards the API to a local Tollgate on :8080.
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/admin': 'http://127.0.0.1:8080', '/v1': 'http://127.0.0.1:8080' } },
});
