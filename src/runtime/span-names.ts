/**
 * Span names the registry leaves to the caller. The official registries
 * describe span names in prose only (`{gen_ai.operation.name}
 * {gen_ai.request.model}` in a note), so a span helper generated from them
 * has no template to fill: its generated type requires `options.name`.
 */
import { warnOnce } from './diagnostics.ts';

/**
 * The name of such a span started without one, which only plain JavaScript
 * can do: the span is still recorded, under its type (`gen_ai.inference.client`),
 * and the missing name is reported once, never silently.
 */
export function unnamedSpanName(spanId: string, type: string): string {
  warnOnce(`${spanId}: started without options.name, which its registry leaves to the caller (it gives no name template); named "${type}" instead`);
  return type;
}
