/**
 * What provider SDKs hand back besides plain promises and async iterables, as the LLM helpers
 * observe it:
 *
 *   returned by the SDK                              the response the helpers read
 *   APIPromise (openai, @anthropic-ai/sdk), awaited  the parsed body
 *     .withResponse()                                its `data` ({ data, response, request_id })
 *     .asResponse()                                  none: the caller reads the raw body, the kit does not
 *   a stream handle, whose final value is the whole response:
 *     Anthropic MessageStream (messages.stream())            finalMessage()
 *     OpenAI ChatCompletionStream (chat.completions.stream()) finalChatCompletion()
 *     OpenAI ResponseStream (responses.stream())             finalResponse()
 *
 * The promise kinds are observed by the runtime when the caller consumes them (runtime/spans.ts,
 * `runInSpan`); `responseBody` gives the response of what that consumption settled with. A stream
 * handle is an event emitter the caller reads in its own way (iterating it, listening to `text`,
 * awaiting `finalMessage()`); the helpers wait for its `end` event, at which it has settled, and
 * only then call its final method: called earlier, it would count as the caller handling the
 * stream's errors, and the SDK would stop raising an unhandled rejection for an error nobody
 * handles. Nothing here imports a provider SDK; the shapes are duck-typed.
 */
import { guard, isObject, type Json } from './read.ts';

/** In this order: OpenAI's chat stream has a `finalMessage()` too, which is the assistant message alone. */
const FINAL_METHODS = ['finalChatCompletion', 'finalResponse', 'finalMessage'] as const;

/** The response in a value an SDK promise settled with: the `data` of `withResponse()`, none for a raw `Response`. Never throws. */
export function responseBody(value: unknown): unknown {
  // Read at the end of every LLM call: no closure (guard's), and a parsed response leaves after two checks.
  try {
    if (isResponse(value)) return undefined;
    if (isObject(value) && 'data' in value && isResponse(value.response)) return value.data;
  } catch {
    // A getter or a Proxy trap that throws: the value as it is.
  }
  return value;
}

/**
 * A promise of the final response of an SDK stream handle, settling once the stream has ended
 * (rejected with the stream's error); undefined for anything else. Never throws.
 */
export function streamHandleSettlement(value: unknown): Promise<unknown> | undefined {
  return guard(() => {
    if (!isObject(value) || typeof value.on !== 'function') return undefined;
    const handle = value as Json & { on(event: string, listener: () => void): unknown };
    const final = FINAL_METHODS.find((name) => typeof handle[name] === 'function');
    if (final === undefined) return undefined;
    return new Promise<unknown>((resolve, reject) => {
      handle.on('end', () => {
        try {
          Promise.resolve((handle[final] as () => unknown).call(handle)).then(resolve, reject);
        } catch (error) {
          reject(error);
        }
      });
    });
  }, undefined);
}

function isResponse(value: unknown): value is Response {
  return typeof Response === 'function' && value instanceof Response;
}
