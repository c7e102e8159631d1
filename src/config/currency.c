/*
 * currency.c: ISO 4217 minor units for the currencies a reseller is likely
 * to invoice in. A code missing here is a configuration error, never a
 * guess of 2 digits.
 */
#include "config/config.h"

#include <string.h>

#include "util/banned.h"

static const struct {
	char code[4];
	int minor;
} currencies[] = {
	{ "AED", 2 }, { "ARS", 2 }, { "AUD", 2 }, { "BGN", 2 }, { "BHD", 3 }, { "BRL", 2 },
	{ "CAD", 2 }, { "CHF", 2 }, { "CLP", 0 }, { "CNY", 2 }, { "COP", 2 }, { "CZK", 2 },
	{ "DKK", 2 }, { "EGP", 2 }, { "EUR", 2 }, { "GBP", 2 }, { "HKD", 2 }, { "HUF", 2 },
	{ "IDR", 2 }, { "ILS", 2 }, { "INR", 2 }, { "ISK", 0 }, { "JOD", 3 }, { "JPY", 0 },
	{ "KRW", 0 }, { "KWD", 3 }, { "MXN", 2 }, { "MYR", 2 }, { "NOK", 2 }, { "NZD", 2 },
	{ "OMR", 3 }, { "PEN", 2 }, { "PHP", 2 }, { "PLN", 2 }, { "QAR", 2 }, { "RON", 2 },
	{ "RSD", 2 }, { "SAR", 2 }, { "SEK", 2 }, { "SGD", 2 }, { "THB", 2 }, { "TRY", 2 },
	{ "TWD", 2 }, { "UAH", 2 }, { "USD", 2 }, { "VND", 0 }, { "ZAR", 2 },
};

int config_currency_minor(const char *code)
{
	size_t i;
	for (i = 0; i < sizeof(currencies) / sizeof(currencies[0]); i++)
		if (!strcmp(code, currencies[i].code))
			return currencies[i].minor;
	return -1;
}
