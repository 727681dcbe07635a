// api.js: the one way the interface talks to /api/v1. JSON in and out (an attachment goes up as the
// raw file; the audit checkpoint and key come back as text); every state-changing request
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
  return request(method, path, body === undefined ? undefined : JSON.stringify(body), 'application/json', 'json');
}

// A file as the raw request body (POST /incidents/{id}/attachments takes the bytes themselves).
export async function apiUpload(path, blob) {
  return request('POST', path, blob, 'application/octet-stream', 'json');
}

// A text/plain answer (the audit checkpoint and verifier key), or null for 204.
export async function apiText(path) {
  return request('GET', path, undefined, undefined, 'text');
}

async function request(method, path, payload, type, want) {
  const headers = { Accept: want === 'text' ? 'text/plain, application/problem+json' : 'application/json', 'Accept-Language': getLang() === 'en' ? 'en' : 'vi' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (method !== 'GET' && method !== 'HEAD') {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers['X-CSRF-Token'] = token;
  }
  if (payload !== undefined) {
    headers['Content-Type'] = type;
    init.body = payload;
  }
  let res;
  try {
    res = await fetch('/api/v1' + path, init);
  } catch (e) {
    throw new ApiError(0, null);
  }
  if (res.status === 204) return null;
  const ctype = res.headers.get('Content-Type') || '';
  if (res.ok && want === 'text') return res.text();
  const data = ctype.includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}
