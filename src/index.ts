/**
 * The kit's public API in one import: configure the SDK (runtime), the
 * generated recorders and span helpers (generated), the helpers that wrap
 * framework code (instrumentation), and conformance checking against the spec.
 */
export * from './runtime/index.ts';
export * from './generated/index.ts';
export * from './instrumentation/index.ts';
export * from './conformance/index.ts';
