// api.js: the one way the interface talks to /api/v1. JSON in and out; every state-changing request
// carries the session's CSRF token (R6.1.c; the server checks it against the HttpOnly cookie, which
// script never sees); errors come back as RFC 9457 problems and are thrown as ApiError with the
// server's text in the interface's language.
import { getLang } from './i18n.js';

const TOKEN_KEY = 'attt.csrf';

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

// The CSRF token lives for the tab only (sessionStorage): it is useless without the cookie and is
// forgotten when the tab closes.
export function setCsrf(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}
export function hasCsrf() { return !!sessionStorage.getItem(TOKEN_KEY); }

export async function api(method, path, body) {
  const headers = { Accept: 'application/json', 'Accept-Language': getLang() === 'en' ? 'en' : 'vi' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (method !== 'GET' && method !== 'HEAD') {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers['X-CSRF-Token'] = token;
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch('/api/v1' + path, init);
  } catch (e) {
    throw new ApiError(0, null);
  }
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}
