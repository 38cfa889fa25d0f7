/* fuzz_compile.c: the libFuzzer target.  Every input is taken as an .onnx file
 * and compiled through the whole pipeline (frontend, passes, C backend: the
 * generated files are overwritten by the next input).  Bad input must give an error status, never a
 * crash, an out-of-bounds access or undefined behaviour (the target is built
 * with AddressSanitizer and UndefinedBehaviorSanitizer).
 *
 * Built by -DONNXCC_FUZZ=ON with clang; scripts/fuzz.sh runs it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[256], out[256];
	CompileOptions co;
	FILE *f;

	if (!path[0]) {
		const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		snprintf(path, sizeof path, "%s/onnxcc-fuzz-%d.onnx", tmp, (int)getpid());
		snprintf(out, sizeof out, "%s/onnxcc-fuzz-%d.c", tmp, (int)getpid());
	}
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	memset(&co, 0, sizeof co);
	co.input = path;
	co.output = out;
	co.opt_level = 2;	/* the default, fusion included */
	compile(&co);
	return 0;
}
