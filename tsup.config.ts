import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    testing: 'test/fakes/index.ts',
    server: 'src/server/index.ts',
    'server/redis': 'src/server/redis/index.ts',
    react: 'src/react/index.ts',
  },
  format: ['esm', 'cjs'],
  // One copy of the core shared by every entry, in CJS too: `instanceof TabcastError` holds
  // across `tabcast` and `tabcast/react`.
  splitting: true,
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  external: ['xstate', '@xstate/react', 'react', 'ioredis'],
});
