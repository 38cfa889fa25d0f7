/* main.c: runs a model that onnxcc compiled with the name `model` (model.h,
 * model.c or model.o) on the inputs of fw_inputs.c, and prints every output
 * element through semihosting: its bits in hex (exact; the test compares
 * these) and, for float and double, a decimal with 9 significant digits.
 *
 * No heap: the arena and the outputs are static arrays (.bss), the inputs are
 * constants (.rodata).  FW_OUTPUT_BYTES, the room for all outputs, comes from
 * build.sh; a model whose outputs need more stops with an error. */
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "semihost.h"

#ifndef FW_OUTPUT_BYTES
#error "build with -DFW_OUTPUT_BYTES=<bytes of all outputs> (build.sh does)"
#endif

extern const void *const fw_inputs[MODEL_NUM_INPUTS];
extern const size_t fw_input_bytes[MODEL_NUM_INPUTS];
uint32_t fw_stack_untouched(void);
uint32_t fw_stack_size(void);

#if MODEL_ARENA_SIZE > 0
static unsigned char arena[MODEL_ARENA_SIZE] __attribute__((aligned(MODEL_ARENA_ALIGN)));
#define ARENA ((void *)arena)
#else
#define ARENA NULL
#endif
/* Each output starts on an 8-byte boundary. */
static uint64_t out_pool[(FW_OUTPUT_BYTES + 7) / 8 + MODEL_NUM_OUTPUTS];

/* A line of output: appended to, then written with one semihosting call. */
static char line[160];
static size_t line_len;

static void put_str(const char *s)
{
	while (*s && line_len < sizeof line - 2)
		line[line_len++] = *s++;
}

static void put_char(char c)
{
	if (line_len < sizeof line - 2)
		line[line_len++] = c;
}

static void flush_line(void)
{
	line[line_len++] = '\n';
	line[line_len] = 0;
	sh_write0(line);
	line_len = 0;
}

static void put_udec(uint64_t v)
{
	char d[21];
	int n = 0;

	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		put_char(d[--n]);
}

static void put_hex(uint64_t v, int digits)
{
	while (digits-- > 0)
		put_char("0123456789abcdef"[(v >> (4 * digits)) & 15]);
}

/* x with 9 significant digits, as d.dddddddde+XX (decimal scaling in double,
 * so the last digit may be off by one).  The hex bits next to it
 * are the exact value; this is for people. */
static void put_decimal(double x)
{
	uint64_t m;
	int e = 0, k;

	if (x != x) {
		put_str("nan");
		return;
	}
	if (x < 0 || (x == 0 && 1 / x < 0)) {
		put_char('-');
		x = -x;
	}
	if (x == 0) {
		put_str("0");
		return;
	}
	if (x > 1.7976931348623157e308) {
		put_str("inf");
		return;
	}
	while (x >= 1e9) {
		x /= 10;
		e++;
	}
	while (x < 1e8) {
		x *= 10;
		e--;
	}
	m = (uint64_t)(x + 0.5);
	if (m >= 1000000000u) {
		m /= 10;
		e++;
	}
	e += 8;
	put_char((char)('0' + m / 100000000u));
	put_char('.');
	for (k = 7; k >= 0; k--) {
		uint64_t p = 1;
		int j;
		for (j = 0; j < k; j++)
			p *= 10;
		put_char((char)('0' + m / p % 10));
	}
	put_char('e');
	put_char(e < 0 ? '-' : '+');
	if (e > -10 && e < 10)
		put_char('0');
	put_udec((uint64_t)(e < 0 ? -e : e));
}

/* Bytes of one element of an onnx.TensorProto.DataType (1 for the rest). */
static size_t elem_bytes(int32_t t)
{
	switch (t) {
	case 4: case 5: case 10: case 16: /* uint16 int16 float16 bfloat16 */
		return 2;
	case 1: case 6: case 12: /* float int32 uint32 */
		return 4;
	case 7: case 11: case 13: /* int64 double uint64 */
		return 8;
	default:
		return 1;
	}
}

static void print_output(int k, const unsigned char *p)
{
	const model_tensor_info *o = &model_outputs[k];
	size_t es = elem_bytes(o->elem_type), i, n = o->nbytes / es;

	put_str("output ");
	put_udec((uint64_t)k);
	put_str(" '");
	put_str(o->name);
	put_str("' type ");
	put_udec((uint64_t)o->elem_type);
	put_str(" nbytes ");
	put_udec((uint64_t)o->nbytes);
	flush_line();
	for (i = 0; i < n; i++) {
		uint64_t v = 0;
		size_t b;

		for (b = 0; b < es; b++) /* little-endian element bits */
			v |= (uint64_t)p[i * es + b] << (8 * b);
		put_str("  ");
		put_hex(v, (int)(2 * es));
		if (o->elem_type == 1) {
			float f;
			uint32_t u = (uint32_t)v;
			__builtin_memcpy(&f, &u, 4);
			put_str("  ");
			put_decimal(f);
		} else if (o->elem_type == 11) {
			double d;
			__builtin_memcpy(&d, &v, 8);
			put_str("  ");
			put_decimal(d);
		}
		flush_line();
	}
}

int main(void)
{
	void *outputs[MODEL_NUM_OUTPUTS];
	size_t used = 0;
	uint32_t stack_used;
	int k, rc;

	for (k = 0; k < MODEL_NUM_INPUTS; k++)
		if (fw_input_bytes[k] != model_inputs[k].nbytes) {
			put_str("firmware: input ");
			put_udec((uint64_t)k);
			put_str(" has ");
			put_udec(fw_input_bytes[k]);
			put_str(" bytes, the model takes ");
			put_udec(model_inputs[k].nbytes);
			flush_line();
			return 1;
		}
	for (k = 0; k < MODEL_NUM_OUTPUTS; k++) {
		size_t words = (model_outputs[k].nbytes + 7) / 8;
		if (used + words > sizeof out_pool / sizeof out_pool[0]) {
			put_str("firmware: the outputs need more than FW_OUTPUT_BYTES");
			flush_line();
			return 1;
		}
		outputs[k] = &out_pool[used];
		used += words;
	}
	rc = model_run_generic(fw_inputs, outputs, ARENA);
	stack_used = fw_stack_size() - fw_stack_untouched();
	if (stack_used >= fw_stack_size()) {
		put_str("firmware: the stack overflowed (FW_STACK_SIZE is too small)");
		flush_line();
		return 1;
	}
	if (rc != MODEL_OK) {
		put_str("firmware: model_run_generic returned ");
		put_udec((uint64_t)rc);
		flush_line();
		return 1;
	}
	for (k = 0; k < MODEL_NUM_OUTPUTS; k++)
		print_output(k, (const unsigned char *)outputs[k]);
	put_str("arena_bytes ");
	put_udec(MODEL_ARENA_SIZE);
	put_str(" stack_bytes ");
	put_udec(fw_stack_size());
	put_str(" stack_used ");
	put_udec(stack_used);
	flush_line();
	put_str("done");
	flush_line();
	return 0;
}
