// browser.mjs URL OUTDIR PLAYWRIGHT_DIR: drives Debian's chromium (nothing
// downloaded) through the console and the portal with playwright-core.
// Prints one "ok - ..."/"FAIL - ..." line per check; test_browser.py counts.
// Screenshots go to OUTDIR (kept as test artifacts).
import { createRequire } from 'node:module';
import path from 'node:path';

const [url, outdir, pwdir] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(pwdir), 'package.json'));
const { chromium } = require('playwright-core');

let failed = 0;
function check(cond, name) {
	console.log((cond ? 'ok - ' : 'FAIL - ') + name);
	if (!cond)
		failed++;
}

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
		'--disable-component-update', '--disable-sync'],
});
try {
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
	const page = await ctx.newPage();
	const problems = [];
	page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
	page.on('pageerror', (e) => problems.push(String(e)));
	const offsite = [];
	page.on('request', (r) => { if (!r.url().startsWith(url)) offsite.push(r.url()); });

	// the reseller's admin logs in and sees the overview chart render
	await page.goto(url + 'login');
	await page.fill('input[name=email]', 'admin@example.com');
	await page.fill('input[name=password]', 'admin-password-1');
	await Promise.all([page.waitForURL(url + 'console'), page.click('button[type=submit]')]);
	check(page.url() === url + 'console', 'admin logs in and lands on the overview');
	await page.waitForSelector('#overview-chart[data-rendered="3"]', { timeout: 10000 })
		.then(() => check(true, 'the overview chart renders (3 series)'),
		      () => check(false, 'the overview chart renders (3 series)'));
	await page.waitForSelector('#trend-chart[data-rendered="3"]', { timeout: 10000 })
		.then(() => check(true, 'the 12-month trend chart renders'),
		      () => check(false, 'the 12-month trend chart renders'));
	const painted = await page.evaluate(() => {
		const c = document.getElementById('overview-chart');
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 3; i < d.length; i += 4)
			if (d[i] !== 0) n++;
		return n;
	});
	check(painted > 1000, 'the chart painted pixels (' + painted + ')');
	const kpi = await page.textContent('#kpi-billed');
	check(/^-?\d+\.\d\d$/.test(kpi.trim()), 'billed this month is shown in cents: ' + kpi.trim());
	check(await page.isVisible('#unassigned-alert'), 'unassigned cost is shown as an alert');
	await page.screenshot({ path: path.join(outdir, 'overview.png'), fullPage: true });

	await page.click('a[href="/console/customers"]');
	await page.waitForSelector('#customers');
	const rows = await page.$$eval('#customers tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
	check(rows.join(',') === 'acme,brit,kaisha,us-co', 'the customers page lists the 4 customers: ' + rows.join(','));
	await page.screenshot({ path: path.join(outdir, 'customers.png'), fullPage: true });
	await page.click('#customers a[href="/console/customers/acme"]');
	await page.waitForSelector('#invoice-total');
	const total = (await page.textContent('#invoice-total')).trim();
	check(/^\d+\.\d\d$/.test(total), 'a customer\'s page shows its draft invoice total: ' + total);
	await page.screenshot({ path: path.join(outdir, 'customer-acme.png'), fullPage: true });

	// assign an unassigned account in one action
	await page.click('a[href="/console/accounts"]');
	await page.waitForSelector('#unassigned');
	// the table with its assign forms fits the 1280 px window (it once
	// made the page scroll sideways, ~1,500 px wide)
	const wide = await page.evaluate(() => document.documentElement.scrollWidth);
	check(wide <= 1280, 'the unassigned accounts page fits 1280 px (' + wide + ' px wide)');
	const before_n = await page.$$eval('#unassigned tbody tr', (r) => r.length);
	const account = await page.textContent('#unassigned tbody tr td:nth-child(2)');
	await page.selectOption('#unassigned tbody tr:first-child select[name=customer]', 'acme');
	await Promise.all([page.waitForURL(/assigned=/),
		page.click('#unassigned tbody tr:first-child button[type=submit]')]);
	check(await page.isVisible('#assigned'), 'assigning account ' + account + ' to acme shows a notice');
	const after_n = await page.$$eval('#unassigned tbody tr', (r) => r.length).catch(() => 0);
	check(after_n === before_n - 1, 'the account left the unassigned list (' + before_n + ' -> ' + after_n + ')');
	await page.screenshot({ path: path.join(outdir, 'accounts.png'), fullPage: true });

	// invoices: run the drafts, review one, finalize, download a PDF
	await page.click('a[href="/console/invoices"]');
	await page.waitForSelector('#run-form');
	await Promise.all([page.waitForURL(/done=run/), page.click('#run-form button[type=submit]')]);
	const drafts = await page.$$eval('#documents tbody tr td.status', (t) => t.map((x) => x.textContent));
	check(drafts.length === 4 && drafts.every((x) => x === 'draft'), 'run: 4 drafts listed (' + drafts.join(',') + ')');
	await Promise.all([page.waitForURL(/\/console\/invoices\/DRAFT-/), page.click('#documents tbody tr:first-child td a')]);
	const dtotal = (await page.textContent('#doc-total')).trim();
	check(/^\d+\.\d\d$/.test(dtotal), 'a draft can be reviewed before finalizing: total ' + dtotal);
	await page.screenshot({ path: path.join(outdir, 'invoice-draft.png'), fullPage: true });
	await page.goBack();
	await page.fill('#finalize-form input[name=date]', '2026-11-02');
	await Promise.all([page.waitForURL(/done=finalize/), page.click('#finalize-form button[type=submit]')]);
	const ids = await page.$$eval('#documents tbody tr', (r) => r.map((x) => x.getAttribute('data-id')));
	check(ids.join(',') === 'INV-2026-00001,INV-2026-00002,INV-2026-00003,INV-2026-00004',
		'finalize numbers the drafts: ' + ids.join(','));
	await page.screenshot({ path: path.join(outdir, 'invoices.png'), fullPage: true });
	const [dl] = await Promise.all([page.waitForEvent('download'),
		page.click('#documents tbody tr[data-id="INV-2026-00001"] a[data-format=pdf]')]);
	const pdfPath = path.join(outdir, 'INV-2026-00001.pdf');
	await dl.saveAs(pdfPath);
	const head = (await import('node:fs')).readFileSync(pdfPath).subarray(0, 5).toString();
	check(dl.suggestedFilename() === 'INV-2026-00001.pdf' && head === '%PDF-',
		'the invoice downloads as a PDF (' + dl.suggestedFilename() + ', ' + head + ')');
	await page.fill('#documents tbody tr[data-id="INV-2026-00002"] input[name=reason]', 'wrong plan');
	await Promise.all([page.waitForURL(/done=credit/),
		page.click('#documents tbody tr[data-id="INV-2026-00002"] form.credit button')]);
	const st2 = await page.textContent('#documents tbody tr[data-id="INV-2026-00002"] td.status');
	check(st2 === 'credited' && await page.isVisible('#documents tbody tr[data-id="CN-2026-00001"]'),
		'crediting INV-2026-00002 issues CN-2026-00001');
	await page.click('#rerate-link');
	await page.waitForSelector('#nothing-to-correct, .correction');
	check(await page.isVisible('#nothing-to-correct') || await page.isVisible('#rerate-form'),
		'the re-rate page previews the corrections before anything is issued');

	// plans, tax clusters, FX, imports (browser_webcfg.mjs)
	await (await import('./browser_webcfg.mjs')).webcfgFlow(page, url, outdir, check, problems);

	await Promise.all([page.waitForURL(url + 'login'), page.click('#logout')]);
	check(page.url() === url + 'login', 'log out returns to the login page');
	const after = await page.goto(url + 'console');
	check(page.url() === url + 'login', 'after logout the console redirects to login');

	// a customer user: its portal, and nothing of another customer
	await page.fill('input[name=email]', 'a@acme.example');
	await page.fill('input[name=password]', 'acme-password-1');
	await Promise.all([page.waitForURL(url + 'portal'), page.click('button[type=submit]')]);
	check(page.url() === url + 'portal', 'a customer user lands on its portal');
	await page.waitForSelector('#portal-chart[data-rendered="1"]', { timeout: 10000 })
		.then(() => check(true, 'the portal chart renders'), () => check(false, 'the portal chart renders'));
	const text = await page.textContent('main');
	check(text.includes('acme') && !text.includes('brit') && !/margin|unblended/i.test(text),
		'the portal shows acme\'s billed amounts, no other customer, no cost or margin');
	await page.screenshot({ path: path.join(outdir, 'portal.png'), fullPage: true });
	await page.goto(url + 'console/customers');
	check(page.url() === url + 'portal', 'the console\'s customers page sends a customer user back to its portal');
	await page.goto(url + 'console/customers/brit');
	const t2 = await page.textContent('main');
	check(page.url() === url + 'portal' && !t2.includes('Brit'),
		'another customer\'s page (/console/customers/brit) sends it back to its own portal');
	await page.click('a[href="/portal/invoices"]');
	await page.waitForSelector('#portal-documents');
	const pdocs = await page.$$eval('#portal-documents tbody tr td:first-child', (t) => t.map((x) => x.textContent));
	check(pdocs.join(',') === 'INV-2026-00001', 'the portal lists acme\'s own finalized invoice only: ' + pdocs.join(','));
	const [pdl] = await Promise.all([page.waitForEvent('download'), page.click('#portal-documents a[data-format=pdf]')]);
	check(pdl.suggestedFilename() === 'INV-2026-00001.pdf', 'the customer downloads its own PDF');
	await page.screenshot({ path: path.join(outdir, 'portal-invoices.png'), fullPage: true });

	// the portal's breakdowns: the trend chart, drill-down to resources, CSV
	await page.click('a[href="/portal/breakdown"]');
	await page.waitForSelector('#trend-chart[data-rendered]', { timeout: 10000 })
		.then(() => check(true, 'the portal\'s daily trend chart renders'),
		      () => check(false, 'the portal\'s daily trend chart renders'));
	const tpaint = await page.evaluate(() => {
		const c = document.getElementById('trend-chart');
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 3; i < d.length; i += 4)
			if (d[i] !== 0) n++;
		return n;
	});
	check(tpaint > 1000, 'the trend chart painted pixels (' + tpaint + ')');
	await page.waitForSelector('#breakdown-chart[data-rendered="1"]', { timeout: 10000 })
		.then(() => check(true, 'the breakdown chart renders'), () => check(false, 'the breakdown chart renders'));
	const btext = await page.textContent('main');
	check(btext.includes('acme') && !/brit|kaisha|margin|unblended|cost view/i.test(btext),
		'the breakdown shows acme\'s billed amounts only, no cost or margin');
	await page.screenshot({ path: path.join(outdir, 'portal-breakdown.png'), fullPage: true });
	await Promise.all([page.waitForURL(/by=account/), page.selectOption('#by', 'account')]);
	const accts = await page.$$eval('#breakdown tbody tr td:first-child', (t) => t.map((x) => x.textContent.trim()));
	// the other customers' accounts in examples/config.json
	check(accts.length > 0 && !accts.some((a) => ['101091972003', '101091972004', '102091972002',
		'102091972003'].includes(a)), 'by account: no other customer\'s account (' + accts.join(',') + ')');
	await Promise.all([page.waitForURL(/\/portal\/resources/), page.click('#breakdown a.drill')]);
	await page.waitForSelector('#resources-chart[data-rendered="1"]', { timeout: 10000 })
		.then(() => check(true, 'drill-down: the resources page and its chart render'),
		      () => check(false, 'drill-down: the resources page and its chart render'));
	const rrows = await page.$$eval('#resources tbody tr td:nth-child(3)', (t) => t.map((x) => x.textContent.trim()));
	check(rrows.length > 0 && rrows.every((a) => a === accts[0]),
		'the drill-down lists resources of ' + accts[0] + ' only (' + rrows.length + ')');
	await page.screenshot({ path: path.join(outdir, 'portal-resources.png'), fullPage: true });
	const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
	const { readFileSync } = await import('node:fs');
	const csvText = readFileSync(await csv.path(), 'utf8');
	check(/\.csv$/.test(csv.suggestedFilename()) && csvText.startsWith('resource,service,account,amount,currency\r\n') &&
		csvText.split('\r\n').length === rrows.length + 5,
		'the resources download as CSV (' + csv.suggestedFilename() + ', ' + rrows.length + ' rows)');
	const nproblems = problems.length;
	const otherPage = await page.goto(url + 'portal/resources?account=101091972003');
	problems.length = nproblems;  // the 404 the browser logs is the point
	const otext = await page.textContent('main');
	check(otherPage.status() === 404 && !otext.includes('Brit') && !otext.includes('i-'),
		'another customer\'s account page -> 404, nothing shown (' + otherPage.status() + ')');
	await page.goto(url + 'portal/breakdown');
	const before = problems.slice();
	const other = await page.evaluate(async () => (await fetch('/api/v1/invoices/INV-2026-00002/download?format=pdf')).status);
	check(other === 403, 'another customer\'s invoice PDF -> 403 (' + other + ')');
	const api = await page.evaluate(async () => {
		const r = await fetch('/api/v1/customers/brit');
		return [r.status, await r.text()];
	});
	check(api[0] === 403 && !api[1].includes('"name"'), 'another customer\'s object by id -> 403 (' + api[0] + ')');
	const own = await page.evaluate(async () => (await fetch('/api/v1/customers/acme')).status);
	check(own === 200, 'its own customer object -> 200');
	const csrfless = await page.evaluate(async () => (await fetch('/api/v1/session', { method: 'DELETE' })).status);
	check(csrfless === 403, 'a state-changing fetch without the CSRF token -> 403');

	const login = await page.context().cookies();
	check(login.some((c) => c.name === 'rebill_session' && c.httpOnly && c.sameSite === 'Strict'),
		'the session cookie is HttpOnly, SameSite=Strict');
	check(before.length === 0, 'no console errors while browsing (' + before.join(' | ') + ')');
	const csp = problems.filter((p) => /Content Security Policy|Refused to/i.test(p));
	check(csp.length === 0, 'no CSP violations (' + csp.join(' | ') + ')');
	check(offsite.length === 0, 'nothing loaded from another origin (' + offsite.join(' ') + ')');
	void after;
} catch (e) {
	check(false, 'the browser run: ' + e);
} finally {
	await browser.close();
}
process.exit(failed ? 1 : 0);
