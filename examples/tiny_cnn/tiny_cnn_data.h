/* tiny_cnn_data.h: the example's deterministic weights and input image,
 * shared by the model generator and the application. */
#ifndef TINY_CNN_DATA_H
#define TINY_CNN_DATA_H

/* Weight i in [-scale, scale]: a fixed pseudo-random sequence. */
static inline float tiny_cnn_weight(int i, float scale)
{
	unsigned h = (unsigned)i * 2654435761u;

	h ^= h >> 15;
	return scale * ((float)(h % 2001u) / 1000.0f - 1.0f);
}

/* An 8x8 image of a diagonal stroke on a faint gradient. */
static inline void tiny_cnn_image(float *img)
{
	int y, x;

	for (y = 0; y < 8; y++)
		for (x = 0; x < 8; x++)
			img[y * 8 + x] = (x == 7 - y || x == 8 - y) ? 1.0f : 0.05f * (float)(x + y);
}

#endif
