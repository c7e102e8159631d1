#!/usr/bin/env python3
"""serve_config.py ACCOUNTS.json CONFIG.json: the billing configuration of
bench/serve_bench.sh for a database of `rebill gen` data — every usage
account of `rebill accounts --format json` given, in order, ten to a
customer (cust00000, cust00001, ...); two plans (ondemand basis with a rule
and a percent fee; unblended pass-through); USD, EUR and GBP customers with
the month's exchange rates. Deterministic."""
import json
import sys


def main():
    accounts = [a['account'] for a in json.load(open(sys.argv[1]))['accounts']]
    customers = []
    for i in range(0, len(accounts), 10):
        c = i // 10
        customers.append({
            'id': 'cust%05d' % c, 'name': 'Customer %d' % c,
            'currency': ('USD', 'EUR', 'GBP')[c % 3],
            'plan': 'standard' if c % 2 == 0 else 'passthrough',
            'accounts': [{'id': a} for a in accounts[i:i + 10]],
        })
    cfg = {
        'plans': [
            {'id': 'standard', 'basis': 'ondemand', 'markup_pct': '5',
             'rules': [{'service': 'AmazonEC2', 'usage_type': '*BoxUsage*', 'markup_pct': '8'}],
             'credits': '0.5',
             'fees': [{'type': 'percent', 'pct': '10', 'description': 'Managed services'}]},
            {'id': 'passthrough', 'basis': 'unblended'},
        ],
        'customers': customers,
        'fx': [{'period': '2026-10', 'currency': 'EUR', 'rate': '0.9231'},
               {'period': '2026-10', 'currency': 'GBP', 'rate': '0.7912'}],
    }
    with open(sys.argv[2], 'w') as f:
        json.dump(cfg, f, indent=1)


if __name__ == '__main__':
    main()
