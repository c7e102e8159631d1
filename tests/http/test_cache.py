#!/usr/bin/env python3
"""test_cache.py REBILL SOURCE_ROOT: the server's response cache never
serves stale data — a repeated report read is a hit with the same bytes;
after a write (through the API, or by another process on the same
database: `rebill fx set`, `rebill account unassign`) the next read is a
miss with the new figures, equal to what the CLI computes; answers of one
customer are never given to another; --cache-mb 0 turns it off."""
import json
import os
import subprocess
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serverlib  # noqa: E402

BREAKDOWN = '/api/v1/portal/breakdown?period=2026-10&by=account'


def cli_subtotal(rebill, db, customer):
    out = subprocess.run([rebill, '--db', db, 'invoice', 'preview', '--period', '2026-10',
                          '--customer', customer, '--format', 'json'],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)['invoices'][0]['subtotal']


def main():
    rebill, root = sys.argv[1], sys.argv[2]
    t = serverlib.Results()
    tmp, db = serverlib.make_db(rebill, root)
    srv = serverlib.Server(rebill, db)
    try:
        run(t, srv, rebill, db)
    finally:
        srv.stop()
    srv = serverlib.Server(rebill, db, '--cache-mb', '0')
    try:
        st, tok, csrf, _ = srv.login('a@acme.example')
        st, hd, data = srv.request('GET', BREAKDOWN, cookie=tok)
        st2, hd2, data2 = srv.request('GET', BREAKDOWN, cookie=tok)
        t.check(st == 200 and 'x-rebill-cache' not in hd and 'x-rebill-cache' not in hd2,
                '--cache-mb 0: no cache')
    finally:
        srv.stop()
    serverlib.cleanup(tmp)
    return t.summary()


def run(t, srv, rebill, db):
    st, acme, _, _ = srv.login('a@acme.example')
    st, brit, _, _ = srv.login('b@brit.example')
    st, admin, admin_csrf, _ = srv.login('admin@example.com')

    st, hd, first = srv.request('GET', BREAKDOWN, cookie=acme)
    st2, hd2, second = srv.request('GET', BREAKDOWN, cookie=acme)
    t.check(st == 200 and hd.get('x-rebill-cache') == 'miss', 'the first read is a miss')
    t.check(st2 == 200 and hd2.get('x-rebill-cache') == 'hit' and second == first,
            'the same read again is a hit with the same bytes')
    # another customer, same path: its own answer, never acme's
    st, hd, other = srv.request('GET', BREAKDOWN, cookie=brit)
    doc = json.loads(other)
    t.check(st == 200 and doc['customer'] == 'brit' and hd.get('x-rebill-cache') == 'miss' and
            b'acme' not in other, 'another customer on the same path gets its own answer (a miss)')
    # staff: the same report for admin is cached per role
    # (its first read may write the billing rollup: a commit, so the next is a miss)
    st, hd0, m0 = srv.request('GET', '/api/v1/margin?period=2026-10', cookie=admin)
    st, hd, m1 = srv.request('GET', '/api/v1/margin?period=2026-10', cookie=admin)
    st, hd2, m2 = srv.request('GET', '/api/v1/margin?period=2026-10', cookie=admin)
    t.check(hd0.get('x-rebill-cache') == 'miss' and hd2.get('x-rebill-cache') == 'hit' and
            m0 == m1 == m2, 'the margin report is cached for staff')

    # a write by another process (the CLI on the same database)
    total0 = json.loads(first)['total']
    subprocess.run([rebill, '--db', db, 'fx', 'set', '--period', '2026-10', '--currency', 'EUR',
                    '0.5'], check=True, capture_output=True)
    st, hd, third = srv.request('GET', BREAKDOWN, cookie=acme)
    doc = json.loads(third)
    want = cli_subtotal(rebill, db, 'acme')
    t.check(hd.get('x-rebill-cache') == 'miss' and doc['total'] == want and doc['total'] != total0,
            'after `rebill fx set` (another process) the next read is a miss with the new total '
            '%s = the CLI\'s %s (was %s)' % (doc['total'], want, total0))
    st, hd, m3 = srv.request('GET', '/api/v1/margin?period=2026-10', cookie=admin)
    t.check(hd.get('x-rebill-cache') == 'miss', 'and so is the staff report')

    # a write through the API
    st, hd, data = srv.request('POST', '/api/v1/fx', {'period': '2026-10', 'currency': 'EUR',
                                                      'rate': '0.25'},
                               cookie=admin, headers={'X-CSRF-Token': admin_csrf})
    t.check(st == 200, 'the admin sets a rate through the API')
    st, hd, fourth = srv.request('GET', BREAKDOWN, cookie=acme)
    doc = json.loads(fourth)
    want = cli_subtotal(rebill, db, 'acme')
    t.check(hd.get('x-rebill-cache') == 'miss' and doc['total'] == want,
            'after POST /api/v1/fx the next read is a miss with the new total %s = the CLI\'s %s'
            % (doc['total'], want))
    st, hd, again = srv.request('GET', BREAKDOWN, cookie=acme)
    t.check(hd.get('x-rebill-cache') == 'hit' and again == fourth, 'then a hit again')

    # an account unassigned by the CLI: it leaves acme's breakdown at once
    accts = [r['key'] for r in doc['rows']]
    gone = accts[0]
    subprocess.run([rebill, '--db', db, 'account', 'unassign', gone], check=True,
                   capture_output=True)
    st, hd, fifth = srv.request('GET', BREAKDOWN, cookie=acme)
    now = [r['key'] for r in json.loads(fifth)['rows']]
    t.check(hd.get('x-rebill-cache') == 'miss' and gone not in now and len(now) == len(accts) - 1,
            'after `rebill account unassign %s` the breakdown no longer has it (%s)' % (gone, now))
    st, hd, res = srv.request('GET', '/api/v1/portal/resources?period=2026-10&account=' + gone,
                              cookie=acme)
    t.check(st == 404, 'and its resources are no longer acme\'s (%d)' % st)
    got = sum(Decimal(r['amount']) for r in json.loads(fifth)['rows'])
    doc5 = json.loads(fifth)
    t.check(got + Decimal(doc5['other']['amount']) + Decimal(doc5['rounding']) ==
            Decimal(doc5['total']) == Decimal(cli_subtotal(rebill, db, 'acme')),
            'and its total is the CLI\'s subtotal without it')


if __name__ == '__main__':
    sys.exit(main())
