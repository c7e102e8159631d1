"""webcfg_cases.py: the plans, tax clusters, FX and imports routes in
test_api.py's authorization matrix (roles written here from issue 12, not
read from the code), what each role's request is, and afterwards which
writes must exist: only admin's and finance's, audited once each with their
web user. Plus functional tests on a server of their own: validation
errors as {"error":{"code","message","field"}}, unknown fields, a preview
that follows a markup change, uploads (streamed, bounded, CSRF-checked
before a byte is written) and a failed import that leaves the database
unchanged."""
import csv
import glob
import json
import os
import subprocess
import tempfile
import time

STAFF = {'admin', 'finance', 'viewer'}
WRITERS = {'admin', 'finance'}
ROLES = ['anonymous', 'admin', 'customer', 'finance', 'viewer']  # the matrix's order

EXPECT = {
    ('GET', '/api/v1/plans'): STAFF,
    ('POST', '/api/v1/plans'): WRITERS,
    ('GET', '/api/v1/plans/{id}'): STAFF,
    ('PATCH', '/api/v1/plans/{id}'): WRITERS,
    ('POST', '/api/v1/plans/{id}/rules'): WRITERS,
    ('DELETE', '/api/v1/plans/{id}/rules'): WRITERS,
    ('POST', '/api/v1/plans/{id}/fees'): WRITERS,
    ('DELETE', '/api/v1/plans/{id}/fees'): WRITERS,
    ('GET', '/api/v1/tax-clusters'): STAFF,
    ('POST', '/api/v1/tax-clusters'): WRITERS,
    ('PATCH', '/api/v1/tax-clusters/{id}'): WRITERS,
    ('GET', '/api/v1/fx'): STAFF,
    ('POST', '/api/v1/imports'): WRITERS,
    ('GET', '/api/v1/imports'): STAFF,
    ('GET', '/api/v1/imports/{id}'): STAFF,
    ('GET', '/console/plans'): STAFF,
    ('POST', '/console/plans'): WRITERS,
    ('POST', '/console/plans/{id}'): WRITERS,
    ('POST', '/console/plans/{id}/rules'): WRITERS,
    ('POST', '/console/plans/{id}/rules/remove'): WRITERS,
    ('POST', '/console/plans/{id}/fees'): WRITERS,
    ('POST', '/console/plans/{id}/fees/remove'): WRITERS,
    ('GET', '/console/tax-clusters'): STAFF,
    ('POST', '/console/tax-clusters'): WRITERS,
    ('POST', '/console/tax-clusters/{id}'): WRITERS,
    ('GET', '/console/fx'): STAFF,
    ('POST', '/console/fx'): WRITERS,
    ('POST', '/console/fx/remove'): WRITERS,
    ('GET', '/console/imports'): STAFF,
    ('POST', '/console/imports'): {'admin'},
}

SOURCES = ('plan add', 'plan set', 'plan rule add', 'plan rule remove', 'plan fee add',
           'plan fee remove', 'tax-cluster add', 'tax-cluster set')
FORM = 'application/x-www-form-urlencoded'


def setup(rebill, db):
    """What the matrix's requests act on, made with the CLI (its audit
    rows carry the OS user, not a web user): plan 'matrix' with a rule and a
    fee per role to remove, tax cluster 'tc-matrix'."""
    run = lambda *a: subprocess.run([rebill, '--db', db, '--quiet', *a], check=True,
                                    stdout=subprocess.DEVNULL)
    run('plan', 'add', 'matrix', '--basis', 'ondemand', '--markup-pct', '1')
    for role in ROLES:
        run('plan', 'rule', 'add', 'matrix', '--service', 'Del-' + role, '--markup-pct', '1')
        run('plan', 'rule', 'add', 'matrix', '--service', 'FDel-' + role, '--markup-pct', '1')
    for role in ROLES:
        run('plan', 'fee', 'add', 'matrix', '--type', 'flat', '--amount', '1',
            '--description', 'del-' + role)
        run('plan', 'fee', 'add', 'matrix', '--type', 'flat', '--amount', '1',
            '--description', 'fdel-' + role)
    run('tax-cluster', 'add', 'tc-matrix', '--name', 'Matrix', '--rate-pct', '10')


def first_job(srv, s):
    """A failed import job (job 1) for GET /api/v1/imports/{id} to read, and
    a rate per role for the FX remove form (set by the admin: the matrix's
    audit checks count web users)."""
    tok, csrf = s['admin']
    for i, role in enumerate(ROLES):
        st = srv.request('POST', '/api/v1/fx', {'period': '2030-0%d' % (i + 1), 'currency': 'EUR',
                                               'rate': '0.8'}, cookie=tok,
                         headers={'X-CSRF-Token': csrf})[0]
        assert st == 200, st
    st, _, data = srv.request('POST', '/api/v1/imports?name=x.csv', b'not,a,cur\n1,2,3\n',
                              cookie=tok, headers={'X-CSRF-Token': csrf}, ctype='text/csv')
    assert st == 202, (st, data)
    wait_job(srv, tok, json.loads(data)['id'])


def wait_job(srv, tok, job, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        st, _, data = srv.request('GET', '/api/v1/imports/%d' % job, cookie=tok)
        j = json.loads(data)
        if st != 200 or j['state'] != 'running':
            return j
        time.sleep(0.1)
    return j


def fee_number(srv, s, desc):
    st, _, data = srv.request('GET', '/api/v1/plans/matrix', cookie=s['admin'][0])
    for i, f in enumerate(json.loads(data).get('fees', [])):
        if f.get('description') == desc:
            return str(i + 1)
    return '99'


def case(srv, s, method, path, role, csrf):
    """(target, body, ctype, check) for a route of EXPECT, or None; check(st,
    hd, data) says whether an allowed call ran its handler."""
    if (method, path) not in EXPECT:
        return None
    i = ROLES.index(role)
    c = csrf or ''
    ok2 = lambda st, hd, data: st in (200, 201)
    done = lambda st, hd, data: st == 303 and '?done=' in hd.get('location', '')
    p = path.replace('{id}', 'tc-matrix' if 'tax-clusters' in path else
                     '1' if '/imports/' in path else 'matrix')
    if method == 'GET':
        return p, None, None, ok2
    if path == '/api/v1/plans':
        return p, {'id': 'plan-' + role, 'basis': 'effective'}, None, ok2
    if path == '/api/v1/plans/{id}':
        return p, {'markup_pct': '1.%d' % (i + 1)}, None, ok2
    if path == '/api/v1/plans/{id}/rules' and method == 'POST':
        return p, {'service': 'Add-' + role, 'markup_pct': '2'}, None, ok2
    if path == '/api/v1/plans/{id}/rules':
        return p + '?which=service=Del-' + role, None, None, ok2
    if path == '/api/v1/plans/{id}/fees' and method == 'POST':
        return p, {'type': 'flat', 'amount': '2', 'description': 'add-' + role}, None, ok2
    if path == '/api/v1/plans/{id}/fees':
        return p + '?which=' + fee_number(srv, s, 'del-' + role), None, None, ok2
    if path == '/api/v1/tax-clusters':
        return p, {'id': 'tc-' + role, 'name': 'TC ' + role, 'rate_pct': '5'}, None, ok2
    if path == '/api/v1/tax-clusters/{id}':
        return p, {'note': 'note-' + role}, None, ok2
    if path == '/api/v1/imports':
        # a malformed file: the job starts (202) and fails; nothing is written
        return (p + '?name=m.csv', b'not,a,cur\n', 'text/csv',
                lambda st, hd, data: st in (202, 409))
    if path == '/console/plans':
        return p, 'id=fplan-%s&basis=ondemand&csrf=%s' % (role, c), FORM, done
    if path == '/console/plans/{id}':
        return (p, 'basis=ondemand&markup_pct=1.%d&currency=&credits=1&refunds=pass&tax=strip'
                '&discounts=&csrf=%s' % (i + 1, c), FORM, done)
    if path == '/console/plans/{id}/rules':
        return p, 'service=Form-%s&markup_pct=3&csrf=%s' % (role, c), FORM, done
    if path == '/console/plans/{id}/rules/remove':
        return p, 'which=service%%3DFDel-%s&csrf=%s' % (role, c), FORM, done
    if path == '/console/plans/{id}/fees':
        return p, 'type=flat&amount=3&description=fadd-%s&csrf=%s' % (role, c), FORM, done
    if path == '/console/plans/{id}/fees/remove':
        return p, 'which=%s&csrf=%s' % (fee_number(srv, s, 'fdel-' + role), c), FORM, done
    if path == '/console/tax-clusters':
        return p, 'id=ftc-%s&name=F&rate_pct=5&csrf=%s' % (role, c), FORM, done
    if path == '/console/tax-clusters/{id}':
        return p, 'name=Matrix&rate_pct=10&note=fnote-%s&category=&csrf=%s' % (role, c), FORM, done
    if path == '/console/fx':
        return p, 'period=2029-0%d&currency=EUR&rate=0.9&csrf=%s' % (i + 1, c), FORM, done
    if path == '/console/fx/remove':
        return p, 'period=2030-0%d&currency=EUR&csrf=%s' % (i + 1, c), FORM, done
    if path == '/console/imports':
        # the handler ran: a path that does not exist is refused on the page
        return (p, 'path=/nonexistent-webcfg&csrf=' + c, FORM,
                lambda st, hd, data: st == 400 and b'nonexistent-webcfg' in data)
    raise AssertionError('no case for %s %s' % (method, path))


def written(st, hd):
    """A denied request that looks like it did something."""
    return st in (200, 201, 202) or '?done=' in hd.get('location', '') or \
        '/console/imports?job=' in hd.get('location', '')


def verify(t, srv, s, unauthorized):
    tok = s['admin'][0]
    st, _, data = srv.request('GET', '/api/v1/audit?limit=0', cookie=tok)
    entries = json.loads(data)['entries']
    web = ('admin@example.com', 'finance@example.com')
    for src in SOURCES:
        who = sorted(e.get('actor') for e in entries if e['source'] == src and
                     '@' in (e.get('actor') or ''))
        want = sorted(web * 2)  # once by API, once by form, each
        t.check(who == want, '%s: audited twice each (API, form) for admin and finance only: %s'
                % (src, who))
    for e in entries:
        if e['source'] in SOURCES + ('fx set', 'fx unset') and '@' in (e.get('actor') or '') \
                and e.get('actor') not in web:
            unauthorized.append(('write', e['object'], e.get('actor')))
    st, _, data = srv.request('GET', '/api/v1/plans/matrix', cookie=tok)
    plan = json.loads(data)
    services = {r.get('service') for r in plan.get('rules', [])}
    descs = {f.get('description') for f in plan.get('fees', [])}
    for role in ROLES:
        w = role in WRITERS
        for name, present, kind in (('Add-' + role, w, 'rule added by API'),
                                    ('Form-' + role, w, 'rule added by form'),
                                    ('Del-' + role, not w, 'rule left by API remove'),
                                    ('FDel-' + role, not w, 'rule left by form remove')):
            if (name in services) != present:
                unauthorized.append(('rule', name, role))
            t.check((name in services) == present, '%s %s: %s' % (kind, role, present))
        for name, present in (('add-' + role, w), ('fadd-' + role, w),
                              ('del-' + role, not w), ('fdel-' + role, not w)):
            if (name in descs) != present:
                unauthorized.append(('fee', name, role))
            t.check((name in descs) == present, 'fee %s present: %s' % (name, present))
    st, _, data = srv.request('GET', '/api/v1/plans', cookie=tok)
    ids = {p['id'] for p in json.loads(data)['plans']}
    t.check({i for i in ids if i.startswith(('plan-', 'fplan-'))} ==
            {'plan-admin', 'plan-finance', 'fplan-admin', 'fplan-finance'},
            'only admin and finance added plans: %s' % sorted(ids))
    st, _, data = srv.request('GET', '/api/v1/tax-clusters', cookie=tok)
    ids = {c['id'] for c in json.loads(data)['tax_clusters']}
    t.check({i for i in ids if i.startswith(('tc-', 'ftc-')) and i != 'tc-matrix'} ==
            {'tc-admin', 'tc-finance', 'ftc-admin', 'ftc-finance'},
            'only admin and finance added tax clusters: %s' % sorted(ids))
    st, _, data = srv.request('GET', '/api/v1/fx', cookie=tok)
    periods = {(r['period'], r['currency']) for r in json.loads(data)['rates']}
    want_left = {('2030-0%d' % (i + 1), 'EUR') for i, r in enumerate(ROLES) if r not in WRITERS}
    gone = {('2030-0%d' % (i + 1), 'EUR') for i, r in enumerate(ROLES) if r in WRITERS}
    added = {('2029-0%d' % (i + 1), 'EUR') for i, r in enumerate(ROLES) if r in WRITERS}
    denied = {('2029-0%d' % (i + 1), 'EUR') for i, r in enumerate(ROLES) if r not in WRITERS}
    t.check(want_left <= periods and not gone & periods and added <= periods and
            not denied & periods, 'FX forms: only admin\'s and finance\'s rates set and removed')


# ---- functional tests, on a server of their own ----

def api(srv, s, role, method, path, body=None, ctype=None, csrf=True):
    tok, c = s[role]
    h = {'X-CSRF-Token': c} if csrf and method != 'GET' else {}
    st, hd, data = srv.request(method, path, body, cookie=tok, headers=h, ctype=ctype)
    try:
        doc = json.loads(data)
    except ValueError:
        doc = None
    return st, hd, doc


def is_error(doc, code, field=Ellipsis):
    e = (doc or {}).get('error') or {}
    return list(doc or {}) == ['error'] and set(e) >= {'code', 'message', 'field'} and \
        e['code'] == code and (field is Ellipsis or e['field'] == field)


def facts_state(rebill, db):
    """What the database holds, as the CLI reports it."""
    out = []
    for args in (['periods', '--format', 'json'], ['summary', '--period', '2026-10', '--format', 'json']):
        out.append(subprocess.run([rebill, '--db', db, *args], check=True, capture_output=True,
                                  text=True).stdout)
    return out


def functional(t, serverlib, rebill, root):
    tmp, db = serverlib.make_db(rebill, root)
    updir = tempfile.mkdtemp(prefix='rebill-upl-')
    srv = serverlib.Server(rebill, db, '--upload-dir', updir, '--upload-max', '1')
    try:
        s = {}
        for role, email in (('admin', 'admin@example.com'), ('finance', 'finance@example.com'),
                            ('viewer', 'viewer@example.com'), ('customer', 'a@acme.example')):
            st, tok, csrf, _ = srv.login(email)
            s[role] = (tok, csrf)
        _functional(t, srv, s, rebill, db, tmp, updir)
    finally:
        srv.stop()
        serverlib.cleanup(tmp)
        serverlib.cleanup(updir)


def _functional(t, srv, s, rebill, db, tmp, updir):
    # plans: validation errors name the JSON path; unknown fields refused
    st, _, doc = api(srv, s, 'finance', 'PATCH', '/api/v1/plans/standard', {'markup_pct': 'x5'})
    t.check(st == 400 and is_error(doc, 'invalid_config') and
            doc['error']['field'].endswith('.markup_pct') and doc['error']['problems'],
            'a bad markup -> 400 naming its JSON path: %s' % (doc or {}).get('error', {}).get('field'))
    st, _, doc = api(srv, s, 'finance', 'PATCH', '/api/v1/plans/standard', {'markup': '5'})
    t.check(st == 400 and is_error(doc, 'unknown_field', 'markup'), 'an unknown plan field -> 400')
    st, _, doc = api(srv, s, 'finance', 'PATCH', '/api/v1/plans/standard', {'markup_pct': 5})
    t.check(st == 400 and is_error(doc, 'bad_field', 'markup_pct'),
            'a markup as a JSON number is refused (decimals are strings)')
    st, _, doc = api(srv, s, 'finance', 'PATCH', '/api/v1/plans/nope', {'markup_pct': '5'})
    t.check(st == 404 and is_error(doc, 'not_found', 'id'), 'an unknown plan -> 404')
    st, _, doc = api(srv, s, 'finance', 'POST', '/api/v1/plans', {'id': 'standard', 'basis': 'ondemand'})
    t.check(st == 409 and is_error(doc, 'conflict', 'id'), 'adding an existing plan -> 409')
    st, _, doc = api(srv, s, 'finance', 'POST', '/api/v1/plans', {'id': 'nobasis'})
    t.check(st == 400 and is_error(doc, 'missing_field', 'basis'), 'a plan needs a basis')
    st, _, doc = api(srv, s, 'finance', 'PATCH', '/api/v1/plans/standard', {'markup_pct': '9'},
                     csrf=False)
    t.check(st == 403 and is_error(doc, 'csrf'), 'PATCH a plan without the CSRF token -> 403')
    st, hd, _ = srv.request('POST', '/console/plans/standard', 'basis=ondemand&markup_pct=9',
                            cookie=s['finance'][0], ctype=FORM)
    st2, _, _ = srv.request('POST', '/console/fx/remove', 'period=2026-10&currency=EUR&csrf=' + 'f' * 64,
                            cookie=s['finance'][0], ctype=FORM)
    st3, _, doc = api(srv, s, 'finance', 'GET', '/api/v1/plans/standard')
    st4, _, fx = api(srv, s, 'finance', 'GET', '/api/v1/fx')
    t.check(st == 403 and st2 == 403 and doc['markup_pct'] == '5' and
            {'period': '2026-10', 'currency': 'EUR', 'rate': '0.9231'} in fx['rates'],
            'page forms without or with a wrong CSRF field -> 403, nothing changed')
    st, _, doc = api(srv, s, 'finance', 'POST', '/api/v1/plans/standard/rules',
                     {'service': 'AmazonEC2', 'usage_type': '*BoxUsage*', 'markup_pct': '3'})
    t.check(st == 409 or (st == 400 and 'already has rule' in doc['error']['message']),
            'a second rule with the same match is refused: %d' % st)
    st, _, doc = api(srv, s, 'finance', 'DELETE', '/api/v1/plans/standard/rules?which=42')
    t.check(st == 404 and is_error(doc, 'not_found', 'which'), 'removing rule 42 of 2 -> 404')
    st, _, doc = api(srv, s, 'finance', 'DELETE', '/api/v1/plans/standard/rules')
    t.check(st == 400 and is_error(doc, 'missing_parameter', 'which'), 'rule remove needs which')
    st, _, doc = api(srv, s, 'finance', 'POST', '/api/v1/plans/standard/fees',
                     {'type': 'flat', 'amount': '9.999'})
    t.check(st == 400 and is_error(doc, 'invalid_config') and '.fees[' in doc['error']['field'],
            'a fee with more digits than the currency -> 400 at fees[N].amount')
    st, _, doc = api(srv, s, 'finance', 'POST', '/api/v1/plans',
                     {'id': 'disc', 'basis': 'effective', 'discounts': {'SppDiscount': '0.5'}})
    st2, _, doc2 = api(srv, s, 'finance', 'GET', '/api/v1/plans/disc')
    t.check(st == 201 and doc2.get('discounts', {}).get('SppDiscount') == '0.5',
            'a plan added with discounts {"SppDiscount": "0.5"} has them')

    # the preview follows a markup change: acme is on 'standard'
    # (examples/config.json); a rule-free base is marked up by the default
    def total(cust):
        st, _, d = api(srv, s, 'finance', 'GET', '/api/v1/customers/%s/invoice-preview?period=2026-10' % cust)
        return d['invoices'][0]['total']
    before = total('acme')
    st, _, doc = api(srv, s, 'finance', 'PATCH', '/api/v1/plans/standard', {'markup_pct': '25'})
    after = total('acme')
    t.check(st == 200 and doc.get('updated') == 1 and before != after,
            'the draft invoice follows the plan markup: %s -> %s' % (before, after))
    st, _, doc = api(srv, s, 'admin', 'GET', '/api/v1/audit?limit=5')
    e = [x for x in doc['entries'] if x['source'] == 'plan set']
    t.check(e and e[0].get('actor') == 'finance@example.com', 'plan set audited with the web user')

    # hand arithmetic (billing.md §4, §5): us-co is on 'passthrough' (basis
    # unblended, markup 0, USD, no fees, no tax): a charge line is round(S);
    # at 10 % it is round(S x 1.1), so within 0.011 of 1.1 x the old line;
    # pass-through lines (credits, refunds, discounts, AWS tax) do not move
    def lines(cust):
        st, _, d = api(srv, s, 'finance', 'GET', '/api/v1/customers/%s/invoice-preview?period=2026-10' % cust)
        return {l['key']: float(l['amount']) for l in d['invoices'][0]['lines']}
    old = lines('us-co')
    st, _, doc = api(srv, s, 'finance', 'PATCH', '/api/v1/plans/passthrough', {'markup_pct': '10'})
    new = lines('us-co')
    passing = {'credits', 'refunds', 'discounts', 'aws_tax'}
    charges = [k for k in old if k not in passing]
    t.check(st == 200 and charges and set(new) == set(old) and
            all(abs(new[k] - old[k] * 1.1) <= 0.011 for k in charges) and
            all(new[k] == old[k] for k in old if k in passing),
            'passthrough at 10 %%: each of %d charge lines x 1.1, pass-through lines unchanged'
            % len(charges))

    # tax clusters, FX
    st, _, doc = api(srv, s, 'finance', 'POST', '/api/v1/tax-clusters',
                     {'id': 'rc', 'name': 'Reverse charge', 'rate_pct': '0', 'category': 'AE'})
    t.check(st == 400 and is_error(doc, 'invalid_config'),
            'a reverse-charge cluster without a note is refused: %s' % (doc or {}).get('error'))
    st, _, doc = api(srv, s, 'finance', 'PATCH', '/api/v1/tax-clusters/nl-vat', {'rate_pct': '101'})
    t.check(st == 400 and is_error(doc, 'invalid_config'), 'a rate over 100 % is refused')
    st, _, doc = api(srv, s, 'finance', 'PATCH', '/api/v1/tax-clusters/nl-vat', {'vat': '1'})
    t.check(st == 400 and is_error(doc, 'unknown_field', 'vat'), 'an unknown tax cluster field -> 400')
    st, _, doc = api(srv, s, 'viewer', 'GET', '/api/v1/fx')
    t.check(st == 200 and {'period': '2026-10', 'currency': 'EUR', 'rate': '0.9231'} in doc['rates'],
            'GET /api/v1/fx lists the example rates')
    st, _, doc = api(srv, s, 'finance', 'DELETE', '/api/v1/fx?period=2031-01&currency=EUR')
    t.check(st == 404 and is_error(doc, 'not_found'), 'fx unset of a rate that is not there -> 404')

    # imports: a malformed file fails, naming FILE:LINE:COLUMN, database unchanged
    gen = sorted(glob.glob(os.path.join(tmp, 'gen', '**', '*.csv'), recursive=True))
    good = gen[0]
    rows = list(csv.reader(open(good, newline='')))
    nrows = len(rows) - 1
    col = rows[0].index('lineItem/UnblendedCost')
    bad_rows = [list(r) for r in rows]
    bad_rows[5][col] = '12.x4'   # line 6 of the file
    bad = os.path.join(tmp, 'bad.csv')
    with open(bad, 'w', newline='') as f:
        csv.writer(f, lineterminator='\n').writerows(bad_rows)
    st, _, doc = api(srv, s, 'admin', 'GET', '/api/v1/imports?limit=0')
    hist0 = doc['imports']
    state0 = facts_state(rebill, db)
    with open(bad, 'rb') as f:
        st, hd, doc = api(srv, s, 'finance', 'POST', '/api/v1/imports?name=bad.csv', f.read(),
                          ctype='text/csv')
    t.check(st == 202 and doc['state'] in ('running', 'failed') and
            hd.get('location') == '/api/v1/imports/%d' % doc['id'],
            'an upload starts an import job -> 202 with its Location')
    # polled from the start: the job's state is this server's, not a cached
    # answer (a failed import commits nothing, so a cached "running" would
    # stay until something else committed — about a minute)
    j = wait_job(srv, s['finance'][0], doc['id'], timeout=30)
    t.check(j['state'] == 'failed' and j['error'].startswith('bad.csv:6:%d: ' % (col + 1)) and
            '12.x4' in j['error'], 'the failed import names FILE:LINE:COLUMN, polled from its start '
            '(state %s): %s' % (j['state'], j.get('error')))
    for path in ('/api/v1/imports/%d' % doc['id'], '/api/v1/imports?limit=0'):
        st, hd, _ = api(srv, s, 'finance', 'GET', path)
        t.check(st == 200 and 'x-rebill-cache' not in hd,
                'GET %s is never answered from the response cache (%s)' % (path, hd.get('x-rebill-cache')))
    st, _, doc = api(srv, s, 'admin', 'GET', '/api/v1/imports?limit=0')
    t.check(doc['imports'] == hist0 and facts_state(rebill, db) == state0,
            'a failed import leaves the database unchanged (history, periods, summary)')
    t.check(not os.listdir(updir), 'the failed upload\'s temporary file is removed')

    # a good file: progress reaches its size, rows as the file counts them
    with open(good, 'rb') as f:
        body = f.read()
    st, _, doc = api(srv, s, 'finance', 'POST', '/api/v1/imports?name=cur.csv', body,
                     ctype='application/octet-stream')
    j = wait_job(srv, s['finance'][0], doc['id'])
    t.check(j['state'] == 'done' and j['bytes'] == j['total_bytes'] == len(body) and
            j['rows'] == nrows and j['result']['rows'] == nrows and
            [p['status'] for p in j['result']['periods']] == ['replaced'],
            'an uploaded CUR file is imported: %d bytes, %d rows, replaced (%s)'
            % (len(body), nrows, j.get('error') or j['state']))
    st, _, doc = api(srv, s, 'viewer', 'GET', '/api/v1/imports?limit=0')
    t.check(len(doc['imports']) == len(hist0) + 1 and doc['imports'][0]['rows'] == nrows and
            doc['imports'][0]['current'] and doc['imports'][0]['files'][0]['rows'] == nrows,
            'the history holds the new import, newest first')
    t.check(facts_state(rebill, db)[0] == state0[0], 're-importing the same file restates the same facts')
    t.check(not os.listdir(updir), 'the upload\'s temporary file is removed after the import')

    # bounded, checked before it is written; a server path is admin only
    # the declared length is refused before the body is sent (the server closes)
    import http.client
    c = http.client.HTTPConnection(srv.host, srv.port, timeout=30)
    c.putrequest('POST', '/api/v1/imports?name=big.csv')
    for k, v in (('Cookie', srv.cookie_name + '=' + s['finance'][0]),
                 ('X-CSRF-Token', s['finance'][1]), ('Content-Type', 'text/csv'),
                 ('Content-Length', str(2 << 20))):
        c.putheader(k, v)
    c.endheaders()
    r = c.getresponse()
    doc = json.loads(r.read())
    c.close()
    t.check(r.status == 413 and is_error(doc, 'body_too_large') and not os.listdir(updir),
            'an upload declared over --upload-max (1 MiB) -> 413, nothing written (%d, %s)'
            % (r.status, os.listdir(updir)))
    st, _, doc = api(srv, s, 'viewer', 'POST', '/api/v1/imports?name=v.csv', body, ctype='text/csv')
    st2, _, doc2 = api(srv, s, 'finance', 'POST', '/api/v1/imports?name=v.csv', body,
                       ctype='text/csv', csrf=False)
    t.check(st == 403 and st2 == 403 and is_error(doc2, 'csrf') and not os.listdir(updir),
            'a viewer\'s upload and one without CSRF are refused, nothing written to disk')
    st, _, doc = api(srv, s, 'finance', 'POST', '/api/v1/imports', {'path': os.path.join(tmp, 'gen')})
    t.check(st == 403 and is_error(doc, 'forbidden', 'path'), 'finance may not import a server path')
    st, _, doc = api(srv, s, 'admin', 'POST', '/api/v1/imports', {'path': os.path.join(tmp, 'gen'),
                                                                  'x': 1})
    t.check(st == 400 and is_error(doc, 'unknown_field', 'x'), 'an unknown import field -> 400')
    st, _, doc = api(srv, s, 'admin', 'POST', '/api/v1/imports', {'path': os.path.join(tmp, 'gen')})
    j = wait_job(srv, s['admin'][0], doc['id']) if st == 202 else {}
    t.check(st == 202 and j.get('state') == 'done' and j['result']['files'] == len(gen),
            'an admin imports a server path: %d files' % len(gen))
    st, _, doc = api(srv, s, 'admin', 'GET', '/api/v1/imports/999')
    t.check(st == 404 and is_error(doc, 'not_found', 'id'), 'an unknown import job -> 404')
    st, hd, data = srv.request('GET', '/console/imports', cookie=s['viewer'][0])
    t.check(st == 200 and b'id="history"' in data and b'upload-form' not in data and
            b'name="path"' not in data, 'a viewer sees the history, no upload or path form')
    st, hd, data = srv.request('GET', '/console/plans', cookie=s['viewer'][0])
    t.check(st == 200 and b'class="markup">25 %' in data and b'plan-settings' not in data,
            'a viewer sees the plans read only (markup 25 %)')
