/* gen_fw_cnn.c: writes the firmware example's model, a small CNN of the size
 * that fits a Cortex-M4 (about 10k weights, 40 KB), with deterministic
 * weights, and a test data set computed by a plain C forward pass in double:
 *
 *   image float[1,1,16,16]
 *   -> Conv 8x3x3 (pads 1) -> Relu -> MaxPool 2x2/2             [1,8,8,8]
 *   -> Conv 16x8x3x3 (pads 1) -> Relu -> AveragePool 2x2/2      [1,16,4,4]
 *   -> Flatten -> Gemm 256->32 -> Relu -> Gemm 32->10 -> Softmax -> probs [1,10]
 *
 * usage: gen_fw_cnn DIR   (writes DIR/fw_cnn.onnx and
 *                          DIR/test_data_set_0/{input_0,output_0}.pb) */
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>

#include "model_builder.h"

enum {
	H = 16, W = 16, C1 = 8, H1 = H / 2, W1 = W / 2, C2 = 16, H2 = H1 / 2, W2 = W1 / 2,
	F = C2 * H2 * W2, HID = 32, K = 10
};

static float c1w[C1 * 9], c1b[C1], c2w[C2 * C1 * 9], c2b[C2];
static float f1w[HID * F], f1b[HID], f2w[K * HID], f2b[K];

/* Weight i of a layer in [-scale, scale]: a fixed pseudo-random sequence. */
static float weight(unsigned layer, unsigned i, float scale)
{
	unsigned h = (layer * 100003u + i) * 2654435761u;

	h ^= h >> 13;
	h *= 2246822519u;
	h ^= h >> 16;
	return scale * ((float)(h % 2001u) / 1000.0f - 1.0f);
}

static void make_weights(void)
{
	int i;

	for (i = 0; i < C1 * 9; i++)
		c1w[i] = weight(1, (unsigned)i, 0.6f);
	for (i = 0; i < C1; i++)
		c1b[i] = weight(2, (unsigned)i, 0.1f);
	for (i = 0; i < C2 * C1 * 9; i++)
		c2w[i] = weight(3, (unsigned)i, 0.2f);
	for (i = 0; i < C2; i++)
		c2b[i] = weight(4, (unsigned)i, 0.1f);
	for (i = 0; i < HID * F; i++)
		f1w[i] = weight(5, (unsigned)i, 0.12f);
	for (i = 0; i < HID; i++)
		f1b[i] = weight(6, (unsigned)i, 0.1f);
	for (i = 0; i < K * HID; i++)
		f2w[i] = weight(7, (unsigned)i, 0.4f);
	for (i = 0; i < K; i++)
		f2b[i] = weight(8, (unsigned)i, 0.1f);
}

/* A 16x16 image: a ring with a bar through it on a faint gradient. */
static void make_image(float *img)
{
	int y, x;

	for (y = 0; y < H; y++)
		for (x = 0; x < W; x++) {
			double dy = y - 7.5, dx = x - 7.5, r = sqrt(dx * dx + dy * dy);
			img[y * W + x] = (fabs(r - 5.5) < 1.0 || (x == 9 && y > 2 && y < 13))
						 ? 1.0f : 0.02f * (float)(x + 2 * y);
		}
}

/* 3x3 convolution, pads 1, then Relu: in[ci][h][w] -> out[co][h][w]. */
static void conv3x3_relu(int ci, int co, int h, int w, const double *in, const float *wt,
			 const float *bias, double *out)
{
	int o, i, y, x, dy, dx;

	for (o = 0; o < co; o++)
		for (y = 0; y < h; y++)
			for (x = 0; x < w; x++) {
				double s = bias[o];
				for (i = 0; i < ci; i++)
					for (dy = 0; dy < 3; dy++)
						for (dx = 0; dx < 3; dx++) {
							int yy = y + dy - 1, xx = x + dx - 1;
							if (yy >= 0 && yy < h && xx >= 0 && xx < w)
								s += (double)wt[((o * ci + i) * 3 + dy) * 3 + dx] *
								     in[(i * h + yy) * w + xx];
						}
				out[(o * h + y) * w + x] = s > 0 ? s : 0;
			}
}

/* 2x2 pooling, stride 2: the maximum, or the mean when avg. */
static void pool2(int c, int h, int w, const double *in, int avg, double *out)
{
	int k, y, x;

	for (k = 0; k < c; k++)
		for (y = 0; y < h / 2; y++)
			for (x = 0; x < w / 2; x++) {
				const double *p = in + (k * h + 2 * y) * w + 2 * x;
				out[(k * (h / 2) + y) * (w / 2) + x] =
					avg ? (p[0] + p[1] + p[w] + p[w + 1]) / 4
					    : fmax(fmax(p[0], p[1]), fmax(p[w], p[w + 1]));
			}
}

/* The model's forward pass on one image, in double. */
static void forward(const float *img, float *probs)
{
	static double x0[H * W], a1[C1 * H * W], p1[C1 * H1 * W1], a2[C2 * H1 * W1], p2[F];
	double hid[HID], logit[K], max, sum = 0;
	int i, j;

	for (i = 0; i < H * W; i++)
		x0[i] = img[i];
	conv3x3_relu(1, C1, H, W, x0, c1w, c1b, a1);
	pool2(C1, H, W, a1, 0, p1);
	conv3x3_relu(C1, C2, H1, W1, p1, c2w, c2b, a2);
	pool2(C2, H1, W1, a2, 1, p2);
	for (j = 0; j < HID; j++) {
		double s = f1b[j];
		for (i = 0; i < F; i++)
			s += (double)f1w[j * F + i] * p2[i];
		hid[j] = s > 0 ? s : 0;
	}
	for (j = 0; j < K; j++) {
		logit[j] = f2b[j];
		for (i = 0; i < HID; i++)
			logit[j] += (double)f2w[j * HID + i] * hid[i];
	}
	max = logit[0];
	for (j = 1; j < K; j++)
		max = fmax(max, logit[j]);
	for (j = 0; j < K; j++)
		sum += exp(logit[j] - max);
	for (j = 0; j < K; j++)
		probs[j] = (float)(exp(logit[j] - max) / sum);
}

static void build_model(MB *b)
{
	static const int64_t img[] = {1, 1, H, W}, w1[] = {C1, 1, 3, 3}, b1[] = {C1};
	static const int64_t w2[] = {C2, C1, 3, 3}, b2[] = {C2}, fw1[] = {HID, F}, fb1[] = {HID};
	static const int64_t fw2[] = {K, HID}, fb2[] = {K}, out[] = {1, K};
	static const int64_t k3[] = {3, 3}, pad1[] = {1, 1, 1, 1}, k2[] = {2, 2};
	Onnx__NodeProto *n;

	mb_input(b, "image", DT_FLOAT, 4, img);
	mb_init_f32(b, "conv1_w", 4, w1, c1w);
	mb_init_f32(b, "conv1_b", 1, b1, c1b);
	mb_init_f32(b, "conv2_w", 4, w2, c2w);
	mb_init_f32(b, "conv2_b", 1, b2, c2b);
	mb_init_f32(b, "fc1_w", 2, fw1, f1w);
	mb_init_f32(b, "fc1_b", 1, fb1, f1b);
	mb_init_f32(b, "fc2_w", 2, fw2, f2w);
	mb_init_f32(b, "fc2_b", 1, fb2, f2b);
	n = mb_node(b, "Conv", "conv1", "image,conv1_w,conv1_b", "conv1_out");
	mb_attr_ints(n, "kernel_shape", 2, k3);
	mb_attr_ints(n, "pads", 4, pad1);
	mb_node(b, "Relu", "relu1", "conv1_out", "relu1_out");
	n = mb_node(b, "MaxPool", "pool1", "relu1_out", "pool1_out");
	mb_attr_ints(n, "kernel_shape", 2, k2);
	mb_attr_ints(n, "strides", 2, k2);
	n = mb_node(b, "Conv", "conv2", "pool1_out,conv2_w,conv2_b", "conv2_out");
	mb_attr_ints(n, "kernel_shape", 2, k3);
	mb_attr_ints(n, "pads", 4, pad1);
	mb_node(b, "Relu", "relu2", "conv2_out", "relu2_out");
	n = mb_node(b, "AveragePool", "pool2", "relu2_out", "pool2_out");
	mb_attr_ints(n, "kernel_shape", 2, k2);
	mb_attr_ints(n, "strides", 2, k2);
	mb_attr_i(mb_node(b, "Flatten", "flatten", "pool2_out", "features"), "axis", 1);
	mb_attr_i(mb_node(b, "Gemm", "fc1", "features,fc1_w,fc1_b", "fc1_out"), "transB", 1);
	mb_node(b, "Relu", "relu3", "fc1_out", "hidden");
	mb_attr_i(mb_node(b, "Gemm", "fc2", "hidden,fc2_w,fc2_b", "logits"), "transB", 1);
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
		fprintf(stderr, "usage: gen_fw_cnn DIR\n");
		return 2;
	}
	make_weights();
	build_model(b);
	b->m.producer_name = "onnxcc examples/firmware-cortex-m/gen_fw_cnn.c";
	mkdir(argv[1], 0777);
	snprintf(path, sizeof path, "%s/fw_cnn.onnx", argv[1]);
	mb_save(b, path);
	make_image(img);
	forward(img, probs);
	snprintf(path, sizeof path, "%s/test_data_set_0", argv[1]);
	mkdir(path, 0777);
	snprintf(path, sizeof path, "%s/test_data_set_0/input_0.pb", argv[1]);
	mb_save_tensor_f32(path, "image", 4, img_dims, img);
	snprintf(path, sizeof path, "%s/test_data_set_0/output_0.pb", argv[1]);
	mb_save_tensor_f32(path, "probs", 2, out_dims, probs);
	return 0;
}
