/* gen_tiny_cnn.c: writes the example model, a tiny CNN with deterministic
 * weights, and a test data set computed by a plain C forward pass:
 *
 *   image float[1,1,8,8]
 *   -> Conv 4x3x3 (pads 1) -> Relu -> MaxPool 2x2/2 -> Flatten
 *   -> Gemm 64->10 -> Softmax -> probs float[1,10]
 *
 * usage: gen_tiny_cnn DIR   (writes DIR/tiny_cnn.onnx and
 *                            DIR/test_data_set_0/{input_0,output_0}.pb) */
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>

#include "model_builder.h"
#include "tiny_cnn_data.h"

enum { C = 4, H = 8, W = 8, PH = H / 2, PW = W / 2, F = C * PH * PW, K = 10 };

static float conv_w[C * 9], conv_b[C], fc_w[K * F], fc_b[K];

static void make_weights(void)
{
	int i;

	for (i = 0; i < C * 9; i++)
		conv_w[i] = tiny_cnn_weight(i, 0.5f);
	for (i = 0; i < C; i++)
		conv_b[i] = tiny_cnn_weight(i + 1000, 0.1f);
	for (i = 0; i < K * F; i++)
		fc_w[i] = tiny_cnn_weight(i + 2000, 0.2f);
	for (i = 0; i < K; i++)
		fc_b[i] = tiny_cnn_weight(i + 3000, 0.1f);
}

/* The model's forward pass on one image, in double. */
static void forward(const float *img, float *probs)
{
	double conv[C][H][W], pool[F], logit[K], max, sum = 0;
	int c, y, x, i, j, k, dy, dx;

	for (c = 0; c < C; c++)
		for (y = 0; y < H; y++)
			for (x = 0; x < W; x++) {
				double s = conv_b[c];
				for (dy = 0; dy < 3; dy++)
					for (dx = 0; dx < 3; dx++) {
						int yy = y + dy - 1, xx = x + dx - 1;
						if (yy >= 0 && yy < H && xx >= 0 && xx < W)
							s += (double)conv_w[c * 9 + dy * 3 + dx] * img[yy * W + xx];
					}
				conv[c][y][x] = s > 0 ? s : 0;
			}
	for (c = 0; c < C; c++)
		for (y = 0; y < PH; y++)
			for (x = 0; x < PW; x++) {
				double m = conv[c][2 * y][2 * x];
				for (i = 0; i < 2; i++)
					for (j = 0; j < 2; j++)
						m = fmax(m, conv[c][2 * y + i][2 * x + j]);
				pool[(c * PH + y) * PW + x] = m;
			}
	for (k = 0; k < K; k++) {
		logit[k] = fc_b[k];
		for (i = 0; i < F; i++)
			logit[k] += (double)fc_w[k * F + i] * pool[i];
	}
	max = logit[0];
	for (k = 1; k < K; k++)
		max = fmax(max, logit[k]);
	for (k = 0; k < K; k++)
		sum += exp(logit[k] - max);
	for (k = 0; k < K; k++)
		probs[k] = (float)(exp(logit[k] - max) / sum);
}

static void build_model(MB *b)
{
	static const int64_t img[] = {1, 1, H, W}, cw[] = {C, 1, 3, 3}, cb[] = {C};
	static const int64_t fw[] = {K, F}, fb[] = {K}, out[] = {1, K};
	static const int64_t k3[] = {3, 3}, pad1[] = {1, 1, 1, 1}, k2[] = {2, 2};
	Onnx__NodeProto *n;

	mb_input(b, "image", DT_FLOAT, 4, img);
	mb_init_f32(b, "conv_w", 4, cw, conv_w);
	mb_init_f32(b, "conv_b", 1, cb, conv_b);
	mb_init_f32(b, "fc_w", 2, fw, fc_w);
	mb_init_f32(b, "fc_b", 1, fb, fc_b);
	n = mb_node(b, "Conv", "conv", "image,conv_w,conv_b", "conv_out");
	mb_attr_ints(n, "kernel_shape", 2, k3);
	mb_attr_ints(n, "pads", 4, pad1);
	mb_node(b, "Relu", "relu", "conv_out", "relu_out");
	n = mb_node(b, "MaxPool", "pool", "relu_out", "pool_out");
	mb_attr_ints(n, "kernel_shape", 2, k2);
	mb_attr_ints(n, "strides", 2, k2);
	mb_attr_i(mb_node(b, "Flatten", "flatten", "pool_out", "features"), "axis", 1);
	mb_attr_i(mb_node(b, "Gemm", "fc", "features,fc_w,fc_b", "logits"), "transB", 1);
	mb_attr_i(mb_node(b, "Softmax", "softmax", "logits", "probs"), "axis", 1);
	mb_output(b, "probs", DT_FLOAT, 2, out);
}

int main(int argc, char **argv)
{
	static const int64_t img_dims[] = {1, 1, H, W}, out_dims[] = {1, K};
	float img[H * W], probs[K];
	char path[4096];
	MB *b = mb_new(13);

	if (argc != 2) {
		fprintf(stderr, "usage: gen_tiny_cnn DIR\n");
		return 2;
	}
	make_weights();
	build_model(b);
	b->m.producer_name = "onnxcc examples/tiny_cnn/gen_tiny_cnn.c";
	snprintf(path, sizeof path, "%s/tiny_cnn.onnx", argv[1]);
	mb_save(b, path);
	tiny_cnn_image(img);
	forward(img, probs);
	snprintf(path, sizeof path, "%s/test_data_set_0", argv[1]);
	mkdir(path, 0777);
	snprintf(path, sizeof path, "%s/test_data_set_0/input_0.pb", argv[1]);
	mb_save_tensor_f32(path, "image", 4, img_dims, img);
	snprintf(path, sizeof path, "%s/test_data_set_0/output_0.pb", argv[1]);
	mb_save_tensor_f32(path, "probs", 2, out_dims, probs);
	return 0;
}
