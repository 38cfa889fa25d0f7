/* main.c: runs the model that onnxcc_add_model() compiled into the library
 * tiny_cnn on a fixed 8x8 image and prints the ten class probabilities. */
#include <stdint.h>
#include <stdio.h>

#include "tiny_cnn.h"      /* generated into the build tree by onnxcc */
#include "tiny_cnn_data.h" /* tiny_cnn_image(): the fixed input */

/* TINY_CNN_ARENA_SIZE bytes aligned to TINY_CNN_ARENA_ALIGN, no allocation. */
static unsigned char arena_storage[TINY_CNN_ARENA_SIZE + TINY_CNN_ARENA_ALIGN];

int main(void)
{
	float image[1 * 1 * 8 * 8], probs[10];
	void *arena = (void *)(((uintptr_t)arena_storage + TINY_CNN_ARENA_ALIGN - 1) &
			       ~(uintptr_t)(TINY_CNN_ARENA_ALIGN - 1));
	int k, rc;

	tiny_cnn_image(image);
	rc = tiny_cnn_run(image, probs, arena);
	if (rc != TINY_CNN_OK) {
		fprintf(stderr, "tiny_cnn_run failed: %d\n", rc);
		return 1;
	}
	for (k = 0; k < 10; k++)
		printf("probs[%d] = %.9g\n", k, probs[k]);
	return 0;
}
