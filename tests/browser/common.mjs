// common.mjs: what the browser tests share: the checks and their count, the attt CLI on a temporary
// data directory, `attt serve` on 127.0.0.1, TOTP as an authenticator computes it, pages that record
// script errors and Content-Security-Policy violations, screenshots (ATTT_UI_SHOTS), and the API
// gates of a new account (password change, second factor, rules) walked without a browser.
import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

export const ATTT = process.env.ATTT_BIN;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
if (!ATTT) { console.error('test_ui: ATTT_BIN is not set'); process.exit(2); }

let failures = 0;
let checks = 0;
export function check(cond, what) {
  checks++;
  if (!cond) { failures++; console.error(`FAIL: ${what}`); } else console.log(`ok - ${what}`);
}
export function equal(a, b, what) { check(a === b, `${what} (got ${JSON.stringify(a)}, want ${JSON.stringify(b)})`); }

export const tmp = mkdtempSync(join(tmpdir(), 'attt-ui-'));
export const data = join(tmp, 'data');
export const attt = (...args) => execFileSync(ATTT, [...args, '--data', data], { encoding: 'utf8' });
export const atttJson = (...args) => JSON.parse(attt(...args, '--json'));

// RFC 6238 TOTP (SHA-1, 30 s, 6 digits) of a base32 secret, as an authenticator app computes it.
export function totp(secret, when = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(when / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const off = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, '0');
}

const SHOTS = process.env.ATTT_UI_SHOTS;
export async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, name + '.png'), fullPage: true });
}

let server = null;
let browser = null;

export async function startServer() {
  server = spawn(ATTT, ['serve', '--data', data, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: server.stdout });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no "listening on" line from attt serve')), 20000);
    lines.on('line', (line) => {
      const m = /listening on (https?:\/\/)?([^\s/]+)/.exec(line);
      if (m) { clearTimeout(timer); resolve(`http://${m[2]}`); }
    });
    server.on('exit', (code) => reject(new Error(`attt serve exited ${code}`)));
  });
}

export async function launch() {
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  return browser;
}

// A page that records script errors and CSP violations; fetch failures (401, 422 …) that the
// interface handles are logged by Chromium as "Failed to load resource" and are not errors here.
export async function newPage(ctx, errors) {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`);
  });
  return page;
}

export async function ready(page) { await page.waitForSelector('body[data-ready="1"]'); }

// Waits until the page on screen was drawn for the current address (app.js sets main's data-route
// when a page is done), so a check never reads the page before.
export async function settled(page) {
  await page.waitForFunction(() => document.getElementById('main').dataset.route === location.hash);
}

// The gates of a new account walked through the API, for tests about what comes after them: the
// issued password is changed to `password`, the second factor enrolled when the role needs it, the
// rules acknowledged. Answers the recovery codes (empty without a second factor): logins in the
// same 30-second window cannot reuse the enrolment's TOTP code.
export async function passGates(base, username, issued, password) {
  let cookie = '';
  let csrf = '';
  const call = async (method, path, body) => {
    const headers = { Cookie: cookie, 'X-CSRF-Token': csrf };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(base + '/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const set = r.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0];
    const out = (r.headers.get('content-type') || '').includes('json') ? await r.json() : null;
    if (!r.ok) throw new Error(`${method} ${path} for ${username}: ${r.status} ${JSON.stringify(out)}`);
    return out;
  };
  csrf = (await call('POST', '/auth/login', { username, password: issued })).csrf_token;
  await call('POST', '/auth/password', { current: issued, new: password });
  const again = await call('POST', '/auth/login', { username, password });
  csrf = again.csrf_token;
  let codes = [];
  if (again.mfa_enrol_required) {
    const enrol = await call('POST', '/auth/mfa/enrol');
    codes = (await call('POST', '/auth/mfa/verify', { code: totp(enrol.secret) })).recovery_codes;
  }
  await call('POST', '/me/acknowledge');
  await call('POST', '/auth/logout');
  return codes;
}

// Logs in through the login page; `code` answers the second-factor question when it is asked.
export async function login(page, base, username, password, code) {
  await page.goto(base + '/#/login');
  await ready(page);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  if (code) {
    await page.waitForSelector('input[name=totp]:visible');
    await page.fill('input[name=totp]', code);
    await page.click('button[type=submit]');
  }
  await page.waitForURL(/#\/$/);
}

// Runs a test's main(), then closes the browser and the server, removes the data, and exits 0 only
// when checks ran and none failed.
export async function run(main) {
  try {
    await main();
  } catch (e) {
    console.error(`FAIL: ${e.stack || e}`);
    failures++;
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (server) server.kill('SIGTERM');
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`${checks} checks, ${failures} failed`);
  process.exit(failures || checks === 0 ? 1 : 0);
}
