// browser_reports.mjs URL OUTDIR PLAYWRIGHT_DIR: the console's report pages
// in Debian's chromium (nothing downloaded) through playwright-core:
// Explorer (chart drawn, form with and without JavaScript, CSV download),
// Reconciliation (the balance), Receivables, Credits and refunds; the
// viewer's and a customer user's limits. One "ok - "/"FAIL - " line per
// check (test_browser_reports.py counts); screenshots go to OUTDIR.
import { createRequire } from 'node:module';
import fs from 'node:fs';
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

// "-12.3456789012" rounded half away from zero to cents, on the digits (no float)
function cents(s) {
	const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(s.trim());
	if (!m)
		return null;
	const frac = (m[3] || '').padEnd(3, '0');
	let v = BigInt(m[2]) * 100n + BigInt(frac.slice(0, 2));
	if (Number(frac[2]) >= 5)
		v += 1n;
	const str = (v / 100n).toString() + '.' + (v % 100n).toString().padStart(2, '0');
	return (m[1] && v !== 0n ? '-' : '') + str;
}

async function login(page, email, password, lands) {
	await page.goto(url + 'login');
	await page.fill('input[name=email]', email);
	await page.fill('input[name=password]', password);
	await Promise.all([page.waitForURL(url + lands), page.click('button[type=submit]')]);
}

async function painted(page, sel) {
	return page.evaluate((s) => {
		const c = document.querySelector(s);
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 3; i < d.length; i += 4)
			if (d[i] !== 0) n++;
		return n;
	}, sel);
}

const CENTS = /^-?\d+\.\d\d$/;
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	headless: true,
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
		'--disable-component-update', '--disable-sync'],
});
try {
	const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
	const page = await ctx.newPage();
	const problems = [];
	page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
	page.on('pageerror', (e) => problems.push(String(e)));

	await login(page, 'finance@example.com', 'finance-password-1', 'console');
	// Explorer: the nav link, the chart drawn, the table in cents
	await Promise.all([page.waitForURL(/console\/explorer/), page.click('nav a[href="/console/explorer"]')]);
	await page.waitForSelector('#explorer-chart[data-rendered="3"]', { timeout: 10000 })
		.then(() => check(true, 'the explorer chart renders (3 series)'),
		      () => check(false, 'the explorer chart renders (3 series)'));
	const px = await painted(page, '#explorer-chart');
	check(px > 1000, 'the explorer chart painted its canvas (' + px + ' pixels)');
	const keys = await page.$$eval('#explorer-table tbody tr td:first-child', (t) => t.map((x) => x.textContent));
	check(['acme', 'brit', 'kaisha', 'us-co', '(unassigned)'].every((k) => keys.includes(k)),
		'by customer: every customer and (unassigned): ' + keys.join(','));
	const totals = await page.$$eval('#explorer-total th.num', (t) => t.map((x) => x.textContent.trim()));
	check(totals.length === 7 && totals.slice(1).every((x) => CENTS.test(x)),
		'the explorer total row is in cents: ' + totals.join(' '));
	const aligned = await page.$eval('#explorer-table tbody td.num', (td) => getComputedStyle(td).textAlign);
	check(aligned === 'right', 'amounts are right-aligned (' + aligned + ')');
	await page.screenshot({ path: path.join(outdir, 'explorer.png'), fullPage: true });
	// a row's name drills into it: filtered to it, grouped by service
	await Promise.all([page.waitForURL(/customer=kaisha/), page.click('#explorer-table a.drill:text-is("kaisha")')]);
	check(/by=service/.test(page.url()) && (await page.inputValue('#ex-customer')) === 'kaisha',
		'clicking kaisha opens its services: ' + page.url().replace(url, '/'));
	await page.goBack();

	// group by service for acme only, through the form
	await page.selectOption('#ex-by', 'service');
	await page.selectOption('#ex-customer', 'acme');
	await Promise.all([page.waitForURL(/by=service/), page.click('#explorer-form button[type=submit]')]);
	check(/customer=acme/.test(page.url()), 'the form is a plain GET: ' + page.url().replace(url, '/'));
	const head = await page.textContent('#explorer-table thead th:first-child');
	await page.waitForSelector('#explorer-chart[data-rendered="3"]', { timeout: 10000 }).catch(() => {});
	check(head.trim() === 'Service' && (await painted(page, '#explorer-chart')) > 1000,
		'grouped by service for acme: the table and the chart follow');
	const pageTotal = (await page.textContent('#explorer-total th:nth-child(3)')).trim();
	await page.screenshot({ path: path.join(outdir, 'explorer-acme-service.png'), fullPage: true });

	// the CSV download of the same query
	const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#csv-download')]);
	const csvPath = path.join(outdir, dl.suggestedFilename());
	await dl.saveAs(csvPath);
	const csv = fs.readFileSync(csvPath, 'utf8').trim().split('\n');
	check(/^explorer-\d{4}-\d\d-service\.csv$/.test(dl.suggestedFilename()),
		'the CSV downloads as ' + dl.suggestedFilename());
	check(csv[0] === 'service,rows,unblended,effective,billed_usd,fees_usd,revenue_usd,cost_usd,margin',
		'the CSV has its header: ' + csv[0]);
	const last = csv[csv.length - 1].split(',');
	check(last[0] === 'total' && /^-?\d+\.\d{10}$/.test(last[2]) && cents(last[2]) === pageTotal,
		'the CSV total (' + last[2] + ') rounds to the page\'s total unblended ' + pageTotal);
	check(csv.length - 2 === (await page.$$('#explorer-table tbody tr')).length,
		'the CSV has one line per table row (' + (csv.length - 2) + ')');

	// the same page without JavaScript: the form still works, no chart drawn
	const nojs = await browser.newContext({ javaScriptEnabled: false, storageState: await ctx.storageState() });
	const p2 = await nojs.newPage();
	await p2.goto(url + 'console/explorer?by=day');
	const days = await p2.$$eval('#explorer-table tbody tr td:first-child', (t) => t.map((x) => x.textContent));
	check(days.filter((d) => /^\d{4}-\d\d-\d\d$/.test(d)).length >= 28,
		'without JavaScript the explorer still answers (by day: ' + days.length + ' rows)');
	await p2.selectOption('#ex-by', 'region');
	await Promise.all([p2.waitForURL(/by=region/), p2.click('#explorer-form button[type=submit]')]);
	check((await p2.textContent('#explorer-table thead th:first-child')).trim() === 'Region',
		'without JavaScript the form submits (by region)');
	await nojs.close();

	// Reconciliation: the balance, per payer
	await Promise.all([page.waitForURL(/reconciliation/), page.click('nav a[href="/console/reconciliation"]')]);
	const bal = await page.$eval('#balance', (e) => [e.getAttribute('data-balance'), e.textContent]);
	check(bal[0] === 'ok' && /Balance: OK/.test(bal[1]), 'the reconciliation page shows the balance: ' + bal[1].slice(0, 40));
	const payers = await page.$$eval('#payers tbody tr', (r) => r.map((x) => [...x.cells].map((c) => c.textContent)));
	check(payers.length === 2 && payers.every((p) => CENTS.test(p[2]) && p[5] === 'ok'),
		'two payers with their AWS total in cents, each balanced');
	const recTotal = (await page.textContent('#rec-total')).trim();
	check(CENTS.test(recTotal), 'the AWS total is shown in cents: ' + recTotal);
	await page.screenshot({ path: path.join(outdir, 'reconciliation.png'), fullPage: true });

	// Receivables: open with the payment, then overdue as of a later date
	await Promise.all([page.waitForURL(/receivables/), page.click('nav a[href="/console/receivables"]')]);
	await page.fill('#as-of', '2026-11-15');
	await Promise.all([page.waitForURL(/as_of=2026-11-15/), page.click('#asof-form button')]);
	const open1 = await page.$$eval('#open tbody tr[data-id="INV-2026-00001"] td', (t) => t.map((x) => x.textContent));
	check(open1.length && open1[5] === '10.00', 'INV-2026-00001 is open with 10.00 paid: ' + open1.join(' | '));
	await page.fill('#as-of', '2027-06-01');
	await Promise.all([page.waitForURL(/as_of=2027-06-01/), page.click('#asof-form button')]);
	const late = await page.$$eval('#overdue tbody tr', (r) => r.map((x) => Number(x.querySelector('td.late').textContent)));
	check(late.length === 4 && late.every((d) => d > 100), 'as of 2027-06-01 the 4 invoices are overdue, days late: ' + late.join(','));
	await page.screenshot({ path: path.join(outdir, 'receivables.png'), fullPage: true });

	// Credits and refunds
	await Promise.all([page.waitForURL(/console\/credits/), page.click('nav a[href="/console/credits"]')]);
	const cr = await page.$$eval('#credits tbody tr', (r) => r.length);
	const crTotal = await page.$$eval('#credits-total th.num', (t) => t.map((x) => x.textContent.trim()));
	check(cr > 0 && crTotal.slice(1).every((x) => CENTS.test(x)),
		'credits and refunds: ' + cr + ' rows, totals in cents ' + crTotal.join(' '));
	await page.screenshot({ path: path.join(outdir, 'credits.png'), fullPage: true });
	check(problems.length === 0, 'no console errors or CSP violations (' + problems.join(' | ') + ')');

	// a viewer: explorer yes, the finance pages no
	await page.click('#logout');
	await login(page, 'viewer@example.com', 'viewer-password-1', 'console');
	check(await page.isVisible('nav a[href="/console/explorer"]') &&
		!(await page.isVisible('nav a[href="/console/reconciliation"]')),
		'a viewer\'s nav has Explorer but not Reconciliation');
	await page.goto(url + 'console/reconciliation');
	check(page.url() === url + 'console', 'a viewer asking for the reconciliation page is sent to the overview');
	await page.click('#logout');

	// a customer user: none of it
	await login(page, 'a@acme.example', 'acme-password-1', 'portal');
	await page.goto(url + 'console/explorer?customer=brit');
	check(page.url() === url + 'portal', 'a customer user asking for the explorer is sent to its portal');
	const api = await page.evaluate(async () => {
		const out = [];
		for (const p of ['/api/v1/explorer?customer=acme', '/api/v1/explorer?customer=brit&format=csv',
			'/api/v1/credits?customer=acme'])
			out.push((await fetch(p)).status);
		return out;
	});
	check(api.every((s) => s === 403), 'a customer user gets 403 from the explorer and credits API: ' + api.join(','));
} catch (e) {
	check(false, 'the browser run: ' + e);
} finally {
	await browser.close();
}
process.exit(failed ? 1 : 0);
