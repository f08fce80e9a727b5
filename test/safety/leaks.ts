// What a client-facing error message must never carry: a host, a port, a database name, a connection URL or
// a driver's own text. The fault tests pass every message they produced through leaksConnectionDetails.

const DRIVER_TEXT = [
  /ECONN[A-Z]+/,
  /ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EPIPE/,
  /PROTOCOL_[A-Z_]+/,
  /\bER_[A-Z_]+/,
  /Query inactivity timeout/,
  /Queue limit reached/,
  /Access denied/,
  /Unknown database/,
  /getaddrinfo/,
  /\bconnect\b.*\d/,
];

const CONNECTION_DETAILS = [/\b127\.0\.0\.1\b/, /\blocalhost\b/, /\[?::1\]?:\d/, /\b3306\b/, /\b6379\b/, /mysql:\/\//, /redis:\/\//, /graphscale_[a-z0-9_]+/];

/** Whether `message` names a host, port, database, URL or driver text; `extra` are this run's ports and database names. */
export function leaksConnectionDetails(message: string, extra: readonly string[] = []): boolean {
  for (const pattern of [...DRIVER_TEXT, ...CONNECTION_DETAILS]) if (pattern.test(message)) return true;
  for (const word of extra) if (new RegExp(`\\b${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`).test(message)) return true;
  return false;
}
