/* app.c: runs the tiny CNN that onnxcc compiled to tiny_cnn.c / tiny_cnn.h on
 * a fixed image and prints the class probabilities.
 *
 *   onnxcc examples/tiny_cnn/tiny_cnn.onnx -o tiny_cnn.c
 *   cc -std=c99 -O2 -I. -Iexamples/tiny_cnn examples/tiny_cnn/app.c tiny_cnn.c -lm -o app */
#include <stdint.h>
#include <stdio.h>

#include "tiny_cnn.h"
#include "tiny_cnn_data.h"

/* The arena: TINY_CNN_ARENA_SIZE bytes aligned to TINY_CNN_ARENA_ALIGN.
 * Static storage keeps the example free of allocation. */
static unsigned char arena_storage[TINY_CNN_ARENA_SIZE + TINY_CNN_ARENA_ALIGN];

int main(void)
{
	float image[1 * 1 * 8 * 8], probs[10];
	void *arena = (void *)(((uintptr_t)arena_storage + TINY_CNN_ARENA_ALIGN - 1) &
			       ~(uintptr_t)(TINY_CNN_ARENA_ALIGN - 1));
	int k, best = 0, rc;

	tiny_cnn_image(image);
	rc = tiny_cnn_run(image, probs, arena);
	if (rc != TINY_CNN_OK) {
		fprintf(stderr, "tiny_cnn_run failed: %d\n", rc);
		return 1;
	}
	for (k = 0; k < 10; k++) {
		printf("class %d: %.6f\n", k, probs[k]);
		if (probs[k] > probs[best])
			best = k;
	}
	printf("predicted class: %d\n", best);
	return 0;
}
