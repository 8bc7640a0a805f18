// pino options shared by the server and the CLI. Secrets and personal data are redacted by
// path wherever they could appear in a logged object; request logs never include bodies.
import pino, { type LoggerOptions } from 'pino';

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.refreshToken',
  '*.accessToken',
  '*.token',
  '*.otp',
  '*.secret',
  '*.nationalId',
  '*.ssn',
  'password',
  'refreshToken',
  'accessToken',
  'nationalId',
];

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/**
 * Request lines keep the path and the names of query parameters, never their values: a staff
 * search such as `?q=<national id>` must not reach the logs.
 */
export function requestSerializer(req: LoggedRequest): Record<string, unknown> {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const query =
    q < 0
      ? ''
      : `?${url
          .slice(q + 1)
          .split('&')
          .map((p) => `${/^[A-Za-z][\w.[\]-]{0,39}$/.test(p.split('=')[0] ?? '') ? p.split('=')[0] : '_'}=~`)
          .join('&')}`;
  return {
    method: req.method,
    url: (q < 0 ? url : url.slice(0, q)) + query,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    serializers: { req: requestSerializer },
    redact: { paths: redactPaths, censor: '[redacted]' },
    base: { service: 'corebank' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
