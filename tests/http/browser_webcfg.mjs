// browser_webcfg.mjs: the console's Plans, Tax clusters, FX and Imports
// pages in the browser (called by browser.mjs while the admin is logged
// in): edit a plan's markup and see the preview change; upload a small CUR
// file and watch the progress bar finish; a malformed one fails naming
// FILE:LINE:COLUMN. REBILL_TEST_CUR and REBILL_TEST_BAD_CUR name the files.
import path from 'node:path';

export async function webcfgFlow(page, url, outdir, check, problems) {
	await page.click('a[href="/console/plans"]');
	await page.waitForSelector('#plan-standard');
	const cell = '#plan-standard td[data-customer="acme"]';
	const before = (await page.textContent(cell)).trim();
	await page.screenshot({ path: path.join(outdir, 'plans.png'), fullPage: true });
	await page.fill('#plan-standard input[name=markup_pct]', '30');
	await Promise.all([page.waitForURL(/\/console\/plans\?done=plan-saved/),
		page.click('#plan-standard form.plan-settings button[type=submit]')]);
	const after = (await page.textContent(cell)).trim();
	const markup = await page.inputValue('#plan-standard input[name=markup_pct]');
	// acme is on 'standard' (default markup 5 %): at 30 % its draft total rises
	check(markup === '30' && parseFloat(after) > parseFloat(before) && /EUR$/.test(after),
		'editing the standard plan\'s markup 5 -> 30 % raises acme\'s preview: ' + before + ' -> ' + after);
	const seen = problems.length;
	await page.fill('#plan-standard input[name=markup_pct]', 'lots');
	await page.click('#plan-standard form.plan-settings button[type=submit]');
	await page.waitForSelector('#plan-error');
	const perr = await page.textContent('#plan-error');
	check(perr.includes('markup_pct') && (await page.textContent(cell)).trim() === after,
		'a bad markup is refused with its path, the preview unchanged: ' + perr.trim());
	// the refused form's page is a 400 on purpose: not a console problem
	for (let i = problems.length - 1; i >= seen; i--)
		if (/status of 400/.test(problems[i]))
			problems.splice(i, 1);

	await page.click('a[href="/console/tax-clusters"]');
	await page.waitForSelector('#clusters');
	await page.fill('#cluster-nl-vat input[name=rate_pct]', '19');
	await Promise.all([page.waitForURL(/done=cluster-saved/), page.click('#cluster-nl-vat button[type=submit]')]);
	check(await page.inputValue('#cluster-nl-vat input[name=rate_pct]') === '19',
		'a tax cluster\'s rate is changed on its page');
	await page.screenshot({ path: path.join(outdir, 'tax-clusters.png'), fullPage: true });

	await page.click('a[href="/console/fx"]');
	await page.waitForSelector('#fx-new');
	await page.fill('#fx-new input[name=period]', '2026-11');
	await page.fill('#fx-new input[name=currency]', 'EUR');
	await page.fill('#fx-new input[name=rate]', '0.9111');
	await Promise.all([page.waitForURL(/done=rate-set/), page.click('#fx-new button[type=submit]')]);
	const fx = await page.textContent('#rates');
	check(fx.includes('2026-11') && fx.includes('0.9111'), 'an exchange rate is set on the FX page');
	await page.screenshot({ path: path.join(outdir, 'fx.png'), fullPage: true });

	await page.click('a[href="/console/imports"]');
	await page.waitForSelector('#upload-form:not([hidden])');
	const nhist = await page.$$eval('#history tbody tr', (r) => r.length);
	await page.setInputFiles('#upload-form input[type=file]', process.env.REBILL_TEST_BAD_CUR);
	await page.click('#upload-form button[type=submit]');
	await page.waitForSelector('#import-status[data-state="failed"]', { timeout: 60000 })
		.catch(() => null);
	const bad = await page.textContent('#import-status');
	check(/bad\.csv:\d+:\d+: /.test(bad), 'a malformed upload fails naming FILE:LINE:COLUMN: ' + bad);
	await page.setInputFiles('#upload-form input[type=file]', process.env.REBILL_TEST_CUR);
	await page.click('#upload-form button[type=submit]');
	await page.waitForSelector('#import-status[data-state="done"]', { timeout: 60000 })
		.catch(() => null);
	const done = await page.textContent('#import-status');
	const bar = await page.evaluate(() => {
		const b = document.getElementById('import-progress');
		return [b.value, b.max];
	});
	check(/^done: \d+ rows/.test(done) && bar[0] === bar[1] && bar[1] > 0,
		'an uploaded CUR file is imported and the progress bar is full: ' + done.slice(0, 60));
	await page.screenshot({ path: path.join(outdir, 'imports.png'), fullPage: true });
	await page.reload();
	const nhist2 = await page.$$eval('#history tbody tr', (r) => r.length);
	check(nhist2 === nhist + 1, 'the history shows one import more (' + nhist + ' -> ' + nhist2 + ')');
}
