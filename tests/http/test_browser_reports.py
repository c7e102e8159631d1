#!/usr/bin/env python3
"""test_browser_reports.py REBILL SOURCE_ROOT OUTDIR: the console's report
pages (Explorer, Reconciliation, Receivables, Credits and refunds) in
Debian's chromium driven by npm playwright-core, against a real `rebill
serve` on a database with finalized invoices and a payment (made with the
CLI first). Screenshots are kept in OUTDIR. Without chromium, node or
playwright-core it reports skip, and fails under CI=true."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serverlib  # noqa: E402


def main():
    rebill, root, outdir = sys.argv[1], sys.argv[2], sys.argv[3]
    pw = os.path.join(root, 'web', 'node_modules', 'playwright-core')
    chromium = os.environ.get('CHROMIUM', '/usr/bin/chromium')
    missing = [what for what, ok in (('chromium', os.path.exists(chromium)),
                                     ('node', shutil.which('node')),
                                     ('playwright-core', os.path.isdir(pw))) if not ok]
    if missing:
        print('skip - browser test of the report pages: missing ' + ', '.join(missing))
        if os.environ.get('CI') == 'true':
            print('0 passed, 1 failed')
            return 1
        print('0 passed, 0 failed, 1 skipped')
        return 0
    os.makedirs(outdir, exist_ok=True)
    tmp, db = serverlib.make_db(rebill, root)
    env = dict(os.environ, REBILL_DB=db)
    for args in (['invoice', 'run', '--period', '2026-10'],
                 ['invoice', 'finalize', '--period', '2026-10', '--date', '2026-11-02'],
                 ['invoice', 'pay', 'INV-2026-00001', '--amount', '10.00', '--date', '2026-11-10']):
        subprocess.run([rebill, *args], env=env, check=True, stdout=subprocess.DEVNULL)
    srv = serverlib.Server(rebill, db)
    try:
        p = subprocess.run(['node', os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                 'browser_reports.mjs'),
                            'http://%s:%d/' % (srv.host, srv.port), outdir, pw],
                           capture_output=True, text=True, timeout=300)
    finally:
        srv.stop()
        serverlib.cleanup(tmp)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    ok = sum(1 for line in p.stdout.splitlines() if line.startswith('ok - '))
    bad = sum(1 for line in p.stdout.splitlines() if line.startswith('FAIL - '))
    if p.returncode and not bad:
        bad = 1
    print('screenshots: ' + outdir)
    print('%d passed, %d failed' % (ok, bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
