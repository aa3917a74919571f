import { defineConfig } from 'vite'

// The workspace packages resolve to their TypeScript sources (the @dialogpt/source condition), so
// the demo builds without building the packages first.
export default defineConfig({
  root: __dirname,
  base: './',
  resolve: { conditions: ['@dialogpt/source'] },
  // Node-only code paths of @dialogpt/core (file system, Hub cache) are loaded lazily and never in
  // the page; leave their node: imports out of the bundle.
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', rollupOptions: { external: [/^node:/] } },
  // Pre-bundled by esbuild in the dev server: the package's ESM build imports a CommonJS worker
  // file ('wasmWorkerContents'), which only a bundler can turn into an ES export.
  optimizeDeps: { include: ['@tensorflow/tfjs-backend-wasm'] },
})
