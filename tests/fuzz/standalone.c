/*
 * standalone.c: replays every file of a corpus directory through a fuzz
 * target's LLVMFuzzerTestOneInput, so ordinary builds (without clang's
 * libFuzzer) run the corpus as a test. Prints one line per file and the
 * summary "N passed, N failed, N skipped"; a crash fails the test by itself.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	struct dirent **ents;
	size_t pass = 0, fail = 0;
	int n, i;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 1;
	}
	n = scandir(argv[1], &ents, NULL, name_cmp);
	if (n < 0) {
		perror(argv[1]);
		return 1;
	}
	for (i = 0; i < n; i++) {
		char path[4096];
		unsigned char *buf = NULL;
		long len;
		FILE *f;

		if (ents[i]->d_name[0] == '.')
			goto next;
		snprintf(path, sizeof(path), "%s/%s", argv[1], ents[i]->d_name);
		f = fopen(path, "rb");
		if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
			printf("FAIL - %s: cannot read\n", ents[i]->d_name);
			fail++;
			if (f)
				fclose(f);
			goto next;
		}
		buf = malloc((size_t)len + 1);
		if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
			printf("FAIL - %s: short read\n", ents[i]->d_name);
			fail++;
		} else {
			LLVMFuzzerTestOneInput(buf, (size_t)len);
			printf("ok - %s\n", ents[i]->d_name);
			pass++;
		}
		fclose(f);
		free(buf);
next:
		free(ents[i]);
	}
	free(ents);
	printf("%zu passed, %zu failed, 0 skipped\n", pass, fail);
	return fail ? 1 : 0;
}
