/**
 * What the kit itself writes into errors and logs must never carry a secret:
 * header values, URL credentials, query strings (`?api_key=…`). And the
 * diagnostic logger an application hands over must never make telemetry
 * throw. Both are enforced here, once.
 */
import { inspect } from 'node:util';
import type { DiagLogFunction, DiagLogger } from '@opentelemetry/api';

const REDACTED = '[REDACTED]';

/** A short, log-safe rendering of a bad value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * A URL as it may be shown: userinfo, query string and fragment replaced by
 * `[REDACTED]`. Works on text that is not a valid URL too, since that is
 * exactly when it is shown in an error.
 */
export function redactUrl(raw: string): string {
  return raw
    .trim()
    .replace(/^([^/?#]*\/\/)[^/?#]*@/, `$1${REDACTED}@`)
    .replace(/[?#].*$/s, (rest) => `${rest[0]}${REDACTED}`);
}

/** The parts of a URL that may be secret: user name, password, query values, fragment. */
export function urlSecrets(raw: string): string[] {
  const secrets: string[] = [];
  const userinfo = /^[^/?#]*\/\/([^/?#]*)@/.exec(raw.trim())?.[1];
  if (userinfo !== undefined) secrets.push(userinfo, ...userinfo.split(':'));
  const query = /\?([^#]*)/.exec(raw)?.[1];
  if (query !== undefined) {
    secrets.push(query);
    for (const pair of query.split('&')) {
      const value = pair.slice(pair.indexOf('=') + 1);
      secrets.push(value, safeDecode(value));
    }
  }
  const fragment = /#(.*)$/s.exec(raw)?.[1];
  if (fragment !== undefined) secrets.push(fragment);
  return secrets.filter((secret) => secret.length > 0);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((result, secret) => result.split(secret).join(REDACTED), text);
}

/**
 * The diagnostic logger the kit installs: secrets replaced in messages and in
 * logged objects, and a logger that throws contained, so that no recorder,
 * helper, exporter callback or `configureTelemetry()` ever throws because of it.
 */
export function safeDiagLogger(logger: DiagLogger, secrets: readonly string[]): DiagLogger {
  const longestFirst = [...secrets].filter((secret) => secret.length > 0).sort((a, b) => b.length - a.length);
  const wrap =
    (log: DiagLogFunction | undefined): DiagLogFunction =>
    (message, ...args) => {
      try {
        if (longestFirst.length === 0) log?.call(logger, message, ...args);
        else log?.call(logger, redact(String(message), longestFirst), ...args.map((arg) => redactArgument(arg, longestFirst)));
      } catch {
        // A logger that fails has nowhere to report it; telemetry goes on.
      }
    };
  return {
    error: wrap(logger.error),
    warn: wrap(logger.warn),
    info: wrap(logger.info),
    debug: wrap(logger.debug),
    verbose: wrap(logger.verbose),
  };
}

function redactArgument(argument: unknown, secrets: readonly string[]): unknown {
  if (typeof argument === 'string') return redact(argument, secrets);
  if (typeof argument !== 'object' || argument === null) return argument;
  const rendered = inspect(argument, { depth: 6, breakLength: Infinity });
  return secrets.some((secret) => rendered.includes(secret)) ? redact(rendered, secrets) : argument;
}
