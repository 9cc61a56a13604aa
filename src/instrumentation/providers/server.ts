/**
 * `server.address` and `server.port` of a provider's base URL (the SDK
 * clients expose it: `new OpenAI().baseURL`, `new Anthropic().baseURL`).
 * The GenAI spans require `server.port` whenever `server.address` is set, so
 * a URL without an explicit port gets its scheme's default: 443 for https
 * and wss, 80 for http and ws. Only the host is reported, never userinfo,
 * path or query (which may hold keys). IPv6 addresses lose their brackets
 * (`[::1]` → `::1`), as `server.address` is the address itself. A URL
 * written without a scheme (`api.example.com:8443/v1`) is read as one
 * without knowing its default port: its address, and its port if written.
 */
import { guard } from './read.ts';

export interface ServerFacts {
  /** server.address */
  readonly address?: string;
  /** server.port */
  readonly port?: number;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'https:': 443, 'wss:': 443, 'http:': 80, 'ws:': 80 };

const NO_SERVER: ServerFacts = Object.freeze({});
/** Enough for the providers one process talks to; beyond, the oldest is forgotten. */
const REMEMBERED_SERVERS = 32;
const rememberedServers = new Map<string, ServerFacts>();

/**
 * The server a base URL names; `{}` when it names none. Never throws. A framework passes the same
 * base URL on every call, so each URL is parsed once and its facts remembered (frozen).
 */
export function serverOf(baseUrl: string | URL | undefined): ServerFacts {
  if (baseUrl === undefined) return NO_SERVER;
  const key = guard(() => (baseUrl instanceof URL ? baseUrl.href : baseUrl), undefined);
  if (typeof key !== 'string') return NO_SERVER;
  const remembered = rememberedServers.get(key);
  if (remembered !== undefined) return remembered;
  const facts = Object.freeze(guard(() => readServer(key), {}));
  // A URL with userinfo or a query may carry a key: read every time rather than kept in memory.
  if (/[@?]/.test(key)) return facts;
  if (rememberedServers.size >= REMEMBERED_SERVERS) rememberedServers.delete(rememberedServers.keys().next().value as string);
  rememberedServers.set(key, facts);
  return facts;
}

function readServer(baseUrl: string | URL | undefined): ServerFacts {
  if (baseUrl === undefined) return {};
  const raw = baseUrl instanceof URL ? baseUrl.href : typeof baseUrl === 'string' ? baseUrl.trim() : undefined;
  if (raw === undefined || raw.length === 0) return {};
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  const url = URL.parse(hasScheme ? raw : `schemeless://${raw}`);
  if (url === null || url.hostname.length === 0) return {};
  const address = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const explicit = url.port.length > 0 ? Number(url.port) : undefined;
  const port = explicit ?? (hasScheme ? DEFAULT_PORTS[url.protocol] : undefined);
  return port === undefined ? { address } : { address, port };
}
