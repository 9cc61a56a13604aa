/** Registers the kit's conformance matcher for every test file. */
import { expect } from 'vitest';
import { toConformToSpec } from '../../src/conformance/index.ts';

expect.extend({ toConformToSpec: (received) => toConformToSpec(received) });

declare module 'vitest' {
  interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> {
    /** Fails listing every deviation of exported spans and metrics from the spec. */
    toConformToSpec(): R;
  }
}
