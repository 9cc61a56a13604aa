/**
 * What the kit says about a failed export: the gRPC status the collector
 * answered, by number and name, never the text that came with it (a collector
 * may echo a request's content or credentials there).
 */

const GRPC_STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

/** The gRPC status code of an export failure, when it has one. */
export function grpcCode(error: unknown): number | undefined {
  try {
    const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
    return typeof code === 'number' ? code : undefined;
  } catch {
    return undefined;
  }
}

/** `gRPC status 16 UNAUTHENTICATED`, or the error's class when it carries no status. */
export function describeExportError(error: unknown): string {
  const code = grpcCode(error);
  if (code !== undefined) return `gRPC status ${code} ${GRPC_STATUS_NAMES[code] ?? ''}`.trimEnd();
  try {
    return error instanceof Error ? error.name : 'no reason given';
  } catch {
    return 'no reason given';
  }
}

/** The error's own message, for matching known refusals; never for logs. */
export function exportErrorMessage(error: unknown): string {
  try {
    const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
    return typeof message === 'string' ? message : '';
  } catch {
    return '';
  }
}
