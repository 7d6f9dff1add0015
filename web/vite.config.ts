import react from '@vitejs/plugin-react'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import type { Plugin } from 'vite'
import { defineConfig } from 'vitest/config'

/**
 * Writes `.br` and `.gz` next to every compressible asset at build time; the server picks the
 * variant the browser accepts (Spring's EncodedResourceResolver), so nothing is compressed per
 * request. Small files are left alone: the headers would cost more than the bytes saved.
 */
function precompress(): Plugin {
  let outDir = 'dist'
  return {
    name: 'parley-precompress',
    apply: 'build',
    configResolved(c) {
      outDir = c.build.outDir
    },
    writeBundle(_opts, bundle) {
      for (const name of Object.keys(bundle)) {
        if (!/\.(js|css|html|svg|json)$/.test(name)) continue
        const file = join(outDir, name)
        const raw = readFileSync(file)
        if (raw.length < 1024) continue
        writeFileSync(`${file}.gz`, gzipSync(raw, { level: 9 }))
        writeFileSync(`${file}.br`, brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }))
      }
    },
  }
}

export default defineConfig({
  plugins: [react(), precompress()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: {
    // `npm run dev` against a locally running server on :8080
    proxy: { '/api': 'http://localhost:8080' },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    // component tests render the real app pieces; a loaded CI machine needs more than 5 s
    testTimeout: 20000,
  },
})
