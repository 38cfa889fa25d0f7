/* fw_compare.c: compares what the firmware printed (main.c's format) with
 * the host's outputs for the same inputs (HOSTDIR/out_K.bin, raw bytes, as
 * onnxcc-run --keep writes them).
 *
 *   fw_compare LOG HOSTDIR [RTOL ATOL] [--perturb]   (defaults 1e-5 and 1e-6)
 *
 * float and double elements pass when |fw - host| <= ATOL + RTOL |host| (NaN
 * matches NaN); every other type must be bit-identical.  Prints one line per
 * output (bit-identical elements, largest difference, in float ULPs too) and
 * PASS or FAIL.  --perturb changes the first host value of the first
 * non-empty output (a float by 1% + 1e-3, another type by its lowest bit)
 * before comparing, to show that the comparison can fail.  Exit status:
 * 0 PASS, 1 FAIL, 2 bad usage or input. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t elem_bytes(int t)
{
	switch (t) {
	case 4: case 5: case 10: case 16:
		return 2;
	case 1: case 6: case 12:
		return 4;
	case 7: case 11: case 13:
		return 8;
	default:
		return 1;
	}
}

static unsigned char *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)len + 1)) != NULL && fread(p, 1, (size_t)len, f) == (size_t)len) {
		*n = (size_t)len;
	} else {
		free(p);
		p = NULL;
	}
	fclose(f);
	return p;
}

/* Distance in units in the last place between two finite floats. */
static double ulps(float a, float b)
{
	int32_t x, y;

	memcpy(&x, &a, 4);
	memcpy(&y, &b, 4);
	if (x < 0)
		x = INT32_MIN - x;
	if (y < 0)
		y = INT32_MIN - y;
	return fabs((double)x - (double)y);
}

int main(int argc, char **argv)
{
	char line[512], path[4096];
	double rtol = 1e-5, atol = 1e-6;
	int outputs = 0, fail = 0, done = 0, perturb = 0;
	FILE *log;

	if (argc > 3 && !strcmp(argv[argc - 1], "--perturb")) {
		perturb = 1;
		argc--;
	}
	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: fw_compare LOG HOSTDIR [RTOL ATOL] [--perturb]\n");
		return 2;
	}
	if (argc == 5) {
		rtol = atof(argv[3]);
		atol = atof(argv[4]);
	}
	if (!(log = fopen(argv[1], "r"))) {
		perror(argv[1]);
		return 2;
	}
	while (fgets(line, sizeof line, log)) {
		char name[256];
		int k, type;
		size_t nbytes, hn, es, i, same = 0, bad = 0;
		unsigned char *host;
		double max_diff = 0, max_ulp = 0;

		if (!strcmp(line, "done\n"))
			done = 1;
		if (sscanf(line, "output %d '%255[^']' type %d nbytes %zu", &k, name, &type, &nbytes) != 4)
			continue;
		if (k != outputs) {
			fprintf(stderr, "fw_compare: output %d out of order\n", k);
			return 2;
		}
		outputs++;
		snprintf(path, sizeof path, "%s/out_%d.bin", argv[2], k);
		if (!(host = read_file(path, &hn))) {
			fprintf(stderr, "fw_compare: cannot read %s\n", path);
			return 2;
		}
		if (hn != nbytes) {
			printf("output %d '%s': %zu bytes on the target, %zu on the host: FAIL\n", k, name,
			       nbytes, hn);
			fail = 1;
			free(host);
			continue;
		}
		es = elem_bytes(type);
		if (perturb == 1 && nbytes >= es) { /* the first non-empty output */
			perturb = 2;
			if (type == 1) {
				float y;
				memcpy(&y, host, 4);
				y = isnan(y) ? 0 : y + 0.01f * fabsf(y) + 1e-3f;
				memcpy(host, &y, 4);
			} else if (type == 11) {
				double y;
				memcpy(&y, host, 8);
				y = isnan(y) ? 0 : y + 0.01 * fabs(y) + 1e-3;
				memcpy(host, &y, 8);
			} else {
				host[0] ^= 1;
			}
		}
		for (i = 0; i < nbytes / es; i++) {
			unsigned long long v;
			unsigned char fw[8];
			size_t b;

			if (!fgets(line, sizeof line, log) || sscanf(line, " %llx", &v) != 1) {
				fprintf(stderr, "fw_compare: output %d: element %zu is missing\n", k, i);
				return 2;
			}
			for (b = 0; b < es; b++)
				fw[b] = (unsigned char)(v >> (8 * b));
			if (!memcmp(fw, host + i * es, es)) {
				same++;
				continue;
			}
			if (type == 1 || type == 11) {
				double x, y, d;
				if (type == 1) {
					float fx, fy;
					memcpy(&fx, fw, 4);
					memcpy(&fy, host + i * 4, 4);
					x = fx;
					y = fy;
					if (isfinite(fx) && isfinite(fy) && ulps(fx, fy) > max_ulp)
						max_ulp = ulps(fx, fy);
				} else {
					memcpy(&x, fw, 8);
					memcpy(&y, host + i * 8, 8);
				}
				d = fabs(x - y);
				if (isnan(x) && isnan(y))
					continue;
				if (!(d <= atol + rtol * fabs(y))) {
					if (bad++ < 5)
						printf("  element %zu: target %.9g host %.9g\n", i, x, y);
				}
				if (d > max_diff || isnan(d))
					max_diff = d;
			} else if (bad++ < 5) {
				printf("  element %zu differs\n", i);
			}
		}
		printf("output %d '%s': %zu/%zu elements bit-identical, max_abs_diff=%.3g", k, name, same,
		       nbytes / es, max_diff);
		if (type == 1)
			printf(" (%.0f ulp)", max_ulp);
		printf(", %zu beyond rtol=%g atol=%g: %s\n", bad, rtol, atol, bad ? "FAIL" : "PASS");
		if (bad)
			fail = 1;
		free(host);
	}
	fclose(log);
	snprintf(path, sizeof path, "%s/out_%d.bin", argv[2], outputs);
	if (outputs == 0 || !done) {
		printf("the firmware printed %d output(s)%s: FAIL\n", outputs, done ? "" : " and did not finish");
		fail = 1;
	} else {
		FILE *f = fopen(path, "rb");
		if (f) {
			fclose(f);
			printf("the host has more outputs than the firmware's %d: FAIL\n", outputs);
			fail = 1;
		}
	}
	printf("%s\n", fail ? "FAIL" : "PASS");
	return fail;
}
