// test_ui.mjs: the web interface in Debian's headless Chromium, driven by playwright-core, against
// the real `attt serve` on 127.0.0.1 with a temporary data directory. It walks what a civil servant
// and a security officer do first: log in with the issued one-time password, change it (R6.1.a)
// with the rule checked live as they type (R6.1.đ), enrol the second factor where the role needs
// it, acknowledge the rules (R5.1), report an incident with the malware guidance on screen (R8.8)
// and the severity questionnaire (R11.1), read it back, classify it, end sessions, log out
// (R6.1.c). It also holds the page to the security headers: no script error, no Content-Security-
// Policy violation, and a state-changing request without the CSRF token is refused.
//
// Environment: ATTT_BIN (the attt binary), CHROMIUM (default /usr/bin/chromium), ATTT_UI_SHOTS (a
// directory: full-page screenshots of the main pages are saved there, for a human to look at).
// test_pages.mjs walks the pages of officers, heads, auditors and admins; common.mjs holds the rest.
import { attt, atttJson, check, equal, launch, newPage, ready, run, shot, startServer, totp } from './common.mjs';

// An RFC 3339 time as the interface shows it, dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh (UTC+7 all year):
// a check on a time the server chose ("now") must not depend on the year the test runs in.
function vnTime(iso) {
  const d = new Date(new Date(iso).getTime() + 7 * 3600 * 1000);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
}

async function main() {
  atttJson('init');
  attt('agency', 'add', '--name', 'UBND tỉnh Thái Nguyên', '--type', 'province');
  attt('agency', 'add', '--name', 'Sở Nội vụ', '--type', 'department', '--parent', '1');
  const staff = atttJson('user', 'add', '--username', 'an.nv', '--new-person', 'Nguyễn Văn An', '--agency', '2', '--role', 'staff');
  const officer = atttJson('user', 'add', '--username', 'binh.tt', '--new-person', 'Trần Thị Bình', '--agency', '2', '--role', 'security_officer');
  atttJson('user', 'add', '--username', 'cuong.lv', '--new-person', 'Lê Văn Cường', '--agency', '2', '--role', 'staff');
  const base = await startServer();

  const browser = await launch();
  const errors = [];

  // ---- a civil servant --------------------------------------------------------------------------
  const ctx = await browser.newContext({ locale: 'vi-VN', timezoneId: 'Europe/London' });
  const page = await newPage(ctx, errors);
  const first = await page.goto(base + '/');
  const csp = first.headers()['content-security-policy'] || '';
  check(csp.includes("default-src 'self'") && !csp.includes('unsafe-inline'), 'the page is served under a strict Content-Security-Policy');
  await ready(page);
  equal(await page.locator('h1').textContent(), 'Đăng nhập', 'an anonymous visitor lands on the Vietnamese login page');

  await page.fill('input[name=username]', 'an.nv');
  await page.fill('input[name=password]', 'Sai-mat-khau-1');
  await page.click('button[type=submit]');
  await page.waitForSelector('.msg.error');
  check((await page.locator('.msg.error').textContent()).includes('Tên đăng nhập hoặc mật khẩu không đúng'), 'a wrong password is refused with the server\'s Vietnamese message');

  await page.fill('input[name=password]', staff.password);
  await page.click('button[type=submit]');
  await page.waitForURL(/#\/password$/);
  check((await page.locator('.notice').textContent()).includes('R6.1.a'), 'R6.1.a: the one-time password must be changed before anything else');

  // R6.1.đ: the rule is checked live as the user types, each failure named in Vietnamese.
  await page.fill('#pw-new', 'abc');
  await page.waitForSelector('#pw-live li[data-rule="too_short"]');
  await shot(page, 'password');
  check((await page.locator('#pw-live').textContent()).includes('Mật khẩu quá ngắn'), 'R6.1.đ: a short password is refused live, in Vietnamese');
  await page.fill('#pw-new', 'Nguyen-Van-An-2026');
  await page.waitForSelector('#pw-live li[data-rule="contains_name"]');
  check(true, 'R6.1.đ: a password containing the person\'s name (without diacritics) is refused live');
  const newPass = 'Đồi-chè-Tân-Cương#2026';
  await page.fill('#pw-new', newPass);
  await page.waitForSelector('#pw-live p.ok');
  await page.fill('input[autocomplete=current-password]', staff.password);
  await page.fill('#pw-again', newPass);
  await page.click('button[type=submit]');
  await page.waitForURL(/#\/rules$/);
  check(true, 'after the change the next gate is the rules (R5.1)');
  check((await page.locator('.rules-body').textContent()).length > 50, 'the rules text is shown to acknowledge');
  await page.click('#ack');
  await page.waitForURL(/#\/$/);
  equal(await page.locator('h1').textContent(), 'Xin chào, Nguyễn Văn An', 'the home page greets the person by name');

  // R8.8: reporting shows the malware guidance; R11.1: the questionnaire suggests the level.
  await page.click('nav a[href="#/report"]');
  await page.waitForSelector('#guidance');
  check((await page.locator('#guidance').textContent()).includes('ngắt kết nối'), 'R8.8: the report form shows the guidance for suspected malware');
  await page.fill('input[name=title]', 'Máy trạm phòng Kế toán nhiễm mã độc');
  await page.fill('textarea[name=description]', 'Máy chạy chậm, tự mở trang lạ; đã tắt máy và rút cáp mạng.');
  await page.fill('input[name=detected_at]', '31/02/2026 08:30');
  await page.click('button[type=submit]');
  await page.waitForSelector('.msg.error');
  check((await page.locator('.msg.error').textContent()).includes('dd/mm/yyyy'), 'a date that does not exist is refused in the browser, naming the format');
  await page.fill('input[name=detected_at]', '20/11/2026 08:30');
  await page.fill('input[name=affected_system]', 'ketoan-01, 10.0.0.5');
  await page.selectOption('select[name=incident_type]', 'malware');
  await page.check('input[name=group]');
  await page.check('input[name=main]');
  await page.waitForFunction(() => document.getElementById('suggestion').textContent.length > 0);
  await shot(page, 'report');
  const suggested = await (await ctx.request.get(base + '/api/v1/incidents/suggest?group=true&main=true&several=false&defaced=false')).json();
  equal(await page.inputValue('#severity'), suggested.severity, 'R11.1: the questionnaire sets the level the server suggests');
  await page.click('button[type=submit]');
  await page.waitForSelector('#reported');
  const id = Number(/(\d+)/.exec(await page.locator('#reported').textContent())[1]);
  check(id > 0, 'R8.8: the report is recorded and its number shown');
  check((await page.locator('#guidance').textContent()).includes('Internet'), 'R8.8: the answer repeats the guidance');
  const stored = atttJson('incident', 'show', String(id));
  equal(stored.title, 'Máy trạm phòng Kế toán nhiễm mã độc', 'the title is stored with its diacritics');
  equal(stored.incident_type, 'malware', 'the incident type is stored');
  equal(stored.severity, suggested.severity, 'the suggested severity is stored');
  equal(new Date(stored.detected_at).toISOString(), '2026-11-20T01:30:00.000Z', 'the detection time is read as Asia/Ho_Chi_Minh whatever the browser\'s zone');

  // R6.1.c: the CSRF token is what makes a state-changing request count.
  const noToken = await page.evaluate(async () => (await fetch('/api/v1/auth/logout', { method: 'POST', credentials: 'same-origin' })).status);
  equal(noToken, 403, 'R6.1.c: a state-changing request without the CSRF token is refused');

  await page.click('#lang');
  await page.waitForSelector('nav a[href="#/report"]');
  equal(await page.locator('nav a[href="#/report"]').textContent(), 'Report an incident', 'the interface switches to English');
  await page.click('#lang');

  await page.click('nav a[href="#/sessions"]');
  await page.waitForSelector('#sessions tbody tr');
  check((await page.locator('#sessions').textContent()).includes('Phiên này'), 'R6.1.c: the user sees their session');
  check(/\d\d\/\d\d\/\d{4} \d\d:\d\d/.test(await page.locator('#sessions tbody tr').first().textContent()), 'times are shown as dd/mm/yyyy HH:MM');

  await page.click('#logout');
  await page.waitForURL(/#\/login$/);
  await page.goto(base + '/#/report');
  await page.waitForURL(/#\/login$/);
  check(true, 'R6.1.c: after logging out, the pages lead back to the login');

  // ---- a security officer: second factor, then the incident ------------------------------------
  const ctx2 = await browser.newContext({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const p2 = await newPage(ctx2, errors);
  await p2.goto(base + '/');
  await ready(p2);
  await p2.fill('input[name=username]', 'binh.tt');
  await p2.fill('input[name=password]', officer.password);
  await p2.click('button[type=submit]');
  await p2.waitForURL(/#\/password$/);
  const pass2 = 'Sông-Cầu-nước-trong#9';
  await p2.fill('input[autocomplete=current-password]', officer.password);
  await p2.fill('#pw-new', pass2);
  await p2.fill('#pw-again', pass2);
  await p2.click('button[type=submit]');
  await p2.waitForURL(/#\/mfa$/);
  const secret = (await p2.locator('#mfa-secret').textContent()).trim();
  const enrolCode = totp(secret);
  await p2.fill('#mfa-code', enrolCode);
  await p2.click('button[type=submit]');
  await p2.waitForSelector('#mfa-codes li');
  equal(await p2.locator('#mfa-codes li').count(), 10, 'the officer enrols TOTP and is shown ten recovery codes once');
  const recovery = (await p2.locator('#mfa-codes li').first().textContent()).trim();
  await p2.click('#mfa-done');
  await p2.waitForURL(/#\/rules$/);
  await p2.click('#ack');
  await p2.waitForURL(/#\/$/);

  // R6.2.b: five wrong passwords lock a colleague's account, which notifies the agency's officer:
  // the header shows it, and so does the inbox.
  for (let i = 0; i < 5; i++)
    await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'cuong.lv', password: 'Sai-mat-khau-1' }) });
  // The count is the server's, and the header must come to show it: the badge is already visible
  // (the staff member's report notified the officer), so reading it at once could read the count
  // from before the lock while the refresh of this page change is still on its way (seen under load).
  const unreadBefore = (await (await ctx2.request.get(base + '/api/v1/me/inbox?unread=true&limit=1')).json()).unread;
  check(unreadBefore >= 1, 'the officer has unread notifications');
  await p2.click('nav a[href="#/sessions"]'); // any page change refreshes the count
  await p2.waitForFunction((n) => {
    const b = document.getElementById('unread');
    return b && !b.hidden && Number(b.textContent) === n;
  }, unreadBefore);
  check(true, 'the header shows the officer\'s unread notifications');
  await p2.click('#nav-inbox');
  const note = p2.locator('#inbox li.unread[data-kind="account.locked"]').first();
  await note.waitFor();
  check((await note.textContent()).includes('cuong.lv'), 'the inbox shows the lock notice, naming the account');
  await note.locator('button.mark').click();
  await p2.waitForSelector('#inbox li[data-kind="account.locked"]:not(.unread)');
  await p2.waitForFunction((n) => {
    const b = document.getElementById('unread');
    return b && (b.hidden ? 0 : Number(b.textContent)) === n - 1;
  }, unreadBefore);
  check(true, 'marking it read lowers the unread count');

  // R6.2.b: the officer sees the lock on the accounts page, lifts it and re-issues a password,
  // which is temporary (R6.1.a).
  await p2.click('nav a[href="#/accounts"]');
  const locked = p2.locator('#accounts tr[data-username="cuong.lv"]');
  await locked.waitFor();
  check((await locked.locator('td.state').textContent()).includes('Bị khóa đến'), 'R6.2.b: the accounts page shows the lock and its end');
  await shot(p2, 'accounts');
  await locked.locator('button.act-unlock').click();
  await p2.waitForSelector('#accounts tr[data-username="cuong.lv"] button.act-lock');
  check(!(await locked.locator('td.state').textContent()).includes('Bị khóa'), 'R6.2.b: a security officer unlocks the account');
  await locked.locator('button.act-reset').click();
  await p2.waitForSelector('#temp-password');
  const temp = (await p2.locator('#temp-password').textContent()).trim();
  const relog = await fetch(base + '/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: 'cuong.lv', password: temp }) });
  const relogBody = await relog.json();
  check(relog.status === 200 && relogBody.must_change_password === true, 'R6.1.a: the re-issued password logs in and must be changed');

  // Roles on agency subtrees, granted and revoked in place: the officer may give agency_head within
  // their agency, not auditor (the server's refusal is shown).
  const rolesOf = () => (atttJson('user', 'show', 'cuong.lv').roles || []).map((g) => `${g.role}@${g.agency}`).sort().join(',');
  await locked.locator('button.roles').click();
  await locked.locator('form.role-form select[name=role]').selectOption('agency_head');
  await locked.locator('form.role-form select[name=agency]').selectOption('2');
  await locked.locator('form.role-form button.grant').click();
  await p2.waitForFunction(() => /Thủ trưởng/.test(document.querySelector('#accounts tr[data-username="cuong.lv"] td.roles-held')?.textContent || ''));
  equal(rolesOf(), 'agency_head@2,staff@2', 'an officer grants agency_head on their agency from the accounts page (checked with attt user show)');
  await locked.locator('button.roles').click();
  await locked.locator('form.role-form select[name=role]').selectOption('auditor');
  await locked.locator('form.role-form select[name=agency]').selectOption('2');
  await locked.locator('form.role-form button.grant').click();
  await p2.waitForSelector('#accounts tr[data-username="cuong.lv"] form.role-form .msg.error');
  equal(rolesOf(), 'agency_head@2,staff@2', 'a role an officer may not give is refused, and nothing changes');
  await locked.locator('form.role-form select[name=role]').selectOption('agency_head');
  await locked.locator('form.role-form button.revoke').click();
  await p2.waitForFunction(() => !document.querySelector('#accounts tr[data-username="cuong.lv"] form.role-form'));
  equal(rolesOf(), 'staff@2', 'and revokes it again');

  await p2.click('nav a[href="#/incidents"]');
  await p2.waitForSelector(`#incident-list tr[data-id="${id}"]`);
  const row = await p2.locator(`#incident-list tr[data-id="${id}"]`).textContent();
  check(row.includes('Máy trạm phòng Kế toán nhiễm mã độc'), 'the officer sees the staff member\'s report in the list');
  check(row.includes(vnTime(stored.reported_at)), 'the list shows the report time as dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh');
  await p2.click(`#incident-list tr[data-id="${id}"] a`);
  await p2.waitForSelector('#classify');
  check((await p2.locator('#facts').textContent()).includes('đã tắt máy và rút cáp mạng'), 'the incident page shows the description');
  check((await p2.locator('#facts').textContent()).includes('20/11/2026 08:30'), 'the detection time is shown as entered, dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh');
  await p2.selectOption('#classify select', 'khan-cap');
  await p2.fill('#classify input', 'Lây lan sang nhiều máy trong cơ quan');
  await p2.click('#classify button[type=submit]');
  await p2.waitForFunction(() => /khan-cap/.test(document.getElementById('timeline').textContent));
  await shot(p2, 'incident');
  equal(atttJson('incident', 'show', String(id)).severity, 'khan-cap', 'R11.1: the officer\'s classification is stored');

  // The second login of the officer needs the second factor: the field appears when asked for. The
  // TOTP code of this 30-second window was spent on the enrolment (no replay): it is refused, and a recovery code is taken.
  await p2.click('#logout');
  await p2.waitForURL(/#\/login$/);
  await p2.fill('input[name=username]', 'binh.tt');
  await p2.fill('input[name=password]', pass2);
  await p2.click('button[type=submit]');
  await p2.waitForSelector('input[name=totp]:visible');
  await p2.fill('input[name=totp]', enrolCode);
  const [replay] = await Promise.all([
    p2.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login')),
    p2.click('button[type=submit]'),
  ]);
  equal(replay.status(), 401, 'a TOTP code already used in its window is refused (no replay)');
  await p2.fill('input[name=totp]', recovery);
  await p2.click('button[type=submit]');
  await p2.waitForURL(/#\/$/);
  check(true, 'a second login asks for the second factor and accepts a recovery code');

  equal(errors.join('\n'), '', 'no script error and no Content-Security-Policy violation on any page');
}

await run(main);
