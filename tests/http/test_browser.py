#!/usr/bin/env python3
"""test_browser.py REBILL SOURCE_ROOT OUTDIR: the console and the portal in
a real browser — Debian's chromium driven by npm playwright-core
(web/node_modules; nothing downloaded) against a real `rebill serve`.
Screenshots are kept in OUTDIR. Without chromium, node or playwright-core
it reports skip, and fails under CI=true."""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serverlib  # noqa: E402


def webcfg_files(tmp):
    """A generated CUR file to upload, and a copy with one bad amount
    (REBILL_TEST_CUR, REBILL_TEST_BAD_CUR for browser_webcfg.mjs)."""
    import csv
    import glob
    good = sorted(glob.glob(os.path.join(tmp, 'gen', '**', '*.csv'), recursive=True))[0]
    rows = list(csv.reader(open(good, newline='')))
    rows[3][rows[0].index('lineItem/UnblendedCost')] = '1.2.3'
    bad = os.path.join(tmp, 'bad.csv')
    with open(bad, 'w', newline='') as f:
        csv.writer(f, lineterminator='\n').writerows(rows)
    return {'REBILL_TEST_CUR': good, 'REBILL_TEST_BAD_CUR': bad}


def main():
    rebill, root, outdir = sys.argv[1], sys.argv[2], sys.argv[3]
    pw = os.path.join(root, 'web', 'node_modules', 'playwright-core')
    chromium = os.environ.get('CHROMIUM', '/usr/bin/chromium')
    missing = [what for what, ok in (('chromium', os.path.exists(chromium)),
                                     ('node', shutil.which('node')),
                                     ('playwright-core', os.path.isdir(pw))) if not ok]
    if missing:
        print('skip - browser test: missing ' + ', '.join(missing))
        if os.environ.get('CI') == 'true':
            print('0 passed, 1 failed')
            return 1
        print('0 passed, 0 failed, 1 skipped')
        return 0
    os.makedirs(outdir, exist_ok=True)
    tmp, db = serverlib.make_db(rebill, root)
    srv = serverlib.Server(rebill, db)
    env = dict(os.environ, **webcfg_files(tmp))
    try:
        p = subprocess.run(['node', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'browser.mjs'),
                            'http://%s:%d/' % (srv.host, srv.port), outdir, pw],
                           capture_output=True, text=True, timeout=300, env=env)
    finally:
        srv.stop()
        serverlib.cleanup(tmp)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    ok = sum(1 for l in p.stdout.splitlines() if l.startswith('ok - '))
    bad = sum(1 for l in p.stdout.splitlines() if l.startswith('FAIL - '))
    if p.returncode and not bad:
        bad = 1
    print('screenshots: ' + outdir)
    print('%d passed, %d failed' % (ok, bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
