// Proves src/proto/types.ts matches the .proto files (run `npm run proto` after editing them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateTypes } from '../../proto/generate.ts';
import { loadProtoRoot } from './runtime.ts';

describe('generated proto types', () => {
  it('are up to date with proto/', () => {
    const committed = readFileSync(join(import.meta.dirname, 'types.ts'), 'utf8');
    expect(committed === generateTypes(loadProtoRoot()), 'src/proto/types.ts is stale: run `npm run proto`').toBe(true);
  });
});
