/* gen_matmul.c: writes the SGEMM model of the benchmark with tools/model_builder.
 *
 *   onnxcc_bench_matmul OUT.onnx M K N
 *
 * Y[M,N] = MatMul(A[M,K], B[K,N]): A is the graph input, B an initializer of
 * fixed pseudo-random values in [-1, 1) (a weight, as in a real layer). */
#include <stdio.h>
#include <stdlib.h>

#include "model_builder.h"

int main(int argc, char **argv)
{
	int64_t m, k, n, da[2], db[2], dy[2], i;
	uint32_t s = 12345;
	float *b;
	MB *mb;

	if (argc != 5 || (m = atoll(argv[2])) <= 0 || (k = atoll(argv[3])) <= 0 ||
	    (n = atoll(argv[4])) <= 0) {
		fprintf(stderr, "usage: onnxcc_bench_matmul OUT.onnx M K N\n");
		return 2;
	}
	if (!(b = malloc(sizeof *b * (size_t)(k * n))))
		return 1;
	for (i = 0; i < k * n; i++) {
		s = s * 1664525u + 1013904223u;
		b[i] = (float)(s >> 8) / 8388608.0f - 1.0f;
	}
	da[0] = m, da[1] = k, db[0] = k, db[1] = n, dy[0] = m, dy[1] = n;
	mb = mb_new(13);
	mb_input(mb, "A", DT_FLOAT, 2, da);
	mb_init_f32(mb, "B", 2, db, b);
	mb_node(mb, "MatMul", "matmul", "A,B", "Y");
	mb_output(mb, "Y", DT_FLOAT, 2, dy);
	mb_save(mb, argv[1]);
	return 0;
}
