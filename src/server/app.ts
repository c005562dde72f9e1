// The HTTP face of the license server (Fastify): POST /license for Clear Key license requests and releases,
// GET /healthz for load balancers. Every error is a JSON `{ error, message }` with a 4xx/5xx status.
//
// Request bodies: the bytes of the EME `message` event, as-is. Accepted with Content-Type application/json,
// application/octet-stream, text/plain (any charset parameter), or none at all — players commonly POST the
// raw ArrayBuffer, which fetch() and XHR send without a Content-Type. Anything else is 415: a form or multipart
// body is never a Clear Key message. Bodies over 64 KB are 413.
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import { HttpError, KeyIntegrityError } from './errors.js';
import { KEEP_ALIVE_TIMEOUT_MS, MAX_BODY_BYTES, REQUEST_TIMEOUT_MS } from './limits.js';
import { createAuthenticator, type AuthOptions } from './auth.js';
import { parseLicenseMessage } from './clearkey-messages.js';
import { answerLicenseMessage } from './license-service.js';
import type { KeyStore } from './key-store.js';
import { connectionCloser } from './shutdown.js';

export interface LogOptions {
  /** pino level (default 'info'). */
  level?: string;
  /** Log every request and response at info (default false: at thousands of licenses a second, per-request
   *  lines cost more than the license itself). Failed requests are always logged at debug, server errors at error. */
  requests?: boolean;
  /** Where JSON log lines go (default stdout). */
  stream?: { write(line: string): void };
}

export interface LicenseAppOptions {
  store: KeyStore;
  auth: AuthOptions;
  /** false turns logging off. */
  log?: LogOptions | false;
  /** Allowed browser origins (default '*': licenses are bound to bearer tokens, not cookies, so any page may ask). */
  corsOrigin?: string | string[] | boolean;
  /** Time a client has to send a whole request, headers and body, in ms (default 10 s): then 408 and the
   *  connection closed. */
  requestTimeoutMs?: number;
  /** Time an idle keep-alive connection is kept open between requests, in ms (default 5 s). */
  keepAliveTimeoutMs?: number;
}

// Paths pino censors in every line. Nothing here logs keys or tokens, but a future serializer or a debug line
// that logs a reply or header object must not leak them either.
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  'key',
  'k',
  'keys',
  'masterKey',
  '*.key',
  '*.k',
  '*.keys',
  '*.token',
  '*.masterKey',
];

const BODY_TYPES = ['application/json', 'application/octet-stream', 'text/plain'];

function loggerConfig(log: LogOptions | false | undefined) {
  if (log === false) return false;
  return {
    level: log?.level ?? 'info',
    redact: { paths: REDACT, censor: '[redacted]' },
    ...(log?.stream === undefined ? {} : { stream: log.stream }),
  };
}

function errorBody(error: HttpError | FastifyError, status: number): { error: string; message: string } {
  if (error instanceof HttpError) return { error: error.code, message: error.message };
  switch (status) {
    case 413:
      return { error: 'body_too_large', message: `request body exceeds ${MAX_BODY_BYTES} bytes` };
    case 415:
      return { error: 'unsupported_media_type', message: `Content-Type must be one of ${BODY_TYPES.join(', ')}, or absent` };
    default:
      return { error: 'bad_request', message: error.message };
  }
}

export async function buildLicenseApp(options: LicenseAppOptions): Promise<FastifyInstance> {
  const { store } = options;
  const authenticate = createAuthenticator(options.auth);
  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const app = Fastify({
    logger: loggerConfig(options.log),
    logController: new LogController({ disableRequestLogging: options.log === false || options.log?.requests !== true }),
    bodyLimit: MAX_BODY_BYTES,
    // Node's http server enforces these, not Fastify. Its headersTimeout (60 s) must not exceed requestTimeout,
    // else a client that drips its body is never timed out (Node 20 to 24); Fastify sets only requestTimeout. Node
    // looks for expired requests every connectionsCheckingInterval (30 s by default, which made 10 s into ~30 s).
    // requestTimeout goes into `http` too: Node checks headersTimeout against it when the server is made, before
    // Fastify sets it, so any timeout past Node's default (300 s) was refused at startup.
    requestTimeout,
    http: { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.max(10, Math.min(1000, requestTimeout / 4)) },
    keepAliveTimeout: options.keepAliveTimeoutMs ?? KEEP_ALIVE_TIMEOUT_MS,
    // Stop accepting at close(), but don't let idle keep-alive sockets hold a shutdown open.
    forceCloseConnections: 'idle',
  });
  const closeConnections = connectionCloser(app.server, requestTimeout);
  app.addHook('preClose', (done) => {
    closeConnections();
    done();
  });

  await app.register(cors, {
    origin: options.corsOrigin ?? '*',
    methods: ['GET', 'POST'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    exposedHeaders: ['WWW-Authenticate'],
    maxAge: 600,
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(BODY_TYPES, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  // The catch-all parser sees both a missing Content-Type (allowed: raw ArrayBuffer posts) and unknown ones.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    if (request.headers['content-type'] === undefined) done(null, body);
    else done(new HttpError(415, 'unsupported_media_type', `Content-Type must be one of ${BODY_TYPES.join(', ')}, or absent`), undefined);
  });

  app.setErrorHandler((error: FastifyError | HttpError | Error, request, reply) => {
    const status = error instanceof HttpError ? error.status : (error as Partial<FastifyError>).statusCode;
    if (status !== undefined && status < 500) {
      const body = errorBody(error as HttpError | FastifyError, status);
      request.log.debug({ status, error: body.error }, 'request refused');
      if (error instanceof HttpError) reply.headers(error.headers);
      return reply.code(status).send(body);
    }
    if (error instanceof KeyIntegrityError) {
      // The message names no key; the row's key ID is not logged either, so the log stays safe to ship.
      request.log.error({ err: { name: error.name, message: error.message } }, 'stored key failed authentication');
      return reply.code(500).send({ error: 'key_integrity', message: 'a stored key failed authentication' });
    }
    request.log.error({ err: error }, 'license request failed');
    return reply.code(500).send({ error: 'internal_error', message: 'internal server error' });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` }),
  );

  app.post('/license', async (request, reply) => {
    const entitlement = await authenticate(request.headers.authorization);
    const body = request.body;
    if (!Buffer.isBuffer(body) || body.byteLength === 0) {
      throw new HttpError(400, 'bad_request', 'the body must be a Clear Key license request or release');
    }
    const answer = await answerLicenseMessage(parseLicenseMessage(body), entitlement, store);
    // A license must never sit in a shared cache.
    reply.header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-store');
    return answer;
  });

  app.get('/healthz', async (request, reply) => {
    try {
      await store.ping();
    } catch (error) {
      request.log.error({ err: error }, 'key store unreachable');
      return reply.code(503).send({ error: 'store_unavailable', message: 'the key store does not answer' });
    }
    return { status: 'ok', store: store.kind };
  });

  return app;
}
