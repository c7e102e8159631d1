/*
 * fuzz_config.c: libFuzzer target for configuration validation
 * (config_normalize, spec §7). Any JSON document must end in a
 * canonical document or a list of problems: never a crash or a hang. A
 * canonical document must validate again to itself (normalizing is
 * idempotent), which is what makes `config export` + `config apply` a no-op.
 * Registered as `'config' : config_dep` in tests/fuzz/meson.build.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "config/check.h"
#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc, *norm = NULL, *again = NULL;
	struct config_result r;
	struct rb_err err;

	doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!doc)
		return 0;
	config_result_init(&r);
	if (config_normalize(&norm, doc, &r, &err) == 0) {
		if (r.nproblems || config_normalize(&again, norm, &r, &err) != 0 ||
		    !json_equal(norm, again))
			abort();
	} else if (!r.nproblems) {
		abort();
	}
	config_result_release(&r);
	json_decref(again);
	json_decref(norm);
	json_decref(doc);
	return 0;
}
