#!/usr/bin/env python3
"""test_api.py REBILL SOURCE_ROOT: the web server's security properties,
end to end on a real server and database —

- the OpenAPI document lists exactly the routes below, with the roles this
  test expects (written here from issue 12, not read from the code);
- the authorization matrix: every route x every role (and no login), and a
  customer asking for another customer's objects by id: 0 unauthorized
  reads or writes;
- a customer user's documents carry no cost, margin or withheld amounts;
- CSRF missing or wrong -> 403; session fixation; rotation at login;
  throttling per account and per address (429); 413 on big bodies; unknown
  fields and parameters refused; error documents; security headers.
"""
import json
import os
import pwd
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serverlib  # noqa: E402
import webcfg_cases  # noqa: E402

STAFF = {'admin', 'finance', 'viewer'}
USERS = STAFF | {'customer'}
PUBLIC = {'public'}

# (method, path) -> roles allowed; 'public' means no login needed.
EXPECT = {
    ('POST', '/api/v1/session'): PUBLIC,
    ('GET', '/api/v1/session'): USERS,
    ('DELETE', '/api/v1/session'): USERS,
    ('GET', '/api/v1/openapi.json'): PUBLIC,
    ('GET', '/api/v1/periods'): STAFF,
    ('GET', '/api/v1/summary'): STAFF,
    ('GET', '/api/v1/margin'): STAFF,
    ('GET', '/api/v1/reconciliation'): {'admin', 'finance'},
    ('GET', '/api/v1/invoices/preview'): USERS,
    ('GET', '/api/v1/customers'): STAFF,
    ('GET', '/api/v1/customers/{id}'): USERS,
    ('GET', '/api/v1/customers/{id}/invoice-preview'): USERS,
    ('GET', '/api/v1/accounts'): STAFF,
    ('POST', '/api/v1/accounts/{id}/assign'): {'admin', 'finance'},
    ('POST', '/api/v1/fx'): {'admin', 'finance'},
    ('DELETE', '/api/v1/fx'): {'admin', 'finance'},
    ('POST', '/api/v1/customers'): {'admin', 'finance'},
    ('PATCH', '/api/v1/customers/{id}'): {'admin', 'finance'},
    ('POST', '/api/v1/accounts/{id}/unassign'): {'admin', 'finance'},
    ('GET', '/api/v1/audit'): {'admin'},
    ('GET', '/api/v1/users'): {'admin'},
    ('POST', '/api/v1/users'): {'admin'},
    ('GET', '/api/v1/portal/summary'): {'customer'},
    ('GET', '/api/v1/portal/breakdown'): {'customer'},
    ('GET', '/api/v1/portal/resources'): {'customer'},
    ('GET', '/api/v1/portal/export'): {'customer'},
    ('GET', '/api/v1/invoices'): USERS,
    ('POST', '/api/v1/invoices/run'): {'admin', 'finance'},
    ('POST', '/api/v1/invoices/finalize'): {'admin', 'finance'},
    ('GET', '/api/v1/invoices/rerate'): {'admin', 'finance'},
    ('POST', '/api/v1/invoices/rerate'): {'admin', 'finance'},
    ('GET', '/api/v1/invoices/{id}'): USERS,
    ('GET', '/api/v1/invoices/{id}/download'): USERS,
    ('POST', '/api/v1/invoices/{id}/credit'): {'admin', 'finance'},
    ('POST', '/api/v1/invoices/{id}/payments'): {'admin', 'finance'},
    ('POST', '/api/v1/invoices/{id}/send'): {'admin', 'finance'},
    ('GET', '/api/v1/receivables'): {'admin', 'finance'},
    ('GET', '/api/v1/journal'): {'admin', 'finance'},
    ('GET', '/console/invoices'): STAFF,
    ('GET', '/console/invoices/rerate'): STAFF,
    ('GET', '/console/invoices/{id}'): STAFF,
    ('POST', '/console/invoices/run'): {'admin', 'finance'},
    ('POST', '/console/invoices/finalize'): {'admin', 'finance'},
    ('POST', '/console/invoices/rerate'): {'admin', 'finance'},
    ('POST', '/console/invoices/{id}/credit'): {'admin', 'finance'},
    ('POST', '/console/invoices/{id}/pay'): {'admin', 'finance'},
    ('POST', '/console/invoices/{id}/send'): {'admin', 'finance'},
    ('GET', '/portal/invoices'): {'customer'},
    ('GET', '/'): PUBLIC,
    ('GET', '/login'): PUBLIC,
    ('POST', '/login'): PUBLIC,
    ('POST', '/logout'): USERS,
    ('GET', '/console'): STAFF,
    ('GET', '/console/customers'): STAFF,
    ('GET', '/console/customers/{id}'): STAFF,
    ('GET', '/console/accounts'): STAFF,
    ('POST', '/console/accounts/{id}/assign'): {'admin', 'finance'},
    ('GET', '/portal'): {'customer'},
    ('GET', '/portal/breakdown'): {'customer'},
    ('GET', '/portal/resources'): {'customer'},
    ('GET', '/static/{id}'): PUBLIC,
}

EXPECT.update(webcfg_cases.EXPECT)  # plans, tax clusters, FX, imports
# the report routes and pages (explorer, credits and refunds, reconciliation,
# receivables): staff read; the finance pages as their API; never a customer
EXPECT.update({
    ('GET', '/api/v1/explorer'): STAFF,
    ('GET', '/api/v1/credits'): STAFF,
    ('GET', '/console/explorer'): STAFF,
    ('GET', '/console/credits'): STAFF,
    ('GET', '/console/reconciliation'): {'admin', 'finance'},
    ('GET', '/console/receivables'): {'admin', 'finance'},
})

ROLE_USER = {
    'admin': 'admin@example.com', 'finance': 'finance@example.com',
    'viewer': 'viewer@example.com', 'customer': 'a@acme.example',
}

# what a customer must never see (spec: billed amounts only)
COST_KEYS = {'unblended', 'effective', 'ondemand', 'margin', 'withheld', 'billed_usd',
             'excluded', 'payers', 'unassigned_accounts'}


def keys_of(v, out=None):
    out = set() if out is None else out
    if isinstance(v, dict):
        for k, x in v.items():
            out.add(k)
            keys_of(x, out)
    elif isinstance(v, list):
        for x in v:
            keys_of(x, out)
    return out


ACCOUNT = {'anonymous': '999999999990', 'admin': '999999999991', 'finance': '999999999992',
           'viewer': '999999999993', 'customer': '999999999994'}


# documents made before the walk (tests/http/serverlib.make_db, then
# `rebill invoice run` and `finalize` for 2026-10 in customer order): INV-1
# acme, INV-2 brit, INV-3 kaisha, INV-4 us-co. Each role credits one of its
# own, so an allowed API credit is a real one (a second would be 409);
# INV-1 stays open for payments and the customer's reads.
CREDIT = {'anonymous': 'INV-2026-00002', 'admin': 'INV-2026-00002', 'finance': 'INV-2026-00003',
          'viewer': 'INV-2026-00003', 'customer': 'INV-2026-00004'}
CREDIT_FORM = {r: 'INV-2026-00004' for r in CREDIT}  # admin's form credits it, finance's is 400
INVOICE_SOURCES = ('invoice run', 'invoice finalize', 'invoice credit', 'invoice rerate',
                   'invoice pay', 'invoice send')


def concrete(path, role, method='GET'):
    if path == '/api/v1/invoices/{id}/credit':
        return path.replace('{id}', CREDIT[role])
    if path == '/console/invoices/{id}/credit':
        return path.replace('{id}', CREDIT_FORM[role])
    if path.startswith('/api/v1/invoices/{id}') or path.startswith('/console/invoices/{id}'):
        # acme's first invoice: the customer user's own
        return path.replace('{id}', 'INV-2026-00001')
    if path == '/api/v1/invoices/{id}/download':
        return path
    if path in ('/api/v1/accounts/{id}/assign', '/api/v1/accounts/{id}/unassign'):
        return path.replace('{id}', ACCOUNT[role])
    if path == '/api/v1/fx' and method == 'DELETE':
        return path + ('?period=2028-0%d&currency=EUR' % (1 + sorted(ACCOUNT).index(role)))
    if path == '/console/accounts/{id}/assign':
        return path.replace('{id}', '8' + ACCOUNT[role][1:])
    if '{id}' in path:
        return path.replace('{id}', 'app.js' if path.startswith('/static/') else 'acme')
    return path


def main():
    rebill, root = sys.argv[1], sys.argv[2]
    t = serverlib.Results()
    tmp, db = serverlib.make_db(rebill, root)
    env = dict(os.environ, REBILL_DB=db)
    for args in (['invoice', 'run', '--period', '2026-10'],
                 ['invoice', 'finalize', '--period', '2026-10', '--date', '2026-11-02']):
        subprocess.run([rebill, *args], env=env, check=True, stdout=subprocess.DEVNULL)
    webcfg_cases.setup(rebill, db)
    srv = serverlib.Server(rebill, db)
    try:
        run(t, srv, rebill, db)
    finally:
        srv.stop()
    # throttling on a server of its own (the address counter is per process database)
    tmp2, db2 = serverlib.make_db(rebill, root)
    srv2 = serverlib.Server(rebill, db2, '--login-limit', '3', '--login-addr-limit', '8',
                            '--session-idle', '2')
    try:
        throttling(t, srv2)
    finally:
        srv2.stop()
    tls(t, rebill, tmp2, db2)
    trusted_proxy(t, rebill, db2)
    tmp3, db3 = serverlib.make_db(rebill, root)
    srv3 = serverlib.Server(rebill, db3)
    try:
        lifecycle(t, srv3, rebill, db3)
    finally:
        srv3.stop()
    serverlib.cleanup(tmp3)
    write_lock(t, rebill, db)
    webcfg_cases.functional(t, serverlib, rebill, root)
    serverlib.cleanup(tmp)
    serverlib.cleanup(tmp2)
    return t.summary()


def trusted_proxy(t, rebill, db):
    """--trusted-proxy: X-Forwarded-For names the client (for throttling per
    address) only when the peer is a trusted proxy, and then only its
    right-most untrusted entry (what the client wrote to the left is not
    believed)."""
    def login(srv, xff, pw):
        body = {'email': 'admin@example.com', 'password': pw}
        return srv.request('POST', '/api/v1/session', body, headers={'X-Forwarded-For': xff})[0]
    srv = serverlib.Server(rebill, db, '--login-limit', '100', '--login-addr-limit', '3',
                           '--trusted-proxy', '::1,127.0.0.1')
    try:
        for i in range(3):
            login(srv, '10.9.%d.1, 203.0.113.7' % i, 'wrong-password-000')
        st1 = login(srv, '198.51.100.1, 203.0.113.7', 'admin-password-1')
        st2 = login(srv, '203.0.113.8', 'admin-password-1')
        t.check(st1 == 429 and st2 == 200,
                'behind a trusted proxy the forwarded client is throttled, whatever it adds to the left,'
                ' and another client is not (%d, %d)' % (st1, st2))
    finally:
        srv.stop()
    srv = serverlib.Server(rebill, db, '--login-limit', '100', '--login-addr-limit', '3')
    try:
        for i in range(3):
            login(srv, '203.0.113.%d' % (20 + i), 'wrong-password-000')
        st = login(srv, '203.0.113.99', 'admin-password-1')
        t.check(st == 429, 'without --trusted-proxy X-Forwarded-For is ignored: the peer is throttled (%d)' % st)
    finally:
        srv.stop()
    p = subprocess.run([rebill, '--db', db, 'serve', '--trusted-proxy', '10.0.0.1,proxy.example'],
                       capture_output=True, text=True, timeout=20)
    t.check(p.returncode != 0 and 'proxy.example' in p.stderr,
            '--trusted-proxy refuses what is not an IP address: ' + p.stderr.strip())


def lifecycle(t, srv, rebill, db):
    """The invoice lifecycle over the API on a fresh database: run, review,
    finalize, pay, receivables, re-rate previewed then issued, credit; the
    API's documents are the CLI's."""
    from decimal import Decimal
    st, tok, csrf, _ = srv.login('finance@example.com')
    H = {'X-CSRF-Token': csrf}
    api = lambda m, p, b=None: srv.request(m, p, b, cookie=tok, headers=H)
    env = dict(os.environ, REBILL_DB=db)
    cli = lambda *a: json.loads(subprocess.run([rebill, *a], env=env, check=True,
                                               capture_output=True, text=True).stdout)
    st, _, data = api('POST', '/api/v1/invoices/run', {'period': '2026-10'})
    t.check(st == 200 and json.loads(data) == {'period': '2026-10', 'drafts': 4, 'skipped': 0},
            'run: 4 drafts for the 4 customers of 2026-10: %s' % data.strip())
    st, _, data = api('GET', '/api/v1/invoices?period=2026-10')
    listed = json.loads(data)
    t.check(listed == cli('invoice', 'list', '--period', '2026-10', '--format', 'json'),
            'the API\'s list is the CLI\'s `invoice list --format json`')
    st, _, data = api('GET', '/api/v1/invoices/preview?period=2026-10&customer=acme')
    preview = json.loads(data)['invoices'][0]
    draft_id = [d['id'] for d in listed['documents'] if d['customer'] == 'acme'][0]
    st, _, data = api('GET', '/api/v1/invoices/' + draft_id)
    draft = json.loads(data)
    t.check(st == 200 and draft['number'] is None and draft['total'] == preview['total'] and
            draft['lines'] == preview['lines'], 'review: the draft holds the preview\'s lines and total')
    st, _, data = api('POST', '/api/v1/invoices/finalize', {'period': '2026-10', 'customer': 'acme',
                                                            'date': '2026-11-02', 'colour': 'red'})
    t.check(st == 400 and json.loads(data)['error']['field'] == 'colour', 'finalize refuses an unknown field')
    st, _, data = api('POST', '/api/v1/invoices/finalize', {'period': '2026-10', 'date': '2026-11-02'})
    fin = json.loads(data)
    t.check(st == 200 and fin['finalized'] == ['INV-2026-%05d' % i for i in range(1, 5)],
            'finalize numbers the 4 drafts in customer order: %s' % fin.get('finalized'))
    st, _, data = api('POST', '/api/v1/invoices/finalize', {'period': '2026-10'})
    t.check(st == 404 and 'no drafts' in json.loads(data)['error']['message'], 'a second finalize: no drafts -> 404')
    st, _, data = api('GET', '/api/v1/invoices/INV-2026-00001')
    inv = json.loads(data)
    total = Decimal(inv['total'])
    t.check(inv['issue_date'] == '2026-11-02' and inv['total'] == preview['total'],
            'the finalized invoice keeps the draft\'s total %s' % inv['total'])
    st, _, data = api('POST', '/api/v1/invoices/INV-2026-00001/payments', {'amount': '100.00', 'date': '2026-11-10'})
    t.check(st == 201, 'a payment of 100.00 is recorded -> 201')
    st, _, data = api('POST', '/api/v1/invoices/INV-2026-00001/payments', {'amount': str(total)})
    e = json.loads(data)['error']
    t.check(st == 400 and e['field'] == 'amount', 'paying more than the open balance -> 400 naming amount')
    st, _, data = api('GET', '/api/v1/receivables?as_of=2026-12-01')
    rec = [i for i in json.loads(data)['invoices'] if i['number'] == 'INV-2026-00001'][0]
    t.check(Decimal(rec['paid']) == Decimal('100.00') and Decimal(rec['open']) == total - Decimal('100.00'),
            'receivables: open = total - paid = %s - 100.00 = %s' % (total, rec['open']))
    st, _, data = api('GET', '/api/v1/receivables?as_of=2026-13-01')
    t.check(st == 400, 'receivables with a bad date -> 400')
    for fmt, ctype, magic in (('pdf', 'application/pdf', b'%PDF-'), ('csv', 'text/csv', b'kind,key'),
                              ('html', 'text/html', b'<!DOCTYPE html'), ('ubl', 'application/xml', b'<?xml')):
        st, hd, data = srv.request('GET', '/api/v1/invoices/INV-2026-00001/download?format=' + fmt, cookie=tok)
        ok = st == 200 and hd.get('content-type', '').startswith(ctype) and data.startswith(magic) and \
            'filename="INV-2026-00001.' in hd.get('content-disposition', '')
        if fmt == 'ubl' and st == 422:
            ok = 'peppol' in data.decode().lower()  # a party without a Peppol id: said so
        t.check(ok, 'download %s -> %d %s' % (fmt, st, hd.get('content-type')))
    st, _, data = srv.request('GET', '/api/v1/invoices/INV-2026-00001/download?format=doc', cookie=tok)
    t.check(st == 400 and json.loads(data)['error']['field'] == 'format', 'an unknown download format -> 400')
    # a late assignment changes acme's October: the correction is previewed first
    st, _, data = api('GET', '/api/v1/accounts?unassigned=1&period=2026-10')
    acct = json.loads(data)['accounts'][0]['account']
    st, _, _ = api('POST', '/api/v1/accounts/%s/assign' % acct, {'customer': 'acme', 'from': '2026-10'})
    st, _, data = api('GET', '/api/v1/invoices/preview?period=2026-10&customer=acme')
    now = Decimal(json.loads(data)['invoices'][0]['total'])
    st, _, data = api('GET', '/api/v1/invoices/rerate?period=2026-10')
    pre = json.loads(data)
    corr = pre['corrections']
    t.check(st == 200 and pre['dry_run'] and not pre['issued'] and len(corr) == 1 and
            corr[0]['customer'] == 'acme' and corr[0]['number'] is None,
            'the re-rate preview shows one correction for acme, not issued')
    sign = 1 if corr and corr[0]['type'] == 'invoice' else -1
    t.check(corr and sign * Decimal(corr[0]['total']) == now - total,
            'the correction is the difference: %s - %s = %s' % (now, total, corr[0]['total'] if corr else None))
    st, _, data = api('GET', '/api/v1/invoices?period=2026-10')
    t.check(len(json.loads(data)['documents']) == 4, 'the preview issued nothing (still 4 documents)')
    st, _, data = api('POST', '/api/v1/invoices/rerate', {'period': '2026-10', 'date': '2026-11-20'})
    done = json.loads(data)
    t.check(st == 200 and done['issued'] == ['INV-2026-00005' if sign > 0 else 'CN-2026-00001'],
            'issuing the corrections numbers one document: %s' % done.get('issued'))
    st, _, data = api('GET', '/api/v1/invoices/rerate?period=2026-10')
    t.check(json.loads(data)['corrections'] == [], 'after issuing, nothing is left to correct')
    st, _, data = api('POST', '/api/v1/invoices/INV-2026-00002/credit', {'reason': 'wrong plan'})
    cn = json.loads(data)
    t.check(st == 201 and cn['credit_note'].startswith('CN-2026-'), 'credit: a credit note %s' % cn)
    st, _, data = api('POST', '/api/v1/invoices/INV-2026-00002/credit', {})
    t.check(st == 409, 'crediting it again -> 409 conflict')
    st, _, data = api('GET', '/api/v1/invoices/' + cn['credit_note'])
    t.check(json.loads(data)['total'] == json.loads(api('GET', '/api/v1/invoices/INV-2026-00002')[2])['total'],
            'the credit note takes back the invoice\'s total')
    st, _, data = api('POST', '/api/v1/invoices/INV-2026-00001/send', {'force': 'yes'})
    t.check(st == 400 and json.loads(data)['error']['field'] == 'force', 'send: force must be a boolean')
    st, _, data = api('POST', '/api/v1/invoices/INV-2026-00001/send', {})
    t.check(st == 503 and 'SMTP' in json.loads(data)['error']['message'],
            'send without a mail server configured -> 503 saying so')
    st, hd, data = srv.request('GET', '/api/v1/journal?period=2026-10', cookie=tok)
    t.check(st == 200 and data.startswith(b'entry,date,document') and b'INV-2026-00001' in data,
            'the journal of 2026-10 as CSV')
    audit = cli('config', 'audit', '--format', 'json', '--limit', '0')
    entries = audit['entries'] if isinstance(audit, dict) else audit
    srcs = {(e['source'], e.get('actor')) for e in entries if e['source'].startswith('invoice ')}
    t.check({('invoice run', 'finance@example.com'), ('invoice finalize', 'finance@example.com'),
             ('invoice pay', 'finance@example.com'), ('invoice rerate', 'finance@example.com'),
             ('invoice credit', 'finance@example.com')} <= srcs,
            'every invoice action is audited with the web user: %s' % sorted(srcs))


def write_lock(t, rebill, db):
    """While another process holds the database's write lock (an import),
    logged-in reads still answer at once: touching the session must not
    wait for the lock or fail the request."""
    import sqlite3
    srv = serverlib.Server(rebill, db, '--session-idle', '100')  # touch on every request
    try:
        st, tok, _, _ = srv.login('viewer@example.com')
        time.sleep(1.5)
        c = sqlite3.connect(db, isolation_level=None)
        c.execute('BEGIN IMMEDIATE')
        t0 = time.time()
        st1 = srv.request('GET', '/api/v1/session', cookie=tok)[0]
        st2 = srv.request('GET', '/api/v1/periods', cookie=tok)[0]
        dt = time.time() - t0
        c.execute('ROLLBACK')
        c.close()
        t.check(st1 == 200 and st2 == 200 and dt < 4,
                'reads answer while another process holds the write lock (%d, %d, %.1f s)' % (st1, st2, dt))
    finally:
        srv.stop()


def tls(t, rebill, tmp, db):
    """--tls-cert/--tls-key: the cookie is __Host- and Secure, HSTS is sent."""
    cert, key = os.path.join(tmp, 'cert.pem'), os.path.join(tmp, 'key.pem')
    if not shutil.which('openssl'):
        print('skip - TLS: no openssl to make a certificate')
        t.skipped += 1
        return
    subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
                    '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1'],
                   check=True, capture_output=True)
    srv = serverlib.Server(rebill, db, '--tls-cert', cert, '--tls-key', key)
    try:
        t.check(srv.tls, 'the server says https')
        st, tok, csrf, hd = srv.login('finance@example.com')
        sc = hd.get('set-cookie', '')
        t.check(st == 200 and sc.startswith('__Host-rebill_session=') and '; Secure' in sc,
                'under TLS the session cookie is __Host- and Secure')
        t.check('max-age' in hd.get('strict-transport-security', ''), 'under TLS HSTS is sent')
        st, _, _ = srv.request('GET', '/api/v1/periods', cookie=tok)
        t.check(st == 200, 'the TLS session works')
    finally:
        srv.stop()


def sessions(srv):
    out = {}
    for role, email in ROLE_USER.items():
        st, tok, csrf, _ = srv.login(email)
        assert st == 200 and tok and csrf, (role, st)
        out[role] = (tok, csrf)
    return out


def run(t, srv, rebill, db):
    st, hd, data = srv.request('GET', '/api/v1/openapi.json')
    doc = json.loads(data)
    t.check(st == 200 and doc.get('openapi', '').startswith('3.1'), 'openapi.json is OpenAPI 3.1')
    routes = {}
    for path, item in doc['paths'].items():
        for m, op in item.items():
            routes[(m.upper(), path)] = set(op['x-rebill-roles'])
    t.check(set(routes) == set(EXPECT),
            'the document lists exactly the expected routes (missing %s, unexpected %s)'
            % (sorted(set(EXPECT) - set(routes)), sorted(set(routes) - set(EXPECT))))
    for k in sorted(EXPECT):
        if k in routes:
            t.check(routes[k] == EXPECT[k], 'roles of %s %s as expected: %s' % (k[0], k[1], sorted(routes[k])))

    s = sessions(srv)
    for i in range(1, 6):  # one rate per role for DELETE /api/v1/fx, set by the admin
        st = srv.request('POST', '/api/v1/fx', {'period': '2028-0%d' % i, 'currency': 'EUR', 'rate': '0.8'},
                         cookie=s['admin'][0], headers={'X-CSRF-Token': s['admin'][1]})[0]
        assert st == 200, st
    webcfg_cases.first_job(srv, s)
    created = []
    unauthorized = []
    for (method, path), allowed in sorted(EXPECT.items()):
        if (method == 'DELETE' and path != '/api/v1/fx' and (method, path) not in webcfg_cases.EXPECT) \
                or path in ('/logout', '/login'):
            continue  # session-ending and login routes: below
        for role in ['anonymous'] + sorted(ROLE_USER):
            tok, csrf = s.get(role, (None, None))
            headers = {'X-CSRF-Token': csrf} if csrf and method != 'GET' else {}
            body = None
            if path == '/api/v1/users':
                email = 'new-%s@example.com' % role
                body = {'email': email, 'role': 'viewer', 'password': 'a-long-password-1'}
                created.append((role, email))
            if path == '/api/v1/session':
                body = {'email': 'nobody@example.com', 'password': 'x' * 12}
            if path == '/api/v1/fx' and method == 'POST':
                body = {'period': '2027-0%d' % (1 + sorted(ACCOUNT).index(role)), 'currency': 'EUR',
                        'rate': '0.9'}
            if path == '/api/v1/accounts/{id}/assign':
                body = {'customer': 'us-co', 'from': '2027-01'}
            if path == '/api/v1/accounts/{id}/unassign':
                body = {'from': '2027-06'}
            if path == '/api/v1/customers' and method == 'POST':
                body = {'id': 'new-' + role, 'name': 'New ' + role, 'currency': 'EUR', 'plan': 'standard'}
            if path == '/api/v1/customers/{id}' and method == 'PATCH':
                body = {'email': 'billing-%s@acme.example' % role}
            if path in ('/api/v1/invoices/run', '/api/v1/invoices/finalize',
                        '/api/v1/invoices/rerate') and method == 'POST':
                body = {'period': '2026-10'}
            if path == '/api/v1/invoices/{id}/credit':
                body = {'reason': 'matrix ' + role}
            if path == '/api/v1/invoices/{id}/payments':
                body = {'amount': '0.01', 'date': '2026-11-20'}
            if path == '/api/v1/invoices/{id}/send':
                body = {}
            ctype = None
            if path.startswith('/console/invoices/') and method == 'POST':
                fields = {'run': 'period=2026-10', 'finalize': 'period=2026-10',
                          'rerate': 'period=2026-10', 'credit': 'reason=form',
                          'pay': 'amount=0.01', 'send': ''}[path.rsplit('/', 1)[1]]
                body = fields + '&csrf=' + (csrf or '')
                ctype = 'application/x-www-form-urlencoded'
            if path == '/console/accounts/{id}/assign':
                body = 'customer=kaisha&from=2027-01&csrf=' + (csrf or '')
                ctype = 'application/x-www-form-urlencoded'
            target = concrete(path, role, method)
            if path == '/api/v1/invoices/{id}/download':
                target = '/api/v1/invoices/INV-2026-00001/download?format=pdf'
            wc = webcfg_cases.case(srv, s, method, path, role, csrf)
            if wc:
                target, body, ctype, wc_check = wc
            st, hd, data = srv.request(method, target, body, cookie=tok,
                                       headers=headers, ctype=ctype)
            ok = 'public' in allowed or role in allowed
            if wc and ok:
                ok_status = wc_check(st, hd, data)
            elif path == '/api/v1/session' and method == 'POST':
                ok_status = st == 401  # a wrong login, whoever asks
            elif ok and path.endswith('/send'):
                # no mail server in the test: the handler ran and says so
                ok_status = st in (503, 303, 400) and (b'SMTP' in data or st == 303)
            elif ok and path.endswith('/invoices/finalize') and path.startswith('/console/'):
                ok_status = st == 400 and b'no drafts' in data  # all final already: the handler ran
            elif ok and path == '/console/invoices/{id}/credit' and role == 'finance':
                ok_status = st == 400 and b'already credited' in data  # the admin's form credited it
            elif ok and method == 'POST' and path.startswith('/console/invoices/'):
                ok_status = st == 303 and '/console/invoices?period=2026-10&done=' in hd.get('location', '')
            elif ok and path == '/api/v1/invoices/finalize':
                ok_status = st == 404 and b'no drafts' in data  # all final already: the handler ran
            elif ok and method == 'POST' and path.startswith('/console/'):
                ok_status = st == 303 and hd.get('location', '').startswith('/console/accounts?assigned=')
            elif ok:
                ok_status = st in (200, 201) or (path == '/' and st == 303)
            else:
                ok_status = st in (401, 403) or (st == 303 and hd.get('location') in
                                                 ('/login', '/portal', '/console'))
                if st in (200, 201) or 'assigned=' in hd.get('location', '') or \
                        'done=' in hd.get('location', '') or (wc and webcfg_cases.written(st, hd)):
                    unauthorized.append((method, path, role, st))
            t.check(ok_status, '%s %s as %s -> %d (%s)' % (method, path, role, st,
                                                          'allowed' if ok else 'denied'))
    # writes: only the admin's user exists afterwards
    tok, csrf = s['admin']
    st, hd, data = srv.request('GET', '/api/v1/users', cookie=tok)
    emails = {u['email'] for u in json.loads(data)['users']}
    for role, email in created:
        should = role == 'admin'
        t.check((email in emails) == should, 'user created by %s %s' % (role, 'exists' if should else 'does not exist'))
        if (email in emails) and not should:
            unauthorized.append(('POST', '/api/v1/users', role, 'written'))

    # configuration writes: audited with their user, only by admin and finance
    st, hd, data = srv.request('GET', '/api/v1/audit?limit=0', cookie=tok)
    entries = json.loads(data)['entries']
    writers = {(e['source'], e.get('actor')) for e in entries
               if e['source'] in ('fx set', 'account assign')}
    for src in ('fx unset', 'customer add', 'customer edit', 'account unassign'):
        who = sorted(e.get('actor') for e in entries if e['source'] == src
                     and not e['object'].startswith('fx:2030-'))  # webcfg's FX form
        t.check(who == ['admin@example.com', 'finance@example.com'],
                '%s: audited once each for admin and finance, nobody else: %s' % (src, who))
    st, hd, data = srv.request('GET', '/api/v1/customers', cookie=tok)
    ids = {c['id'] for c in json.loads(data)['customers']}
    t.check({i for i in ids if i.startswith('new-')} == {'new-admin', 'new-finance'},
            'only admin and finance added customers: %s' % sorted(ids))
    fx = subprocess.run([rebill, '--db', db, 'fx', 'list', '--format', 'json'], check=True,
                        capture_output=True, text=True).stdout
    left = sorted(p for p in ('2028-0%d' % i for i in range(1, 6)) if p in fx)
    t.check(left == ['2028-02', '2028-03', '2028-05'],
            'only admin\'s (2028-01) and finance\'s (2028-04) rates were removed: left %s' % left)
    t.check(writers == {('fx set', 'admin@example.com'), ('fx set', 'finance@example.com'),
                        ('account assign', 'admin@example.com'),
                        ('account assign', 'finance@example.com')} and
            sum(1 for e in entries if e['source'] == 'account assign') == 4,
            'configuration edits are audited with their user, only admin and finance wrote: %s'
            % sorted(writers))
    st, hd, data = srv.request('GET', '/api/v1/customers/us-co', cookie=tok)
    held = {a['id'] for a in json.loads(data)['accounts']}
    t.check('999999999991' in held and '999999999992' in held and
            not held & {'999999999990', '999999999993', '999999999994'},
            'only the allowed roles\' account assignments were written')
    # issue 13: an open end of an assignment is "(open)" in a table, as in the CLI
    st, hd, page = srv.request('GET', '/console/customers/us-co', cookie=tok)
    t.check(st == 200 and b'<td>2026-10</td><td>(open)</td>' in page,
            'the customer page shows an open end as (open)')
    st, hd, data = srv.request('GET', '/api/v1/customers/kaisha', cookie=tok)
    held = {a['id'] for a in json.loads(data)['accounts']}
    t.check('899999999991' in held and '899999999992' in held and
            not held & {'899999999990', '899999999993', '899999999994'},
            'only the allowed roles\' assignments by form were written')
    for e in entries:
        if e['source'] in ('fx set', 'account assign') and e.get('actor') not in (
                'admin@example.com', 'finance@example.com'):
            unauthorized.append(('write', e['object'], e.get('actor')))

    # invoice actions: audited with their web user, only admin and finance
    # rows the test's own CLI setup wrote carry the OS user (config audit
    # records who ran the command); only web users are under test here
    cli_actor = pwd.getpwuid(os.geteuid()).pw_name
    inv = [e for e in entries if e['source'] in INVOICE_SOURCES
           and e.get('actor') not in (None, cli_actor)]
    actors = {e.get('actor') for e in inv}
    t.check(actors == {'admin@example.com', 'finance@example.com'},
            'invoice actions over the web are audited with their user, only admin and finance: %s'
            % sorted(actors))
    t.check({e['source'] for e in inv} >= {'invoice credit', 'invoice pay'},
            'credits and payments over the web are in the audit log')
    st, hd, data = srv.request('GET', '/api/v1/invoices?period=2026-10&status=credited', cookie=tok)
    got = sorted(d['number'] for d in json.loads(data)['documents'])
    want = ['INV-2026-00002', 'INV-2026-00003', 'INV-2026-00004']
    t.check(got == want, 'exactly the allowed roles\' invoices are credited: %s' % got)
    for e in entries:
        if e['source'] in INVOICE_SOURCES and e.get('actor') not in (
                None, cli_actor, 'admin@example.com', 'finance@example.com'):
            unauthorized.append(('write', e['object'], e.get('actor')))

    webcfg_cases.verify(t, srv, s, unauthorized)

    # customer A asks for customer B's objects by id
    tok, csrf = s['customer']
    for path in ['/api/v1/customers/brit', '/api/v1/customers/brit/invoice-preview',
                 '/api/v1/invoices/preview?customer=brit', '/api/v1/customers/kaisha',
                 '/api/v1/customers/brit/invoice-preview?period=2026-10',
                 '/api/v1/customers/ACME', '/api/v1/customers/acme/../brit',
                 '/api/v1/customers/%62rit', '/api/v1/invoices/preview?customer=acme&customer=brit',
                 '/api/v1/invoices/INV-2026-00002', '/api/v1/invoices/INV-2026-00002/download?format=pdf',
                 '/api/v1/invoices/CN-2026-00001', '/api/v1/invoices/DRAFT-1',
                 '/api/v1/invoices/NO-SUCH-1', '/api/v1/invoices?customer=brit',
                 '/api/v1/invoices/inv-2026-00002/download?format=csv',
                 '/api/v1/explorer?customer=brit', '/api/v1/explorer?customer=acme',
                 '/api/v1/explorer?by=account&format=csv', '/api/v1/credits?customer=brit',
                 '/api/v1/credits?customer=acme']:
        st, hd, data = srv.request('GET', path, cookie=tok)
        t.check(st in (400, 403, 404) and list(json.loads(data)) == ['error'],
                'customer acme asking for %s -> %d' % (path, st))
        if st == 200:
            unauthorized.append(('GET', path, 'customer', st))
    st, hd, data = srv.request('GET', '/api/v1/invoices/preview?period=2026-10', cookie=tok)
    inv = json.loads(data)
    t.check(st == 200 and [i['customer'] for i in inv['invoices']] == ['acme'],
            'a customer user\'s invoice preview holds its own invoice only')
    st, hd, data = srv.request('GET', '/api/v1/invoices', cookie=tok)
    docs = json.loads(data)['documents']
    t.check(st == 200 and docs and {d['customer'] for d in docs} == {'acme'} and
            all(d['number'] and d['status'] != 'draft' for d in docs),
            'a customer user lists only its own finalized documents (%d)' % len(docs))
    st, hd, data = srv.request('GET', '/api/v1/invoices/INV-2026-00001/download?format=pdf', cookie=tok)
    t.check(st == 200 and data.startswith(b'%PDF-') and hd.get('content-type') == 'application/pdf'
            and 'attachment' in hd.get('content-disposition', ''),
            'a customer user downloads its own invoice as PDF')
    st, hd, data = srv.request('GET', '/portal/invoices', cookie=tok)
    t.check(st == 200 and b'INV-2026-00001' in data and b'INV-2026-00002' not in data,
            'the portal\'s invoices page lists acme\'s documents, not brit\'s')
    for path in ['/api/v1/invoices/preview', '/api/v1/customers/acme/invoice-preview',
                 '/api/v1/portal/summary', '/api/v1/customers/acme', '/api/v1/invoices',
                 '/api/v1/invoices/INV-2026-00001']:
        st, hd, data = srv.request('GET', path, cookie=tok)
        leaked = keys_of(json.loads(data)) & COST_KEYS
        t.check(st == 200 and not leaked, '%s as customer: no cost keys (%s)' % (path, sorted(leaked)))
        t.check(b'brit' not in data and b'kaisha' not in data, '%s as customer: no other customer' % path)
    st, hd, data = srv.request('GET', '/portal', cookie=tok)
    t.check(st == 200 and b'acme' in data and b'brit' not in data, 'the portal page shows acme, not brit')
    portal_breakdowns(t, srv, tok, unauthorized)
    t.check(not unauthorized, '0 unauthorized reads or writes (%s)' % unauthorized)

    csrf_tests(t, srv, s)
    session_tests(t, srv, rebill, db)
    input_tests(t, srv, s)
    header_tests(t, srv, s)


# accounts of the example configuration: acme's, and the other customers'
ACME_ACCOUNTS = {'101091972001', '101091972002', '102091972001'}
OTHER_ACCOUNTS = {'101091972003', '101091972004', '102091972002', '102091972003'}
OTHER_NAMES = (b'brit', b'kaisha', b'us-co')


def portal_breakdowns(t, srv, tok, unauthorized):
    """The portal's breakdowns as acme: its own accounts only, no cost
    field anywhere, each view adding up to the draft invoice's subtotal, and
    another customer's account refused exactly like one nobody has."""
    from decimal import Decimal
    st, hd, data = srv.request('GET', '/api/v1/invoices/preview?period=2026-10', cookie=tok)
    inv = json.loads(data)['invoices'][0]
    fees = sum(Decimal(l['amount']) for l in inv['lines'] if l['kind'] in ('fee', 'custom'))
    st, hd, data = srv.request('GET', '/api/v1/portal/breakdown?period=2026-10&by=day', cookie=tok)
    tag_keys = json.loads(data).get('tag_keys', [])
    t.check(st == 200 and tag_keys, 'by day lists the tag keys on acme\'s facts: %s' % tag_keys)
    views = ['by=account', 'by=service', 'by=region', 'by=day'] + \
        ['by=tag:' + k for k in tag_keys] + [None]
    for v in views:
        path = ('/api/v1/portal/breakdown?period=2026-10&' + v) if v else \
            '/api/v1/portal/resources?period=2026-10'
        st, hd, data = srv.request('GET', path, cookie=tok)
        doc = json.loads(data) if st == 200 else {}
        leaked = keys_of(doc) & COST_KEYS
        t.check(st == 200 and not leaked and set(doc) <= {
            'period', 'customer', 'currency', 'by', 'account', 'rows', 'other', 'rounding',
            'total', 'tag_keys'}, '%s: only billed fields (%s)' % (path, sorted(set(doc))))
        t.check(not any(n in data for n in OTHER_NAMES) and
                not any(a.encode() in data for a in OTHER_ACCOUNTS),
                '%s: nothing of another customer' % path)
        rows = doc.get('rows', [])
        got = sum(Decimal(r['amount']) for r in rows) + Decimal(doc['other']['amount']) + \
            Decimal(doc['rounding'])
        t.check(rows and got == Decimal(doc['total']) and doc['currency'] == inv['currency'],
                '%s: rows + other + rounding = total %s' % (path, doc.get('total')))
        if v:
            t.check(Decimal(doc['total']) == Decimal(inv['subtotal']) and
                    Decimal(doc['other']['amount']) == fees,
                    '%s: total = the invoice preview\'s subtotal %s, other = its fees %s'
                    % (path, inv['subtotal'], fees))
        if v == 'by=account':
            t.check({r['key'] for r in rows} <= ACME_ACCOUNTS, 'by account: acme\'s accounts only')
        if v is None:
            t.check(all(r['account'] in ACME_ACCOUNTS for r in rows) and len(rows) > 0,
                    'resources: %d, all of acme\'s accounts' % len(rows))
        csv_path = '/api/v1/portal/export?period=2026-10' + ('&' + v if v else '&by=resource')
        st, hd, body = srv.request('GET', csv_path, cookie=tok)
        lines = body.decode().split('\r\n')
        t.check(st == 200 and hd.get('content-type', '').startswith('text/csv') and
                'attachment' in hd.get('content-disposition', '') and
                lines[-2].startswith('total,') and lines[-2].split(',')[-2] == doc.get('total') and
                len(lines) == len(rows) + 5 and
                not any(a in body.decode() for a in OTHER_ACCOUNTS),
                '%s: CSV of the same rows, total %s' % (csv_path, doc.get('total')))
    # one of acme's accounts: its resources add up to its by-account amount
    acct = sorted(ACME_ACCOUNTS)[1]
    st, hd, data = srv.request('GET', '/api/v1/portal/resources?period=2026-10&account=' + acct,
                               cookie=tok)
    doc = json.loads(data)
    st2, hd2, data2 = srv.request('GET', '/api/v1/portal/breakdown?period=2026-10&by=account',
                                  cookie=tok)
    by_acct = {r['key']: r['amount'] for r in json.loads(data2)['rows']}
    t.check(st == 200 and doc['total'] == by_acct.get(acct) and
            all(r['account'] == acct for r in doc['rows']),
            'resources of %s add up to its by-account amount %s' % (acct, by_acct.get(acct)))
    # another customer's account, and one nobody has: the same answer
    answers = set()
    for a in sorted(OTHER_ACCOUNTS) + ['999999999999', '']:
        for path in ('/api/v1/portal/resources?period=2026-10&account=' + a,
                     '/api/v1/portal/export?period=2026-10&by=resource&account=' + a):
            st, hd, data = srv.request('GET', path, cookie=tok)
            if a == '':
                t.check(st == 404, '%s -> %d' % (path, st))
                continue
            err = json.loads(data).get('error', {}) if st != 200 else {}
            answers.add((st, err.get('code'), err.get('message', '').replace(a, 'X')))
            if st == 200:
                unauthorized.append(('GET', path, 'customer', st))
        if a == '':
            continue  # the page's "every account" choice
        st, hd, data = srv.request('GET', '/portal/resources?period=2026-10&account=' + a, cookie=tok)
        t.check(st == 404 and not any(n in data for n in OTHER_NAMES),
                '/portal/resources?account=%s -> %d' % (a, st))
        if st == 200:
            unauthorized.append(('GET', '/portal/resources', a, st))
    t.check(len(answers) == 1 and list(answers)[0][0] == 404,
            'another customer\'s account and an unknown one get one answer: %s' % sorted(answers))
    for path in ('/api/v1/portal/breakdown?customer=brit', '/api/v1/portal/resources?customer=brit',
                 '/api/v1/portal/breakdown?by=account&by=account',
                 '/api/v1/portal/breakdown?by=account&account=101091972001',
                 '/api/v1/portal/breakdown?by=customer', '/api/v1/portal/breakdown?by=resource'):
        st, hd, data = srv.request('GET', path, cookie=tok)
        t.check(st == 400 and list(json.loads(data)) == ['error'], '%s -> %d' % (path, st))
    for path in ('/portal/breakdown?period=2026-10', '/portal/breakdown?period=2026-10&by=account',
                 '/portal/breakdown?period=2026-10&by=tag:' + (tag_keys or ['x'])[0],
                 '/portal/resources?period=2026-10'):
        st, hd, data = srv.request('GET', path, cookie=tok)
        t.check(st == 200 and b'data-chart=' in data and b'<script>' not in data and
                not any(n in data for n in OTHER_NAMES) and
                not any(a.encode() in data for a in OTHER_ACCOUNTS),
                '%s as customer: a chart, no inline script, nothing of another customer' % path)


def csrf_tests(t, srv, s):
    tok, csrf = s['admin']
    body = {'email': 'csrf@example.com', 'role': 'viewer', 'password': 'a-long-password-1'}
    st, _, data = srv.request('POST', '/api/v1/users', body, cookie=tok)
    t.check(st == 403 and json.loads(data)['error']['code'] == 'csrf', 'POST without CSRF token -> 403')
    st, _, _ = srv.request('POST', '/api/v1/users', body, cookie=tok,
                           headers={'X-CSRF-Token': '0' * 64})
    t.check(st == 403, 'POST with a wrong CSRF token -> 403')
    other = s['finance'][1]
    st, _, _ = srv.request('POST', '/api/v1/users', body, cookie=tok, headers={'X-CSRF-Token': other})
    t.check(st == 403, 'POST with another session\'s CSRF token -> 403')
    st, _, _ = srv.request('DELETE', '/api/v1/session', cookie=tok)
    t.check(st == 403, 'DELETE session without CSRF token -> 403')
    st, _, _ = srv.request('POST', '/logout', 'csrf=wrong', cookie=tok,
                           ctype='application/x-www-form-urlencoded')
    t.check(st == 403, 'logout form with a wrong CSRF field -> 403')
    st, _, data = srv.request('GET', '/api/v1/users', cookie=tok)
    t.check('csrf@example.com' not in {u['email'] for u in json.loads(data)['users']},
            'no user was written by the refused requests')
    st, _, _ = srv.request('POST', '/api/v1/users', body, cookie=tok, headers={'X-CSRF-Token': csrf})
    t.check(st == 201, 'POST with the session\'s CSRF token -> 201')
    st, _, _ = srv.request('POST', '/login', 'email=a%40acme.example&password=acme-password-1',
                           ctype='application/x-www-form-urlencoded',
                           headers={'Origin': 'http://evil.example', 'Sec-Fetch-Site': 'cross-site'})
    t.check(st == 403, 'a cross-site login form -> 403')


def session_tests(t, srv, rebill, db):
    fixed = 'ab' * 32
    st, tok, csrf, hd = srv.login('viewer@example.com', cookie=fixed)
    t.check(st == 200 and tok and tok != fixed, 'login issues a new token, not the one the client came with')
    st, _, _ = srv.request('GET', '/api/v1/session', cookie=fixed)
    t.check(st == 401, 'the token set before login is not accepted after it (fixation)')
    st, tok2, _, _ = srv.login('viewer@example.com', cookie=tok)
    st1, _, _ = srv.request('GET', '/api/v1/session', cookie=tok)
    st2, _, _ = srv.request('GET', '/api/v1/session', cookie=tok2)
    t.check(st1 == 401 and st2 == 200, 'logging in again ends the old session (rotation)')
    sc = hd.get('set-cookie', '')
    t.check('HttpOnly' in sc and 'SameSite=Strict' in sc and 'Path=/' in sc,
            'the session cookie is HttpOnly and SameSite=Strict: ' + sc.split(';', 1)[1])
    st, _, data = srv.request('GET', '/api/v1/session', cookie=tok2)
    who = json.loads(data)
    t.check(who['email'] == 'viewer@example.com' and who['role'] == 'viewer', 'GET session says who')
    _, csrf2 = srv.login('finance@example.com')[1:3]
    st, tok3, csrf3, _ = srv.login('finance@example.com')
    st, _, _ = srv.request('DELETE', '/api/v1/session', cookie=tok3, headers={'X-CSRF-Token': csrf3})
    st2, _, _ = srv.request('GET', '/api/v1/session', cookie=tok3)
    t.check(st == 200 and st2 == 401, 'DELETE session logs out')
    st, tok4, _, _ = srv.login('b@brit.example')
    import subprocess
    subprocess.run([rebill, '--db', db, 'user', 'disable', 'b@brit.example'], check=True)
    st, _, _ = srv.request('GET', '/api/v1/session', cookie=tok4)
    st2 = srv.login('b@brit.example')[0]
    t.check(st == 401 and st2 == 401, 'a disabled user\'s session ends and it cannot log in')
    st, _, _ = srv.request('GET', '/api/v1/session', cookie='not-a-token')
    t.check(st == 401, 'a made-up cookie is not a session')
    out = subprocess.run([rebill, '--db', db, 'user', 'token', 'viewer@example.com'], check=True,
                         capture_output=True, text=True).stdout.strip()
    st, _, _ = srv.request('GET', '/api/v1/periods', headers={'Authorization': 'Bearer ' + out})
    st2, _, _ = srv.request('GET', '/api/v1/audit', headers={'Authorization': 'Bearer ' + out})
    st3, _, _ = srv.request('GET', '/api/v1/periods', headers={'Authorization': 'Bearer ' + out[:-1] + 'x'})
    t.check(st == 200 and st2 == 403 and st3 == 401, 'an API bearer token works, with its user\'s role only')
    audit = subprocess.run([rebill, '--db', db, 'config', 'audit', '--format', 'json', '--limit', '0'],
                           check=True, capture_output=True, text=True).stdout
    t.check('user:csrf@example.com' in audit and 'user:b@brit.example' in audit,
            'user changes are in the audit log')


def input_tests(t, srv, s):
    st, hd, data = srv.request('POST', '/api/v1/session', b'{"email":"' + b'x' * 100000 + b'"}',
                               ctype='application/json')
    t.check(st == 413 and json.loads(data)['error']['code'] == 'body_too_large', 'a 100 kB body -> 413')
    st, _, data = srv.request('POST', '/api/v1/session', {'email': 'a@b.c', 'password': 'x', 'admin': True})
    e = json.loads(data)['error']
    t.check(st == 400 and e['code'] == 'unknown_field' and e['field'] == 'admin', 'an unknown JSON field -> 400 naming it')
    st, _, data = srv.request('POST', '/api/v1/session', b'{"email": ', ctype='application/json')
    t.check(st == 400 and json.loads(data)['error']['code'] == 'bad_json', 'bad JSON -> 400')
    st, _, data = srv.request('POST', '/api/v1/session', b'email=x', ctype='text/plain')
    t.check(st == 415, 'a JSON route refuses another content type -> 415')
    tok = s['admin'][0]
    st, _, data = srv.request('GET', '/api/v1/margin?period=2026-10&colour=red', cookie=tok)
    e = json.loads(data)['error']
    t.check(st == 400 and e['field'] == 'colour', 'an unknown query parameter -> 400 naming it')
    st, _, data = srv.request('GET', '/api/v1/margin?period=2026-13', cookie=tok)
    t.check(st == 400 and json.loads(data)['error']['field'] == 'period', 'a bad period -> 400')
    st, _, data = srv.request('GET', '/api/v1/margin?by=colour', cookie=tok)
    t.check(st == 400 and json.loads(data)['error']['field'] == 'by', 'a bad grouping -> 400')
    st, _, data = srv.request('GET', '/api/v1/customers/nobody', cookie=tok)
    t.check(st == 404 and set(json.loads(data)['error']) == {'code', 'message', 'field'},
            'an unknown customer -> 404 with {"error":{code,message,field}}')
    st, _, _ = srv.request('GET', '/api/v1/nothing-here', cookie=tok)
    t.check(st == 404, 'an unknown path -> 404')
    st, _, _ = srv.request('PUT', '/api/v1/periods', cookie=tok, headers={'X-CSRF-Token': s['admin'][1]})
    t.check(st == 405, 'a wrong method -> 405')
    tok, csrf = s['finance']
    st, _, data = srv.request('POST', '/api/v1/fx', {'period': '2027-05', 'currency': 'EUR', 'rate': 'abc'},
                              cookie=tok, headers={'X-CSRF-Token': csrf})
    e = json.loads(data)['error']
    t.check(st == 400 and e['code'] == 'invalid_config' and e['field'] and e.get('problems'),
            'a bad FX rate -> 400 naming the JSON path: %s' % e.get('field'))
    st, _, data = srv.request('POST', '/api/v1/accounts/101091972001/assign', {'customer': 'nobody'},
                              cookie=tok, headers={'X-CSRF-Token': csrf})
    t.check(st == 404, 'assigning to an unknown customer -> 404 (%d)' % st)
    st, _, data = srv.request('POST', '/api/v1/accounts/12/assign', {'customer': 'acme'},
                              cookie=tok, headers={'X-CSRF-Token': csrf})
    t.check(st == 400, 'a bad account id -> 400 (%d)' % st)
    st, _, data = srv.request('POST', '/api/v1/customers', {'id': 'x1', 'name': 'X', 'currency': 'EUR',
                              'plan': 'no-such-plan'}, cookie=tok, headers={'X-CSRF-Token': csrf})
    e = json.loads(data)['error']
    t.check(st == 400 and e['code'] == 'invalid_config' and e['field'].endswith('.plan') and
            'no-such-plan' in e['message'], 'a customer with an unknown plan -> 400 naming %s' % e['field'])
    st, _, data = srv.request('POST', '/api/v1/customers', {'id': 'acme', 'name': 'X', 'currency': 'EUR',
                              'plan': 'standard'}, cookie=tok, headers={'X-CSRF-Token': csrf})
    t.check(st == 409 and json.loads(data)['error']['field'] == 'id', 'adding an existing customer -> 409')
    st, _, data = srv.request('PATCH', '/api/v1/customers/acme', {'margin': '1'}, cookie=tok,
                              headers={'X-CSRF-Token': csrf})
    t.check(st == 400 and json.loads(data)['error']['field'] == 'margin', 'a customer edit with an unknown field -> 400')
    st, _, data = srv.request('PATCH', '/api/v1/customers/acme', {'currency': 'XXQ'}, cookie=tok,
                              headers={'X-CSRF-Token': csrf})
    t.check(st == 400 and json.loads(data)['error']['code'] == 'invalid_config',
            'a customer edit to an unknown currency -> 400 (%s)' % json.loads(data)['error'].get('field'))
    st, _, data = srv.request('PATCH', '/api/v1/customers/acme', b'{"name":"' + b'x' * 70000 + b'"}',
                              cookie=tok, headers={'X-CSRF-Token': csrf}, ctype='application/json')
    t.check(st == 413, 'a 70 kB customer edit -> 413')
    st, _, data = srv.request('POST', '/api/v1/accounts/101091972001/unassign', {'from': '2026-13'},
                              cookie=tok, headers={'X-CSRF-Token': csrf})
    t.check(st == 400, 'unassign with a bad month -> 400 (%d)' % st)
    st, _, data = srv.request('DELETE', '/api/v1/fx?period=2031-01&currency=EUR', cookie=tok,
                              headers={'X-CSRF-Token': csrf})
    t.check(st == 404, 'removing a rate that does not exist -> 404')
    st, _, data = srv.request('POST', '/api/v1/accounts/101091972001/assign',
                              {'customer': 'acme', 'tag': 'team'}, cookie=tok, headers={'X-CSRF-Token': csrf})
    t.check(st == 400 and json.loads(data)['error']['field'] == 'value', 'a split assignment needs tag and value')
    tok = s['admin'][0]
    # the figures are the library's: reconciliation balances as the CLI's does
    st, _, data = srv.request('GET', '/api/v1/reconciliation?period=2026-10', cookie=tok)
    rec = json.loads(data)
    t.check(st == 200 and rec['period'] == '2026-10' and len(rec['payers']) == 2, 'reconciliation for 2026-10 (2 payers)')


def header_tests(t, srv, s):
    tok = s['admin'][0]
    for path in ['/login', '/console', '/api/v1/periods', '/static/app.js', '/nothing']:
        st, hd, _ = srv.request('GET', path, cookie=tok)
        csp = hd.get('content-security-policy', '')
        t.check("frame-ancestors 'none'" in csp and "script-src 'self'" in csp and
                'unsafe-inline' not in csp and hd.get('x-content-type-options') == 'nosniff',
                '%s: CSP without inline script, frame-ancestors none, nosniff' % path)
    st, hd, _ = srv.request('GET', '/console', cookie=tok)
    t.check(hd.get('cache-control') == 'no-store', 'an authenticated page is not cached')
    st, hd, body = srv.request('GET', '/console', cookie=tok)
    t.check(b'<script>' not in body and b' on' + b'click=' not in body, 'the console page has no inline script')


def throttling(t, srv):
    for _ in range(3):
        st = srv.login('viewer@example.com', 'wrong-password-000')[0]
    t.check(st == 401, 'wrong passwords -> 401')
    st, tok, _, hd = srv.login('viewer@example.com')
    t.check(st == 429 and not tok and hd.get('retry-after'), 'after 3 failures the account is throttled, even with the right password -> 429')
    st, tok, _, _ = srv.login('admin@example.com')
    t.check(st == 200, 'another account from the same address still logs in')
    st1 = srv.request('GET', '/api/v1/session', cookie=tok)[0]
    time.sleep(3.5)
    st2 = srv.request('GET', '/api/v1/session', cookie=tok)[0]
    t.check(st1 == 200 and st2 == 401, 'a session idle longer than --session-idle ends (%d, %d)' % (st1, st2))
    for i in range(5):
        srv.login('nobody%d@example.com' % i, 'wrong-password-000')
    st = srv.login('finance@example.com')[0]
    t.check(st == 429, 'after 8 failures from one address every login from it is throttled -> 429')


if __name__ == '__main__':
    sys.exit(main())
