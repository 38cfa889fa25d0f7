/* signal.c: HannWindow, HammingWindow, BlackmanWindow, DFT, STFT and
 * MelWeightMatrix (kernels in templates/signal.h).
 *
 * Their sizes, lengths, steps and axes are scalar inputs that decide the
 * output shape.  Constants give the shape now; run-time ones take the shape
 * the model declares, and the kernel reads the scalars and checks them
 * against it (ONNXCC_ERR_SHAPE on a mismatch).  The kernels compute in double
 * and write float or double; float16 and bfloat16 go through float. */
#include <string.h>

#include "ops_util.h"

/* A scalar int32/int64 input i: 1 and *v if constant, 0 if run-time data or
 * absent (*present says which), -1 after an error. */
static int scalar_int(const Node *n, int i, int64_t *v, int *present)
{
	const Value *s = node_in(n, i);

	*present = s != NULL;
	if (!s)
		return 0;
	if ((s->dtype != DT_INT32 && s->dtype != DT_INT64) || value_numel(s) != 1 || s->rank > 1)
		return node_error(n, "input %d ('%s') must be an int32 or int64 scalar", i, s->name);
	if (!s->data)
		return 0;
	*v = const_i64(s, 0);
	return 1;
}

/* Output types the kernels write: float, double, and halves through float. */
static int check_out_float(const Node *n, int dt)
{
	if (dt != DT_FLOAT && dt != DT_DOUBLE && dt != DT_FLOAT16 && dt != DT_BFLOAT16)
		return node_error(n, "element type %s is not supported, expected a float type",
				  dt_name(dt));
	return 0;
}

/* The declared output shape, which must have the given rank. */
static int declared(Node *n, int dtype, const Value *input, int rank)
{
	if (set_out_declared(n, 0, dtype, input) != 0)
		return -1;
	if (n->out[0]->rank != rank)
		return node_error(n, "declared output rank %d, expected %d", n->out[0]->rank, rank);
	return 0;
}

/* Windows: aux names the coefficients of a0 - a1 cos(2 pi i/N) + a2 cos(4 pi i/N). */

static const struct {
	const char *aux;
	double a[3];
} window_coef[] = {
	{"hann", {0.5, 0.5, 0.0}},
	{"hamming", {25.0 / 46.0, 21.0 / 46.0, 0.0}},
	{"blackman", {0.42, 0.5, 0.08}},
};

int window_infer(Node *n)
{
	int dt = (int)attr_i(n, "output_datatype", DT_FLOAT), present, c;
	int64_t size;

	if (check_out_float(n, dt) != 0 || (c = scalar_int(n, 0, &size, &present)) < 0)
		return -1;
	if (!c)
		return declared(n, dt, n->in[0], 1);
	if (size < 0)
		return node_error(n, "size %lld is negative", (long long)size);
	return set_out(n, 0, dt, 1, &size);
}

int window_lower(Node *n, Lower *L)
{
	Value *y = n->out[0], *s = n->in[0], *t;
	size_t i, w = 0;
	KCall *k;

	for (i = 0; i < sizeof window_coef / sizeof window_coef[0]; i++)
		if (strcmp(window_coef[i].aux, n->op->aux) == 0)
			w = i;
	if (value_numel(y) == 0)
		return 0;
	if (!(t = half_out(L, y)) || !(k = lower_callf(L, "%s_window__scalar", dt_short(t->dtype))))
		return -1;
	kcall_buf(k, t);
	if (!s->data) {
		kcall_buf(k, s);
		kcall_checks(k);
	}
	kcall_i(k, value_numel(y));
	kcall_i(k, attr_i(n, "periodic", 1) != 0);
	kcall_i(k, !s->data);
	kcall_i(k, s->dtype == DT_INT64);
	for (i = 0; i < 3; i++)
		kcall_f(k, window_coef[w].a[i]);
	return narrow_half(L, t, y);
}

/* DFT ------------------------------------------------------------------------ */

/* Kernel modes (templates/signal.h). */
enum { DFT_FWD, DFT_INV, DFT_IRFFT, DFT_RFFT };

static int dft_mode(const Node *n)
{
	int inv = attr_i(n, "inverse", 0) != 0, one = attr_i(n, "onesided", 0) != 0;

	return inv ? (one ? DFT_IRFFT : DFT_INV) : (one ? DFT_RFFT : DFT_FWD);
}

/* The axis input (opset 20) or attribute (opset 17): 1 and *axis when known now. */
static int dft_axis(const Node *n, int64_t *axis)
{
	const Value *a = node_in(n, 2);

	if (n->version < 20) {
		*axis = attr_i(n, "axis", 1);
		return 1;
	}
	*axis = -2;
	if (!a)
		return 1;
	if (a->dtype != DT_INT64 || value_numel(a) != 1 || a->rank > 1)
		return node_error(n, "axis must be an int64 scalar");
	if (!a->data)
		return 0;
	*axis = const_i64(a, 0);
	return 1;
}

int dft_infer(Node *n)
{
	const Value *x = n->in[0];
	int64_t axis, len = 0, dims[IR_MAX_RANK];
	int ca, cl, present, mode = dft_mode(n), r = x->rank;

	if (check_out_float(n, x->dtype) != 0)
		return -1;
	if (r < 2 || (x->dims[r - 1] != 1 && x->dims[r - 1] != 2))
		return node_error(n, "input must be [..., 1] (real) or [..., 2] (complex)");
	if ((ca = dft_axis(n, &axis)) < 0 || (cl = scalar_int(n, 1, &len, &present)) < 0)
		return -1;
	if (!ca || (present && !cl))
		return declared(n, x->dtype, !ca ? n->in[2] : n->in[1], r);
	if (axis < 0)
		axis += r;
	if (axis < 0 || axis >= r - 1)
		return node_error(n, "axis is out of range for input rank %d", r);
	if (!present)
		len = mode == DFT_IRFFT ? 2 * (x->dims[axis] - 1) : x->dims[axis];
	if (len < 1)
		return node_error(n, "dft_length %lld is not positive", (long long)len);
	memcpy(dims, x->dims, sizeof dims);
	dims[axis] = mode == DFT_RFFT ? len / 2 + 1 : len;
	dims[r - 1] = mode == DFT_IRFFT ? 1 : 2;
	return set_out(n, 0, x->dtype, r, dims);
}

int dft_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *d = node_in(n, 1), *a = n->version >= 20 ? node_in(n, 2) : NULL;
	Value *y = n->out[0], *t;
	int64_t axis = n->version < 20 ? attr_i(n, "axis", 1) : -2;
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (widen_half(L, &x) != 0 || !(t = half_out(L, y)))
		return -1;
	if (!(k = lower_callf(L, "%s_dft__scalar", dt_short(t->dtype))))
		return -1;
	kcall_buf(k, x);
	if (d)
		kcall_buf(k, d);
	if (a)
		kcall_buf(k, a);
	kcall_buf(k, t);
	kcall_checks(k);
	kcall_i(k, x->rank);
	kcall_i(k, dft_mode(n));
	kcall_i(k, d != NULL);
	kcall_i(k, d && d->dtype == DT_INT64);
	kcall_i(k, a != NULL);
	kcall_i(k, axis);
	kcall_ints(k, x->dims, x->rank);
	kcall_ints(k, y->dims, y->rank);
	return narrow_half(L, t, y);
}

/* STFT ----------------------------------------------------------------------- */

/* The signal [batch, length, 1 or 2] and the optional window [n]. */
static int stft_check(const Node *n)
{
	const Value *x = n->in[0], *w = node_in(n, 2);

	if (check_out_float(n, x->dtype) != 0)
		return -1;
	if (x->rank != 3 || (x->dims[2] != 1 && x->dims[2] != 2))
		return node_error(n, "signal must be [batch, length, 1 or 2]");
	if (w && (w->rank != 1 || w->dtype != x->dtype))
		return node_error(n, "window must be 1-D of the signal's element type");
	return 0;
}

int stft_infer(Node *n)
{
	const Value *x = n->in[0], *w = node_in(n, 2);
	int64_t step = 0, fl = 0, dims[4];
	int cs, cf, ps, pf;

	if (stft_check(n) != 0 || (cs = scalar_int(n, 1, &step, &ps)) < 0 ||
	    (cf = scalar_int(n, 3, &fl, &pf)) < 0)
		return -1;
	if (!cs || (pf && !cf))
		return declared(n, x->dtype, !cs ? n->in[1] : n->in[3], 4);
	if (!pf)
		fl = w ? w->dims[0] : x->dims[1];
	if (step < 1 || fl < 1 || fl > x->dims[1] || (w && w->dims[0] != fl))
		return node_error(n, "frame_step %lld or frame length %lld does not fit the signal",
				  (long long)step, (long long)fl);
	dims[0] = x->dims[0];
	dims[1] = 1 + (x->dims[1] - fl) / step;
	dims[2] = attr_i(n, "onesided", 1) ? fl / 2 + 1 : fl;
	dims[3] = 2;
	return set_out(n, 0, x->dtype, 4, dims);
}

int stft_lower(Node *n, Lower *L)
{
	Value *x = n->in[0], *s = n->in[1], *w = node_in(n, 2), *fl = node_in(n, 3);
	Value *y = n->out[0], *t;
	int64_t wlen = node_in(n, 2) ? n->in[2]->dims[0] : x->dims[1];
	KCall *k;

	if (value_numel(y) == 0)
		return 0;
	if (stft_check(n) != 0 || widen_half(L, &x) != 0 || widen_half(L, &w) != 0 ||
	    !(t = half_out(L, y)))
		return -1;
	if (!(k = lower_callf(L, "%s_stft__scalar", dt_short(t->dtype))))
		return -1;
	kcall_buf(k, x);
	kcall_buf(k, s);
	if (w)
		kcall_buf(k, w);
	if (fl)
		kcall_buf(k, fl);
	kcall_buf(k, t);
	kcall_checks(k);
	kcall_i(k, x->dims[0]);
	kcall_i(k, x->dims[1]);
	kcall_i(k, x->dims[2]);
	kcall_i(k, y->dims[1]);
	kcall_i(k, y->dims[2]);
	kcall_i(k, attr_i(n, "onesided", 1) != 0);
	kcall_i(k, w != NULL);
	kcall_i(k, fl != NULL);
	kcall_i(k, s->dtype == DT_INT64);
	kcall_i(k, fl && fl->dtype == DT_INT64);
	kcall_i(k, wlen);
	return narrow_half(L, t, y);
}

/* MelWeightMatrix ------------------------------------------------------------ */

/* Integer scalars 0..2, float scalar edges 3 and 4 of one type. */
static int mel_check(const Node *n, int64_t *nm, int64_t *dl, int *known)
{
	int64_t sr;
	int c0, c1, p, i;

	if ((c0 = scalar_int(n, 0, nm, &p)) < 0 || (c1 = scalar_int(n, 1, dl, &p)) < 0 ||
	    scalar_int(n, 2, &sr, &p) < 0)
		return -1;
	for (i = 3; i < 5; i++)
		if (check_out_float(n, n->in[i]->dtype) != 0 || value_numel(n->in[i]) != 1 ||
		    n->in[i]->dtype != n->in[3]->dtype)
			return node_error(n, "the edges must be float scalars of one type");
	*known = c0 && c1;
	return 0;
}

int melweightmatrix_infer(Node *n)
{
	int dt = (int)attr_i(n, "output_datatype", DT_FLOAT), known = 0;
	int64_t nm, dl, dims[2];

	if (check_out_float(n, dt) != 0 || mel_check(n, &nm, &dl, &known) != 0)
		return -1;
	if (!known)
		return declared(n, dt, n->in[0]->data ? n->in[1] : n->in[0], 2);
	if (nm < 0 || dl < 0)
		return node_error(n, "num_mel_bins and dft_length must not be negative");
	dims[0] = dl / 2 + 1;
	dims[1] = nm;
	return set_out(n, 0, dt, 2, dims);
}

int melweightmatrix_lower(Node *n, Lower *L)
{
	Value *lo = n->in[3], *hi = n->in[4], *y = n->out[0], *t;
	KCall *k;
	int i;

	if (value_numel(y) == 0)
		return 0;
	if (widen_half(L, &lo) != 0 || widen_half(L, &hi) != 0 || !(t = half_out(L, y)))
		return -1;
	if (!(k = lower_callf(L, "%s_mel__scalar", dt_short(t->dtype))))
		return -1;
	for (i = 0; i < 3; i++)
		kcall_buf(k, n->in[i]);
	kcall_buf(k, lo);
	kcall_buf(k, hi);
	kcall_buf(k, t);
	kcall_checks(k);
	kcall_i(k, y->dims[0]);
	kcall_i(k, y->dims[1]);
	for (i = 0; i < 3; i++)
		kcall_i(k, n->in[i]->dtype == DT_INT64);
	kcall_i(k, lo->dtype == DT_DOUBLE);
	return narrow_half(L, t, y);
}
