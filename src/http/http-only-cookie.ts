// One HttpOnly cookie of the server's own (the browser session's refresh token, an SSO attempt):
// scoped to a path, with a lifetime and a SameSite rule, and Secure whenever the client reached us
// over HTTPS (directly, or through a trusted proxy that says so) — a cookie marked Secure on plain
// http://localhost would never be sent back.
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface HttpOnlyCookie {
  set(request: FastifyRequest, reply: FastifyReply, value: string): void;
  clear(request: FastifyRequest, reply: FastifyReply): void;
  read(request: FastifyRequest): string | undefined;
}

export function httpOnlyCookie(name: string, settings: { path: string; sameSite: 'strict' | 'lax'; ttlMs: number }): HttpOnlyCookie {
  const options = (request: FastifyRequest) => ({ path: settings.path, httpOnly: true, sameSite: settings.sameSite, secure: request.protocol === 'https' });
  return {
    set: (request, reply, value) => void reply.setCookie(name, value, { ...options(request), maxAge: settings.ttlMs / 1000 }),
    clear: (request, reply) => void reply.clearCookie(name, options(request)),
    read: (request) => request.server.parseCookie(request.headers.cookie ?? '')[name],
  };
}
