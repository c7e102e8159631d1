/*
 * names.c: the configuration document's words for config's enums.
 */
#include "config/config.h"

#include <string.h>

#include "util/banned.h"

static const char *const basis_names[] = { "unblended", "ondemand", "effective", "purchaser" };
static const char *const grouping_names[] = { "service", "account", "account_service" };
static const char *const fee_names[] = { "flat", "per_account", "percent" };

static int find(const char *const *names, int n, const char *s)
{
	int i;
	for (i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

const char *config_basis_name(enum config_basis b) { return basis_names[b]; }
int config_basis_from_name(const char *s) { return find(basis_names, 4, s); }
const char *config_grouping_name(enum config_grouping g) { return grouping_names[g]; }
int config_grouping_from_name(const char *s) { return find(grouping_names, 3, s); }
const char *config_fee_type_name(enum config_fee_type t) { return fee_names[t]; }
int config_fee_type_from_name(const char *s) { return find(fee_names, 3, s); }
