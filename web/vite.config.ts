// The portal's build: `vite build web` (from the project root) writes web/dist, which the
// server serves at `/`. `vite web` runs a dev server that proxies the API to a running
// `npm start` (PORT, default 3000).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const api = `http://127.0.0.1:${process.env.PORT ?? '3000'}`;

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/api': api, '/health': api, '/openapi.json': api, '/docs': api },
  },
});
