// Who may use the dashboard and how a mutation proves it came from the dashboard's own page.
//
// Invariants:
// - A bind other machines can reach is refused unless a token is set; with a token, every
//   request but the login form and static files carries it (bearer header, or the session
//   cookie the login form sets — a hash of the token, never the token).
// - Every mutation is a POST whose form carries the CSRF token of the browser's cookie (double
//   submit; the cookie is SameSite=Strict) and, when the browser sends one, an Origin equal to
//   the dashboard's own. A bearer-authenticated request needs neither: no other site can make
//   a browser send that header.
// - Pages may run only the dashboard's own scripts (Content-Security-Policy): even a payload
//   that escaped escaping could not execute.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";

export const SESSION_COOKIE = "wm_session";
export const CSRF_COOKIE = "wm_csrf";

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

export function isLoopback(host: string): boolean {
  return (
    host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}

export function sessionValue(token: string): string {
  return createHash("sha256").update(`${token}\u0000waymark-session`).digest("hex");
}

export function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Security headers, the CSRF cookie, and (with a token) authentication. */
export function guard(token: string | undefined, base: string): MiddlewareHandler {
  return async (c, next) => {
    c.header("Content-Security-Policy", CSP);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    c.header("X-Frame-Options", "DENY");
    if (!getCookie(c, CSRF_COOKIE)) {
      const fresh = randomBytes(24).toString("hex");
      setCookie(c, CSRF_COOKIE, fresh, { path: "/", httpOnly: true, sameSite: "Strict" });
      c.set("csrf" as never, fresh as never);
    }
    const path = new URL(c.req.url).pathname.slice(base.length);
    if (token && !path.startsWith("/static/") && path !== "/login" && !authenticated(c, token)) {
      if (c.req.method === "GET")
        return c.redirect(`${base}/login?next=${encodeURIComponent(path)}`, 303);
      return c.text("authentication required (WAYMARK_WEBAPP_TOKEN)", 401);
    }
    if (c.req.method === "POST" && path !== "/login" && !bearer(c, token)) {
      const problem = await csrfProblem(c);
      if (problem) return c.text(`refused: ${problem}`, 403);
    }
    await next();
  };
}

function bearer(c: Context, token: string | undefined): boolean {
  const h = c.req.header("authorization") ?? "";
  return token !== undefined && h.startsWith("Bearer ") && same(h.slice(7), token);
}

function authenticated(c: Context, token: string): boolean {
  if (bearer(c, token)) return true;
  const s = getCookie(c, SESSION_COOKIE);
  return s !== undefined && same(s, sessionValue(token));
}

/** The CSRF token a page of this browser's session carries. */
export function csrfOf(c: Context): string {
  return getCookie(c, CSRF_COOKIE) ?? (c.get("csrf" as never) as string | undefined) ?? "";
}

async function csrfProblem(c: Context): Promise<string | undefined> {
  const origin = c.req.header("origin");
  if (origin && origin !== "null") {
    const own = new URL(c.req.url);
    const host = c.req.header("host") ?? own.host;
    if (new URL(origin).host !== host) return `cross-origin request from ${origin}`;
  }
  const cookie = getCookie(c, CSRF_COOKIE);
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const sent = typeof form._csrf === "string" ? form._csrf : "";
  if (!cookie || !sent || !same(cookie, sent))
    return "missing or wrong CSRF token (reload the page)";
  return undefined;
}
