/* test_rnn.c: RNN, GRU and LSTM evaluated by constant folding (the kernels the
 * generated code runs), on small cases that together use every attribute and
 * optional input: directions, layout 1, sequence_lens, initial states,
 * peepholes, clip, activations with their alpha and beta, linear_before_reset,
 * input_forget, absent outputs.  The expected values come from a separate
 * double-precision implementation of the ONNX equations (the reference's masks
 * and flips for sequence_lens and reverse). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "ops.h"
#include "passes/passes.h"

/* Load b and run infer, fold and dce; every output must be constant. */
static Graph *folded(MB *b)
{
	Graph *g = unit_load(b);

	ck_assert_msg(g != NULL, "load: %s", ir_last_error());
	ck_assert_msg(pass_infer(g) == 0, "infer: %s", ir_last_error());
	ck_assert_msg(pass_fold(g) == 0, "fold: %s", ir_last_error());
	ck_assert_msg(pass_dce(g) == 0, "dce: %s", ir_last_error());
	return g;
}

static void expect_floats(Graph *g, const char *name, int n, const float *want)
{
	Value *v = graph_find(g, name);
	int i;

	ck_assert_ptr_nonnull(v);
	ck_assert_msg(v->data != NULL, "%s is not constant", name);
	ck_assert_int_eq(value_numel(v), n);
	for (i = 0; i < n; i++) {
		double got = const_f64(v, i);
		ck_assert_msg(fabs(got - want[i]) <= 1e-6 + 1e-5 * fabs(want[i]),
			      "%s[%d] = %.9g, expected %.9g", name, i, got, want[i]);
	}
}

/* The node's error for model b, which must not load and infer. */
static const char *infer_error(MB *b)
{
	Graph *g = unit_load(b);

	ck_assert_msg(g != NULL, "load: %s", ir_last_error());
	ck_assert_int_ne(pass_infer(g), 0);
	graph_free(g);
	return ir_last_error();
}

/* GRU-22: bidirectional, layout 1, bias, sequence_lens, initial_h, linear_before_reset, activations HardSigmoid,ScaledTanh,Sigmoid,Softsign; outputs Y,Y_h. */
START_TEST(gru_bidirectional_lbr_layout1)
{
	MB *b = mb_new(22);
	static const int64_t dX[] = {2, 3, 2};
	static const float vX[] = {-0.095240891f, 0.119544774f, 0.0156825464f, 0.174769655f, 0.259765446f, 0.585953772f, 0.848421156f, -0.0686998591f, -0.630679309f, 0.0238172784f, -0.811753094f, -0.393197477f};
	static const int64_t dW[] = {2, 6, 2};
	static const float vW[] = {-0.573061228f, 0.433502346f, 0.270813882f, -0.641367555f, 0.675070763f, 0.650660872f, 0.215491548f, 0.161787793f, -0.479508281f, -0.678998947f, 0.0397337712f, -0.616628468f, -0.433708429f, -0.361279786f, -0.657884359f, -0.050491754f, -0.0832564384f, 0.479397982f, 0.0267737601f, 0.196408391f, -0.000317586906f, 0.227429345f, -0.0597381666f, -0.310571939f};
	static const int64_t dR[] = {2, 6, 2};
	static const float vR[] = {0.696718693f, 0.693968296f, 0.476301759f, 0.29093346f, -0.258611888f, -0.378467739f, -0.295344085f, -0.601687074f, 0.372803032f, -0.139440268f, 0.485217065f, -0.158881053f, 0.641259313f, 0.486233681f, -0.699237108f, -0.406395614f, 0.574380696f, -0.0420178138f, 0.672502518f, -0.143605858f, -0.597746313f, 0.181236878f, 0.389915198f, -0.322314173f};
	static const int64_t dB[] = {2, 12};
	static const float vB[] = {-0.825711608f, -0.334828734f, 0.928152442f, 0.516081035f, -0.764016628f, -0.507224083f, -0.797907352f, -0.880213201f, 0.594043016f, -0.644643724f, 0.11859028f, -0.105150245f, -0.618631184f, 0.46378842f, -0.738065839f, 0.287430257f, -0.766984046f, -0.158488765f, -0.574268639f, -0.460410058f, 0.941858113f, 0.606823027f, -0.391709715f, 0.76973021f};
	static const int64_t dseq[] = {2};
	static const int32_t vseq[] = {3, 1};
	static const int64_t dh0[] = {2, 2, 2};
	static const float vh0[] = {-0.578579545f, -0.211450726f, -0.799334466f, 0.978603423f, 0.708753824f, 0.283671319f, -0.573513269f, -0.48344487f};
	static const float want_Y[] = {-0.688046747f, -0.644700269f, -0.437929705f, 0.191746055f, -0.709541524f, -0.666520052f, -0.430056036f, 0.24016353f, -0.771734219f, -0.736275654f, -0.416310355f, 0.371462144f, -0.668992012f, -0.238182957f, -0.46991253f, -0.145492931f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
	static const float want_Yh[] = {-0.771734219f, -0.736275654f, -0.437929705f, 0.191746055f, -0.668992012f, -0.238182957f, -0.46991253f, -0.145492931f};
	static const float alpha[] = {0.300000012f, 0.800000012f};
	static const float beta[] = {0.400000006f, 1.5f};
	Onnx__NodeProto *n;
	Graph *g;

	mb_init_f32(b, "X", 3, dX, vX);
	mb_init_f32(b, "W", 3, dW, vW);
	mb_init_f32(b, "R", 3, dR, vR);
	mb_init_f32(b, "B", 2, dB, vB);
	mb_init_i32(b, "seq", 1, dseq, vseq);
	mb_init_f32(b, "h0", 3, dh0, vh0);
	n = mb_node(b, "GRU", "gru", "X,W,R,B,seq,h0", "Y,Y_h");
	mb_attr_s(n, "direction", "bidirectional");
	mb_attr_i(n, "hidden_size", 2);
	mb_attr_i(n, "layout", 1);
	mb_attr_i(n, "linear_before_reset", 1);
	mb_attr_strings(n, "activations", "HardSigmoid,ScaledTanh,Sigmoid,Softsign");
	mb_attr_floats(n, "activation_alpha", 2, alpha);
	mb_attr_floats(n, "activation_beta", 2, beta);
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	mb_output(b, "Y_h", DT_FLOAT, -1, NULL);
	g = folded(b);
	expect_floats(g, "Y", 24, want_Y);
	expect_floats(g, "Y_h", 8, want_Yh);
	graph_free(g);
}
END_TEST

/* GRU-1: forward, layout 0; outputs Y. */
START_TEST(gru1_defaults)
{
	MB *b = mb_new(1);
	static const int64_t dX[] = {2, 1, 3};
	static const float vX[] = {-0.0508586429f, 0.314945012f, 0.332820952f, -0.714799285f, -0.978279114f, -0.250491023f};
	static const int64_t dW[] = {1, 6, 3};
	static const float vW[] = {-0.316332608f, 0.434487283f, 0.266829729f, 0.14203985f, 0.0814660639f, 0.225849524f, -0.496576101f, -0.0839232877f, -0.472825736f, 0.568362176f, -0.617645919f, 0.44634819f, -0.595546484f, 0.261723697f, -0.22820057f, -0.133540004f, 0.479364723f, -0.67395395f};
	static const int64_t dR[] = {1, 6, 2};
	static const float vR[] = {-0.614901423f, 0.581047118f, 0.0124962833f, -0.572630823f, 0.681987584f, 0.625398219f, -0.542461336f, -0.107510746f, -0.510902703f, -0.262443036f, 0.170032725f, -0.471066207f};
	static const float want_Y[] = {0.0161651561f, -0.0316677445f, 0.134192573f, -0.121004145f};
	Onnx__NodeProto *n;
	Graph *g;

	mb_init_f32(b, "X", 3, dX, vX);
	mb_init_f32(b, "W", 3, dW, vW);
	mb_init_f32(b, "R", 3, dR, vR);
	n = mb_node(b, "GRU", "gru", "X,W,R", "Y");
	mb_attr_s(n, "direction", "forward");
	mb_attr_i(n, "hidden_size", 2);
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	g = folded(b);
	expect_floats(g, "Y", 4, want_Y);
	graph_free(g);
}
END_TEST

/* LSTM-22: reverse, layout 0, bias, initial_h, initial_c, peepholes, clip; outputs Y_h,Y_c. */
START_TEST(lstm_reverse_peepholes_clip)
{
	MB *b = mb_new(22);
	static const int64_t dX[] = {3, 2, 2};
	static const float vX[] = {-0.481983006f, 0.370515972f, 0.368163824f, 0.698672295f, -0.628551662f, -0.538882792f, -0.705680192f, -0.549674153f, 0.468047202f, -0.739573956f, 0.062629506f, -0.57218492f};
	static const int64_t dW[] = {1, 8, 2};
	static const float vW[] = {-0.287480533f, -0.0957875401f, 0.472719103f, 0.151763007f, -0.679794669f, -0.313828409f, -0.494605541f, 0.519798636f, 0.433635443f, 0.428465575f, 0.456911474f, 0.342650205f, 0.629052758f, 0.411278784f, -0.340608835f, 0.489914626f};
	static const int64_t dR[] = {1, 8, 2};
	static const float vR[] = {-0.0185003094f, 0.357005388f, 0.0897940397f, -0.0985912979f, -0.190116331f, -0.0982488245f, -0.260734081f, -0.53569591f, 0.447501093f, 0.417562097f, 0.679953635f, 0.267291725f, 0.0759169012f, 0.347776085f, -0.51120472f, 0.247550189f};
	static const int64_t dB[] = {1, 16};
	static const float vB[] = {-0.113200091f, -0.646732509f, -0.594746709f, 0.0453866012f, -0.493376493f, -0.0810819492f, 0.210997552f, -0.208485261f, -0.73843807f, -0.018285729f, -0.529106021f, -0.52864337f, -0.611062109f, -0.267120183f, -0.853448451f, 0.302463531f};
	static const int64_t dh0[] = {1, 2, 2};
	static const float vh0[] = {0.907332063f, -0.22062248f, 0.437763989f, 0.865955651f};
	static const int64_t dc0[] = {1, 2, 2};
	static const float vc0[] = {-0.913582921f, -0.716508865f, 0.612190545f, 0.676290751f};
	static const int64_t dP[] = {1, 6};
	static const float vP[] = {0.278111041f, -0.68048656f, -0.173018187f, 0.736483037f, 0.772384822f, 0.606344223f};
	static const float want_Yh[] = {-0.088852123f, 0.0463498012f, -0.0301127764f, 0.0959429329f};
	static const float want_Yc[] = {-0.301164602f, 0.089229749f, -0.104557613f, 0.210931926f};
	Onnx__NodeProto *n;
	Graph *g;

	mb_init_f32(b, "X", 3, dX, vX);
	mb_init_f32(b, "W", 3, dW, vW);
	mb_init_f32(b, "R", 3, dR, vR);
	mb_init_f32(b, "B", 2, dB, vB);
	mb_init_f32(b, "h0", 3, dh0, vh0);
	mb_init_f32(b, "c0", 3, dc0, vc0);
	mb_init_f32(b, "P", 2, dP, vP);
	n = mb_node(b, "LSTM", "lstm", "X,W,R,B,,h0,c0,P", ",Y_h,Y_c");
	mb_attr_s(n, "direction", "reverse");
	mb_attr_i(n, "hidden_size", 2);
	mb_attr_f(n, "clip", 0.899999976f);
	mb_output(b, "Y_h", DT_FLOAT, -1, NULL);
	mb_output(b, "Y_c", DT_FLOAT, -1, NULL);
	g = folded(b);
	expect_floats(g, "Y_h", 4, want_Yh);
	expect_floats(g, "Y_c", 4, want_Yc);
	graph_free(g);
}
END_TEST

/* LSTM-7: bidirectional, layout 0, bias, sequence_lens, initial_c, input_forget, activations Sigmoid,Elu,Affine; outputs Y,Y_c. */
START_TEST(lstm7_bidirectional_input_forget)
{
	MB *b = mb_new(7);
	static const int64_t dX[] = {3, 2, 1};
	static const float vX[] = {-0.786342919f, 0.405171037f, 0.304084033f, 0.880704761f, -0.457769543f, -0.488448977f};
	static const int64_t dW[] = {2, 8, 1};
	static const float vW[] = {0.327683121f, 0.221830025f, -0.275816828f, 0.257926375f, -0.144656897f, 0.388523221f, -0.534240603f, -0.387427449f, 0.562048316f, -0.198754251f, -0.335436732f, 0.4259938f, 0.184329495f, -0.490415007f, 0.0718657449f, 0.229598671f};
	static const int64_t dR[] = {2, 8, 2};
	static const float vR[] = {-0.469072461f, 0.212377608f, -0.527763128f, -0.228107288f, -0.58350879f, -0.413809627f, 0.669199347f, -0.134853885f, 0.686605692f, -0.0858927295f, 0.150543705f, 0.521633506f, 0.261636913f, -0.543855965f, 0.124717832f, 0.187221125f, -0.446322739f, -0.56745851f, 0.52471149f, 0.0192940384f, -0.428625792f, -0.0663587302f, -0.394536942f, 0.417538673f, 0.000672174676f, -0.556600749f, 0.445379227f, -0.574650645f, -0.307063729f, -0.660803616f, 0.336477727f, -0.540575504f};
	static const int64_t dB[] = {2, 16};
	static const float vB[] = {0.0515291169f, -0.814032614f, -0.0391251445f, 0.370744258f, 0.0697009489f, -0.0896661952f, -0.0302581266f, -0.125914842f, 0.190893218f, -0.810291529f, -0.0509636775f, -0.52747333f, 0.730906248f, 0.878040433f, -0.867102385f, -0.713406086f, 0.406941742f, 0.142894357f, -0.961787999f, 0.409787327f, 0.88786459f, -0.153779298f, -0.305018961f, 0.13880308f, 0.878271878f, -0.472922802f, -0.395429611f, -0.6225788f, 0.256835073f, -0.0614848323f, -0.487852693f, -0.224211127f};
	static const int64_t dseq[] = {2};
	static const int32_t vseq[] = {2, 0};
	static const int64_t dc0[] = {2, 2, 2};
	static const float vc0[] = {-0.930442333f, -0.375102282f, 0.965811551f, 0.172087654f, -0.434832156f, 0.872260213f, -0.283448547f, -0.496930629f};
	static const float want_Y[] = {-0.10648769f, -0.0335027103f, 0.0f, 0.0f, -0.0271758621f, 0.0738213216f, 0.0f, 0.0f, -0.0753213798f, -0.0409238176f, 0.0f, 0.0f, -0.0176613381f, 0.171515015f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
	static const float want_Yc[] = {-0.516789485f, -0.376470651f, 0.965811551f, 0.172087654f, -0.417186669f, 0.183677914f, -0.283448547f, -0.496930629f};
	static const float alpha[] = {0.699999988f, 0.5f};
	static const float beta[] = {0.100000001f};
	Onnx__NodeProto *n;
	Graph *g;

	mb_init_f32(b, "X", 3, dX, vX);
	mb_init_f32(b, "W", 3, dW, vW);
	mb_init_f32(b, "R", 3, dR, vR);
	mb_init_f32(b, "B", 2, dB, vB);
	mb_init_i32(b, "seq", 1, dseq, vseq);
	mb_init_f32(b, "c0", 3, dc0, vc0);
	n = mb_node(b, "LSTM", "lstm", "X,W,R,B,seq,,c0", "Y,,Y_c");
	mb_attr_s(n, "direction", "bidirectional");
	mb_attr_i(n, "hidden_size", 2);
	mb_attr_i(n, "input_forget", 1);
	mb_attr_strings(n, "activations", "Sigmoid,Elu,Affine");
	mb_attr_floats(n, "activation_alpha", 2, alpha);
	mb_attr_floats(n, "activation_beta", 1, beta);
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	mb_output(b, "Y_c", DT_FLOAT, -1, NULL);
	g = folded(b);
	expect_floats(g, "Y", 24, want_Y);
	expect_floats(g, "Y_c", 8, want_Yc);
	graph_free(g);
}
END_TEST

/* RNN-14: reverse, layout 1, bias, sequence_lens, initial_h, activations LeakyRelu; outputs Y,Y_h. */
START_TEST(rnn_reverse_leakyrelu_layout1)
{
	MB *b = mb_new(14);
	static const int64_t dX[] = {2, 3, 2};
	static const float vX[] = {0.930484295f, -0.97669059f, 0.9726789f, -0.966238678f, 0.714684784f, 0.999632478f, 0.471983254f, -0.683974564f, 0.758982539f, 0.362701327f, -0.520569623f, -0.323844492f};
	static const int64_t dW[] = {1, 3, 2};
	static const float vW[] = {0.291472077f, -0.30718565f, -0.331360042f, -0.379946381f, 0.500971913f, 0.524345636f};
	static const int64_t dR[] = {1, 3, 3};
	static const float vR[] = {0.416662395f, -0.387252301f, 0.594773591f, 0.0159179252f, -0.376059771f, -0.0622484647f, -0.112174541f, -0.589456975f, 0.0905682221f};
	static const int64_t dB[] = {1, 6};
	static const float vB[] = {-0.28007111f, 0.139231414f, 0.860434711f, 0.291142493f, -0.189799145f, 0.727147996f};
	static const int64_t dseq[] = {2};
	static const int32_t vseq[] = {1, 3};
	static const int64_t dh0[] = {2, 1, 3};
	static const float vh0[] = {0.990345836f, -0.0194869488f, 0.890049636f, -0.962499917f, -0.719363749f, -0.655610979f};
	static const float want_Y[] = {1.53187116f, -0.00402294132f, 1.5226111f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 1.95329103f, -0.000420370114f, 1.64084897f, 0.834496737f, -0.149303439f, 1.99911537f, -0.11071642f, 0.540985325f, 1.62960995f};
	static const float want_Yh[] = {1.53187116f, -0.00402294132f, 1.5226111f, 1.95329103f, -0.000420370114f, 1.64084897f};
	static const float alpha[] = {0.200000003f};
	Onnx__NodeProto *n;
	Graph *g;

	mb_init_f32(b, "X", 3, dX, vX);
	mb_init_f32(b, "W", 3, dW, vW);
	mb_init_f32(b, "R", 3, dR, vR);
	mb_init_f32(b, "B", 2, dB, vB);
	mb_init_i32(b, "seq", 1, dseq, vseq);
	mb_init_f32(b, "h0", 3, dh0, vh0);
	n = mb_node(b, "RNN", "rnn", "X,W,R,B,seq,h0", "Y,Y_h");
	mb_attr_s(n, "direction", "reverse");
	mb_attr_i(n, "hidden_size", 3);
	mb_attr_i(n, "layout", 1);
	mb_attr_strings(n, "activations", "LeakyRelu");
	mb_attr_floats(n, "activation_alpha", 1, alpha);
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	mb_output(b, "Y_h", DT_FLOAT, -1, NULL);
	g = folded(b);
	expect_floats(g, "Y", 18, want_Y);
	expect_floats(g, "Y_h", 6, want_Yh);
	graph_free(g);
}
END_TEST

/* RNN-22: bidirectional, layout 0, bias, activations Affine,Softplus; outputs Y,Y_h. */
START_TEST(rnn_bidirectional_affine)
{
	MB *b = mb_new(22);
	static const int64_t dX[] = {2, 1, 2};
	static const float vX[] = {-0.276954442f, -0.0390386693f, -0.16609475f, -0.106481493f};
	static const int64_t dW[] = {2, 2, 2};
	static const float vW[] = {-0.126677975f, 0.220788151f, -0.337602466f, 0.188994288f, -0.685820282f, -0.277138799f, -0.230911314f, -0.501269281f};
	static const int64_t dR[] = {2, 2, 2};
	static const float vR[] = {0.34077996f, -0.265848458f, 0.404938787f, 0.638687074f, -0.345091581f, 0.550956964f, 0.43069154f, 0.234386563f};
	static const int64_t dB[] = {2, 4};
	static const float vB[] = {-0.9452613f, -0.0864233449f, 0.253497511f, -0.407548696f, -0.551328957f, -0.380419612f, -0.483529896f, 0.575650454f};
	static const float want_Y[] = {-0.0826495181f, 0.0460751883f, 0.479352308f, 1.05386447f, -0.117323705f, 0.0189685971f, 0.343636397f, 0.846885254f};
	static const float want_Yh[] = {-0.117323705f, 0.0189685971f, 0.479352308f, 1.05386447f};
	static const float alpha[] = {0.5f};
	static const float beta[] = {0.25f};
	Onnx__NodeProto *n;
	Graph *g;

	mb_init_f32(b, "X", 3, dX, vX);
	mb_init_f32(b, "W", 3, dW, vW);
	mb_init_f32(b, "R", 3, dR, vR);
	mb_init_f32(b, "B", 2, dB, vB);
	n = mb_node(b, "RNN", "rnn", "X,W,R,B", "Y,Y_h");
	mb_attr_s(n, "direction", "bidirectional");
	mb_attr_i(n, "hidden_size", 2);
	mb_attr_strings(n, "activations", "Affine,Softplus");
	mb_attr_floats(n, "activation_alpha", 1, alpha);
	mb_attr_floats(n, "activation_beta", 1, beta);
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	mb_output(b, "Y_h", DT_FLOAT, -1, NULL);
	g = folded(b);
	expect_floats(g, "Y", 8, want_Y);
	expect_floats(g, "Y_h", 4, want_Yh);
	graph_free(g);
}
END_TEST

/* Bad attributes and inputs are refused with a message naming them. */
START_TEST(rnn_errors)
{
	static const int64_t dx[] = {2, 1, 3}, dw[] = {1, 6, 3}, dr[] = {1, 6, 2}, ds[] = {1};
	MB *b = mb_new(22);
	Onnx__NodeProto *n;

	mb_input(b, "X", DT_FLOAT, 3, dx);
	mb_input(b, "W", DT_FLOAT, 3, dw);
	mb_input(b, "R", DT_FLOAT, 3, dr);
	n = mb_node(b, "GRU", "gru", "X,W,R", "Y");
	mb_attr_strings(n, "activations", "Sigmoid,Swish");
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	ck_assert_str_eq(infer_error(b) , "node 'gru' (GRU): activation 'Swish' is not supported");

	b = mb_new(22);
	mb_input(b, "X", DT_FLOAT, 3, dx);
	mb_input(b, "W", DT_FLOAT, 3, dw);
	mb_input(b, "R", DT_FLOAT, 3, dr);
	mb_input(b, "S", DT_INT64, 1, ds);
	n = mb_node(b, "GRU", "gru", "X,W,R,,S", "Y");
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	ck_assert_str_eq(infer_error(b),
			 "node 'gru' (GRU): sequence_lens has element type int64, expected int32");

	b = mb_new(22);
	mb_input(b, "X", DT_FLOAT, 3, dx);
	mb_input(b, "W", DT_FLOAT, 3, dw);
	mb_input(b, "R", DT_FLOAT, 3, dr);
	n = mb_node(b, "GRU", "gru", "X,W,R", "Y");
	mb_attr_s(n, "direction", "bidirectional");
	mb_output(b, "Y", DT_FLOAT, -1, NULL);
	ck_assert_str_eq(infer_error(b), "node 'gru' (GRU): W must have shape (2, 6, 3)");
}
END_TEST

static Suite *rnn_suite(void)
{
	Suite *s = suite_create("rnn");
	TCase *tc = tcase_create("recurrent");

	tcase_add_test(tc, gru_bidirectional_lbr_layout1);
	tcase_add_test(tc, gru1_defaults);
	tcase_add_test(tc, lstm_reverse_peepholes_clip);
	tcase_add_test(tc, lstm7_bidirectional_input_forget);
	tcase_add_test(tc, rnn_reverse_leakyrelu_layout1);
	tcase_add_test(tc, rnn_bidirectional_affine);
	tcase_add_test(tc, rnn_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(rnn_suite());
}
