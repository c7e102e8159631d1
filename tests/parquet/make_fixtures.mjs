// make_fixtures.mjs FORMAT IN.csv OUTDIR: writes IN.csv (a month of `rebill gen`,
// FORMAT legacy or cur2) as Parquet files with DuckDB, one per variant, named
// VARIANT.parquet, and prints the variant names (only VARIANT when named).
// Test-only (tests/parquet/run.sh) and the Parquet benchmark (bench/parquet_bench.sh).
//
// Variants: every codec (uncompressed, snappy, gzip, zstd) x data page v1/v2
// (DuckDB's V2 also means DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY and
// BYTE_STREAM_SPLIT), with dictionaries and without, small row groups
// (2048 rows), columns typed as a CUR export types them: account ids stay
// strings, timestamps in millis/micros/nanos, costs DOUBLE (legacy CUR
// Parquet) or DECIMAL (INT64 and FIXED_LEN_BYTE_ARRAY), CUR 2.0's product and
// resource_tags as MAP(VARCHAR, VARCHAR); plus one with every column a string.
import { DuckDBInstance } from '@duckdb/node-api';

const [format, input, outdir, only] = process.argv.slice(2);
if (!format || !input || !outdir) {
	console.error('usage: make_fixtures.mjs legacy|cur2 IN.csv OUTDIR [VARIANT]');
	process.exit(1);
}
const q = (s) => "'" + s.replaceAll("'", "''") + "'";
const id = (s) => '"' + s.replaceAll('"', '""') + '"';

const names = format === 'cur2' ? {
	period: 'bill_billing_period_start_date', start: 'line_item_usage_start_date',
	unblended: 'line_item_unblended_cost', usage: 'line_item_usage_amount',
	ondemand: 'pricing_public_on_demand_cost', rieff: 'reservation_effective_cost',
	speff: 'savings_plan_savings_plan_effective_cost',
} : {
	period: 'bill/BillingPeriodStartDate', start: 'lineItem/UsageStartDate',
	unblended: 'lineItem/UnblendedCost', usage: 'lineItem/UsageAmount',
	ondemand: 'pricing/publicOnDemandCost', rieff: 'reservation/EffectiveCost',
	speff: 'savingsPlan/SavingsPlanEffectiveCost',
};

function typed() {
	return [
		`CAST(${id(names.period)} AS TIMESTAMP_NS) AS ${id(names.period)}`,
		`CAST(${id(names.start)} AS TIMESTAMP_MS) AS ${id(names.start)}`,
		`CAST(${id(names.unblended)} AS DOUBLE) AS ${id(names.unblended)}`,
		`CAST(${id(names.usage)} AS DECIMAL(38,10)) AS ${id(names.usage)}`,
		`CAST(${id(names.ondemand)} AS DECIMAL(18,10)) AS ${id(names.ondemand)}`,
		`CAST(${id(names.rieff)} AS DOUBLE) AS ${id(names.rieff)}`,
		`CAST(${id(names.speff)} AS DOUBLE) AS ${id(names.speff)}`,
	];
}

function maps() {
	if (format !== 'cur2')
		return [];
	return ['product', 'resource_tags'].map((c) =>
		`CAST(CAST(NULLIF(${id(c)}, '') AS JSON) AS MAP(VARCHAR, VARCHAR)) AS ${id(c)}`);
}

const variants = [];
for (const codec of ['uncompressed', 'snappy', 'gzip', 'zstd'])
	for (const v of ['V1', 'V2'])
		variants.push({ name: `${codec}-${v.toLowerCase()}`, opts: `COMPRESSION ${codec}, PARQUET_VERSION ${v}` });
variants.push({ name: 'snappy-v1-nodict', opts: 'COMPRESSION snappy, PARQUET_VERSION V1, STRING_DICTIONARY_PAGE_SIZE_LIMIT 1' });
variants.push({ name: 'zstd-v2-nodict', opts: 'COMPRESSION zstd, PARQUET_VERSION V2, STRING_DICTIONARY_PAGE_SIZE_LIMIT 1' });
variants.push({ name: 'snappy-v1-strings', opts: 'COMPRESSION snappy', strings: true });

const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
await c.run(`CREATE TABLE cur AS SELECT * FROM read_csv(${q(input)}, all_varchar = true, header = true, hive_partitioning = false)`);
for (const v of variants) {
	if (only && v.name !== only)
		continue;
	const repl = v.strings ? maps() : typed().concat(maps());
	const sel = repl.length ? `SELECT * REPLACE (${repl.join(', ')}) FROM cur` : 'SELECT * FROM cur';
	await c.run(`COPY (${sel}) TO ${q(outdir + '/' + v.name + '.parquet')} ` +
		`(FORMAT parquet, ROW_GROUP_SIZE 2048, ${v.opts})`);
	console.log(v.name);
}
