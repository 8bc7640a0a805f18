// The one error handler: every error leaves as RFC 9457 application/problem+json with a stable
// code from the catalogue and the request id. Anything unexpected is a 500 INTERNAL whose
// detail reveals nothing; client mistakes that Fastify itself detects map to 4xx codes.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { BankError, errorCatalogue, type ErrorCode, type FieldError } from '../errors.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  errors?: FieldError[];
}

export function problemFor(err: BankError, requestId: string): Problem {
  return {
    type: `https://corebank.dev/errors/${err.code}`,
    title: errorCatalogue[err.code].title,
    status: err.status,
    detail: err.message,
    code: err.code,
    requestId,
    ...(err.errors ? { errors: err.errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, err: BankError): FastifyReply {
  if (err.headers) void reply.headers(err.headers);
  return reply
    .code(err.status)
    .type('application/problem+json')
    .send(problemFor(err, String(reply.request.id)));
}

const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_REQUEST',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_REQUEST',
  FST_ERR_VALIDATION: 'INVALID_REQUEST',
};

/** Translates anything thrown into a BankError. */
export function toBankError(error: unknown): BankError {
  if (error instanceof BankError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((v) => ({
      path: `${error.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`,
      message: v.message ?? 'is not valid',
    }));
    return new BankError('INVALID_REQUEST', 'The request does not match the schema', { errors });
  }
  const fe = (error ?? {}) as Partial<FastifyError>;
  if (error instanceof SyntaxError && fe.statusCode === 400) {
    return new BankError('INVALID_REQUEST', 'The body is not valid JSON');
  }
  const mapped = fe.code ? fastifyCodes[fe.code] : undefined;
  if (mapped) return new BankError(mapped, fe.message);
  if (fe.statusCode === 429) return new BankError('RATE_LIMITED', fe.message);
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new BankError('INVALID_REQUEST', fe.message);
  }
  return new BankError('INTERNAL', 'An unexpected error occurred; it has been logged', { cause: error });
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const bankError = toBankError(error);
    if (bankError.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, bankError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      new BankError('NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}
