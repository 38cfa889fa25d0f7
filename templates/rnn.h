/* rnn.h: recurrent and stateful sequence operators: RNN, GRU, LSTM,
 * LinearAttention, CausalConvWithState and TensorScatter (the KV-cache write).
 *
 * RNN, GRU and LSTM are one kernel each that loops over time: per direction
 * and batch entry, steps t of the sequence (backwards for the reverse
 * direction), computing the gates in double.
 *
 * rnn, gru, lstm: b = {X, W, R, [B], [seq], [H0], [C0], [P], [Y], [Yh], [Yc], [GX],
 *                      tmp, [status: when seq]}
 *   p = {ns, nb, ni, nh, ndir, reverse, flags, xt, xb, yt, yd, yb, sd, sb, nact,
 *        act[ndir * nact], gt, gb}
 *   f = {clip, alpha[ndir * nact], beta[ndir * nact]}
 *   ONNX shapes: W (ndir, G nh, ni), R (ndir, G nh, nh), B (ndir, 2 G nh),
 *   P (ndir, 3 nh), G gates per direction (1, 3, 4).  X, Y and the states
 *   (H0, C0, Yh, Yc) are addressed through element strides: X[t xt + b xb],
 *   Y[t yt + d yd + b yb], state[d sd + b sb], each followed by a contiguous
 *   row (input or hidden).  flags: ONNXCC_RNN_HAS_* for the optional
 *   buffers, _CLIP (clip the input of every activation to [-clip, clip]),
 *   _LBR (GRU linear_before_reset; LSTM input_forget).  seq: int32 lengths
 *   (values outside [0, ns] set *status to ONNXCC_ERR_INDEX and are clamped);
 *   steps from a batch entry's length on leave zeros in Y and the state
 *   unchanged.  act: ONNXCC_RNN_ACT_* per direction, nact of them (f; f, g;
 *   f, g, h); tmp: (G + 5 + ns G) nh doubles (the last ns G nh: W x + Wb of
 *   every step).  With flag _GX the products W x come computed (by the fast
 *   GEMM, ops/rnn.c): GX holds X's rows times all of W, row t gt + b gb,
 *   column d G nh + j; tmp is then (G + 5 + G) nh doubles, W x + Wb of the
 *   step.  reverse runs a single direction backwards; with ndir 2, direction
 *   1 is the backward one.
 *
 * linattn: b = {Q, K, V, [S0], [decay], [beta], Y, S}
 *   p = {nb, nt, hq, hkv, dk, dv, gated, delta, has_past, decay_len, beta_len}
 *   f = {scale}
 *   Q (nb, nt, hq dk), K (nb, nt, hkv dk), V (nb, nt, hkv dv), Y (nb, nt, hq dv),
 *   decay (nb, nt, decay_len) with decay_len hkv or hkv dk, beta (nb, nt,
 *   beta_len) with beta_len hkv or 1, S0 and S (nb, hkv, dk, dv).  Per token,
 *   with g = exp(decay) (gated) and b = beta:
 *     S *= g (per key row);  v' = b (v - S^T k) (delta) else v;
 *     S += k v'^T;  y = scale q^T S, query head j reading kv head j / (hq / hkv).
 *   S starts as S0 (or zeros) and ends as the present state.
 *
 * causalconv: b = {X, W, [bias], [past], Y, [present]}
 *   p = {nb, nc, nl, k, has_bias, has_past, silu}
 *   X and Y (nb, nc, nl), W (nc, 1, k), past and present (nb, nc, k - 1).
 *   Per channel, the sequence past ++ X (zeros for no past) is convolved with
 *   the channel's k taps (no padding), plus bias, then y sigmoid(y) if silu;
 *   present is the last k - 1 values of that sequence.
 *
 * tensorscatter: b = {past, update, [widx], present, status}
 *   p = {nb, pre, nm, ns, inner, circular, has_widx}
 *   past and present (nb, pre, nm, inner), update (nb, pre, ns, inner): present
 *   is past with rows s of update written at row widx[b] + s (int64; modulo
 *   nm when circular).  A row outside [0, nm) sets *status to
 *   ONNXCC_ERR_INDEX and is not written. */
#ifndef ONNXCC_RNN_H
#define ONNXCC_RNN_H

/* Activation functions of the recurrent ops, as p values. */
#define ONNXCC_RNN_ACT_RELU 0
#define ONNXCC_RNN_ACT_TANH 1
#define ONNXCC_RNN_ACT_SIGMOID 2
#define ONNXCC_RNN_ACT_AFFINE 3
#define ONNXCC_RNN_ACT_LEAKYRELU 4
#define ONNXCC_RNN_ACT_THRESHOLDEDRELU 5
#define ONNXCC_RNN_ACT_SCALEDTANH 6
#define ONNXCC_RNN_ACT_HARDSIGMOID 7
#define ONNXCC_RNN_ACT_ELU 8
#define ONNXCC_RNN_ACT_SOFTSIGN 9
#define ONNXCC_RNN_ACT_SOFTPLUS 10

/* flags bits. */
#define ONNXCC_RNN_HAS_B 1
#define ONNXCC_RNN_HAS_SEQ 2
#define ONNXCC_RNN_HAS_H0 4
#define ONNXCC_RNN_HAS_C0 8
#define ONNXCC_RNN_HAS_P 16
#define ONNXCC_RNN_HAS_Y 32
#define ONNXCC_RNN_HAS_YH 64
#define ONNXCC_RNN_HAS_YC 128
#define ONNXCC_RNN_CLIP 256
#define ONNXCC_RNN_LBR 512
#define ONNXCC_RNN_GX 1024

/* 1 / (1 + e^-x) without overflow. */
ONNXCC_HELPER double onnxcc_rnn_sigmoid(double x)
{
	double e;

	if (x >= 0)
		return 1.0 / (1.0 + exp(-x));
	e = exp(x);
	return e / (1.0 + e);
}

/* Activation `kind` of x, with its alpha a and beta b. */
ONNXCC_HELPER double onnxcc_rnn_act(int64_t kind, double a, double b, double x)
{
	double v;

	switch (kind) {
	case ONNXCC_RNN_ACT_RELU: return x > 0 ? x : 0;
	case ONNXCC_RNN_ACT_TANH: return tanh(x);
	case ONNXCC_RNN_ACT_SIGMOID: return onnxcc_rnn_sigmoid(x);
	case ONNXCC_RNN_ACT_AFFINE: return a * x + b;
	case ONNXCC_RNN_ACT_LEAKYRELU: return x >= 0 ? x : a * x;
	case ONNXCC_RNN_ACT_THRESHOLDEDRELU: return x > a ? x : 0;
	case ONNXCC_RNN_ACT_SCALEDTANH: return a * tanh(b * x);
	case ONNXCC_RNN_ACT_HARDSIGMOID:
		v = a * x + b;
		return v < 0 ? 0 : v > 1 ? 1 : v;
	case ONNXCC_RNN_ACT_ELU: return x >= 0 ? x : a * (exp(x) - 1);
	case ONNXCC_RNN_ACT_SOFTSIGN: return x / (1 + fabs(x));
	case ONNXCC_RNN_ACT_SOFTPLUS: return x > 0 ? x + log1p(exp(-x)) : log1p(exp(x));
	}
	return x;
}

/* Activation i of a direction (kinds, alphas, betas) on x, clipped first
 * when clip >= 0. */
ONNXCC_HELPER double onnxcc_rnn_gate(const int64_t *kind, const double *al, const double *be,
				     int i, double clip, double x)
{
	if (clip >= 0)
		x = x < -clip ? -clip : x > clip ? clip : x;
	return onnxcc_rnn_act(kind[i], al[i], be[i], x);
}

/* acc (double) += row . v over n elements, both of type T, summed in T.  A
 * single running sum stays scalar without -ffast-math.  clang: the loop may
 * reassociate its sums (that block only), and vectorizes.  Others: the
 * products go to 16 partial sums (the tail to one more), added up pairwise
 * at the end: independent lanes, which gcc vectorizes without reassociating
 * (clang's SLP vectorizer leaves them in 128-bit pieces). */
#ifdef __clang__
#define ONNXCC_RNN_DOT(acc, row, v, n, T) \
	do { \
		_Pragma("clang fp reassociate(on)") \
		T s_ = 0; \
		int64_t k_; \
		for (k_ = 0; k_ < (n); k_++) \
			s_ += (row)[k_] * (v)[k_]; \
		(acc) += s_; \
	} while (0)
#else
#define ONNXCC_RNN_DOT(acc, row, v, n, T) \
	do { \
		T l_[16] = {0}, t_ = 0; \
		int64_t k_, i_, m_ = (n) / 16 * 16; \
		for (k_ = 0; k_ < m_; k_ += 16) \
			for (i_ = 0; i_ < 16; i_++) \
				l_[i_] += (row)[k_ + i_] * (v)[k_ + i_]; \
		for (k_ = m_; k_ < (n); k_++) \
			t_ += (row)[k_] * (v)[k_]; \
		for (i_ = 0; i_ < 8; i_++) \
			l_[i_] += l_[i_ + 8]; \
		for (i_ = 0; i_ < 4; i_++) \
			l_[i_] += l_[i_ + 4]; \
		for (i_ = 0; i_ < 2; i_++) \
			l_[i_] += l_[i_ + 2]; \
		(acc) += ((double)l_[0] + l_[1]) + t_; \
	} while (0)
#endif

/* gates[j] = (W[j] x + Wb[j]) + Rb[j] + R[j] h for rows j in [j0, j1); xw
 * holds this step's W x + Wb, ht the state h in T. */
#define ONNXCC_RNN_GATES(j0, j1) \
	for (j = (j0); j < (j1); j++) { \
		double v_ = xw[j] + (bw ? (double)br[j] : 0.0); \
		ONNXCC_RNN_DOT(v_, r + j * nh, ht, nh, onnxcc_rnn_elem); \
		g[j] = v_; \
	}

/* One step of each cell: xw (this step's W x + Wb, G nh), h and c (the state,
 * in place, in double; ht: h in the element type, onnxcc_rnn_elem), g and ut
 * (scratch), r, bw, br, pp (this direction's parameters). */
#define ONNXCC_RNN_CELL_RNN \
	ONNXCC_RNN_GATES(0, nh) \
	for (j = 0; j < nh; j++) \
		h[j] = onnxcc_rnn_gate(act, al, be, 0, clip, g[j]);

#define ONNXCC_RNN_CELL_GRU \
	ONNXCC_RNN_GATES(0, 2 * nh) \
	for (j = 0; j < 2 * nh; j++) \
		g[j] = onnxcc_rnn_gate(act, al, be, 0, clip, g[j]); \
	for (j = 0; j < nh; j++) \
		ut[j] = (onnxcc_rnn_elem)(g[nh + j] * h[j]); \
	for (j = 2 * nh; j < 3 * nh; j++) { \
		double xv_ = xw[j], hv_ = bw ? (double)br[j] : 0.0; \
		if (fl & ONNXCC_RNN_LBR) { \
			ONNXCC_RNN_DOT(hv_, r + j * nh, ht, nh, onnxcc_rnn_elem); \
			hv_ *= g[j - nh]; \
		} else { \
			ONNXCC_RNN_DOT(hv_, r + j * nh, ut, nh, onnxcc_rnn_elem); \
		} \
		g[j] = onnxcc_rnn_gate(act, al, be, 1, clip, xv_ + hv_); \
	} \
	for (j = 0; j < nh; j++) \
		h[j] = (1 - g[j]) * g[2 * nh + j] + g[j] * h[j];

#define ONNXCC_RNN_CELL_LSTM \
	ONNXCC_RNN_GATES(0, 4 * nh) \
	for (j = 0; j < nh; j++) { \
		double pi_ = pp ? (double)pp[j] : 0.0, po_ = pp ? (double)pp[nh + j] : 0.0; \
		double pf_ = pp ? (double)pp[2 * nh + j] : 0.0, i_, f_, c_, o_; \
		i_ = onnxcc_rnn_gate(act, al, be, 0, clip, g[j] + pi_ * c[j]); \
		f_ = fl & ONNXCC_RNN_LBR ? 1 - i_ : \
			onnxcc_rnn_gate(act, al, be, 0, clip, g[2 * nh + j] + pf_ * c[j]); \
		c_ = onnxcc_rnn_gate(act, al, be, 1, clip, g[3 * nh + j]); \
		c[j] = f_ * c[j] + i_ * c_; \
		o_ = onnxcc_rnn_gate(act, al, be, 0, clip, g[nh + j] + po_ * c[j]); \
		h[j] = o_ * onnxcc_rnn_gate(act, al, be, 2, clip, c[j]); \
	}

/* The time loop shared by the three ops; G gates, CELL one step. */
#define ONNXCC_RNN_KERNEL(NAME, T, G, CELL) \
ONNXCC_KERNEL(NAME) \
{ \
	typedef T onnxcc_rnn_elem; \
	int64_t ns = p[0], nb = p[1], ni = p[2], nh = p[3], ndir = p[4], rev1 = p[5], fl = p[6]; \
	int64_t xt = p[7], xb = p[8], yt = p[9], yd = p[10], yb = p[11], sd = p[12], sb = p[13]; \
	int64_t nact = p[14], d, bi, s, t, j, nbuf = 3; \
	double clip = fl & ONNXCC_RNN_CLIP ? f[0] : -1.0; \
	const T *X = (const T *)b[0], *W = (const T *)b[1], *R = (const T *)b[2]; \
	const T *B = fl & ONNXCC_RNN_HAS_B ? (const T *)b[nbuf++] : (const T *)0; \
	const int32_t *SL = fl & ONNXCC_RNN_HAS_SEQ ? (const int32_t *)b[nbuf++] : (const int32_t *)0; \
	const T *H0 = fl & ONNXCC_RNN_HAS_H0 ? (const T *)b[nbuf++] : (const T *)0; \
	const T *C0 = fl & ONNXCC_RNN_HAS_C0 ? (const T *)b[nbuf++] : (const T *)0; \
	const T *P = fl & ONNXCC_RNN_HAS_P ? (const T *)b[nbuf++] : (const T *)0; \
	T *Y = fl & ONNXCC_RNN_HAS_Y ? (T *)b[nbuf++] : (T *)0; \
	T *YH = fl & ONNXCC_RNN_HAS_YH ? (T *)b[nbuf++] : (T *)0; \
	T *YC = fl & ONNXCC_RNN_HAS_YC ? (T *)b[nbuf++] : (T *)0; \
	const T *GX = fl & ONNXCC_RNN_GX ? (const T *)b[nbuf++] : (const T *)0; \
	int64_t gt = p[15 + ndir * nact], gb = p[16 + ndir * nact]; \
	double *h = (double *)b[nbuf], *c = h + nh, *g = c + nh, *gx = h + (G + 5) * nh; \
	T *ht = (T *)(g + (G + 1) * nh), *ut = (T *)(g + (G + 2) * nh); \
	int *status = SL ? (int *)b[nbuf + 1] : (int *)0; \
	for (d = 0; d < ndir; d++) { \
		int64_t rev = ndir == 2 ? d : rev1; \
		const T *w = W + d * G * nh * ni, *r = R + d * G * nh * nh; \
		const T *bw = B ? B + d * 2 * G * nh : (const T *)0, *br = B ? bw + G * nh : (const T *)0; \
		const T *pp = P ? P + d * 3 * nh : (const T *)0; \
		const int64_t *act = p + 15 + d * nact; \
		const double *al = f + 1 + d * nact, *be = f + 1 + (ndir + d) * nact; \
		(void)pp; \
		(void)ut; \
		for (bi = 0; bi < nb; bi++) { \
			int64_t len = ns, so = d * sd + bi * sb; \
			if (SL) { \
				len = SL[bi]; \
				if (len < 0 || len > ns) { \
					*status = ONNXCC_ERR_INDEX; \
					len = len < 0 ? 0 : ns; \
				} \
			} \
			for (j = 0; j < nh; j++) { \
				h[j] = H0 ? (double)H0[so + j] : 0.0; \
				c[j] = C0 ? (double)C0[so + j] : 0.0; \
			} \
			/* W x + Wb of every step first, row after row of W (each \
			 * row read once, not once a step), unless GX has them */ \
			for (j = 0; !GX && j < G * nh; j++) \
				for (t = 0; t < len; t++) { \
					double v_ = bw ? (double)bw[j] : 0.0; \
					ONNXCC_RNN_DOT(v_, w + j * ni, X + t * xt + bi * xb, ni, T); \
					gx[t * G * nh + j] = v_; \
				} \
			for (s = 0; s < len; s++) { \
				const double *xw; \
				t = rev ? len - 1 - s : s; \
				xw = gx + t * G * nh; \
				if (GX) { \
					const T *gr_ = GX + (t * gt + bi * gb) * ndir * G * nh + d * G * nh; \
					for (j = 0; j < G * nh; j++) \
						gx[j] = (double)gr_[j] + (bw ? (double)bw[j] : 0.0); \
					xw = gx; \
				} \
				for (j = 0; j < nh; j++) \
					ht[j] = (T)h[j]; \
				CELL \
				for (j = 0; Y && j < nh; j++) \
					Y[t * yt + d * yd + bi * yb + j] = (T)h[j]; \
			} \
			for (t = len; Y && t < ns; t++) \
				for (j = 0; j < nh; j++) \
					Y[t * yt + d * yd + bi * yb + j] = (T)0; \
			for (j = 0; j < nh; j++) { \
				if (YH) \
					YH[so + j] = (T)h[j]; \
				if (YC) \
					YC[so + j] = (T)c[j]; \
			} \
		} \
	} \
}

#define ONNXCC_RNN(NAME, T) ONNXCC_RNN_KERNEL(NAME, T, 1, ONNXCC_RNN_CELL_RNN)
#define ONNXCC_GRU(NAME, T) ONNXCC_RNN_KERNEL(NAME, T, 3, ONNXCC_RNN_CELL_GRU)
#define ONNXCC_LSTM(NAME, T) ONNXCC_RNN_KERNEL(NAME, T, 4, ONNXCC_RNN_CELL_LSTM)

#define ONNXCC_LINATTN(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t nb = p[0], nt = p[1], hq = p[2], hkv = p[3], dk = p[4], dv = p[5]; \
	int64_t gated = p[6], delta = p[7], has_past = p[8], dlen = p[9], blen = p[10]; \
	int64_t grp = hq / hkv, bi, h, i, q, dd, m, nbuf = 3; \
	double scale = f[0]; \
	const T *Q = (const T *)b[0], *K = (const T *)b[1], *V = (const T *)b[2]; \
	const T *S0 = has_past ? (const T *)b[nbuf++] : (const T *)0; \
	const T *G = gated ? (const T *)b[nbuf++] : (const T *)0; \
	const T *BT = delta ? (const T *)b[nbuf++] : (const T *)0; \
	T *Y = (T *)b[nbuf], *S = (T *)b[nbuf + 1]; \
	for (bi = 0; bi < nb; bi++) \
		for (h = 0; h < hkv; h++) { \
			T *st = S + (bi * hkv + h) * dk * dv; \
			for (m = 0; m < dk * dv; m++) \
				st[m] = S0 ? S0[(bi * hkv + h) * dk * dv + m] : (T)0; \
			for (i = 0; i < nt; i++) { \
				const T *k = K + (bi * nt + i) * hkv * dk + h * dk; \
				const T *v = V + (bi * nt + i) * hkv * dv + h * dv; \
				double beta = BT ? (double)BT[(bi * nt + i) * blen + (blen == 1 ? 0 : h)] : 1.0; \
				if (G) { \
					const T *gr = G + (bi * nt + i) * dlen; \
					for (dd = 0; dd < dk; dd++) { \
						double e = exp((double)(dlen == hkv ? gr[h] : gr[h * dk + dd])); \
						for (m = 0; m < dv; m++) \
							st[dd * dv + m] = (T)(st[dd * dv + m] * e); \
					} \
				} \
				for (m = 0; m < dv; m++) { \
					double u = (double)v[m]; \
					if (BT) { \
						double got = 0; \
						for (dd = 0; dd < dk; dd++) \
							got += (double)st[dd * dv + m] * (double)k[dd]; \
						u = beta * (u - got); \
					} \
					for (dd = 0; dd < dk; dd++) \
						st[dd * dv + m] = (T)(st[dd * dv + m] + (double)k[dd] * u); \
				} \
				for (q = h * grp; q < (h + 1) * grp; q++) { \
					const T *qr = Q + (bi * nt + i) * hq * dk + q * dk; \
					T *y = Y + (bi * nt + i) * hq * dv + q * dv; \
					for (m = 0; m < dv; m++) { \
						double acc = 0; \
						for (dd = 0; dd < dk; dd++) \
							acc += (double)qr[dd] * (double)st[dd * dv + m]; \
						y[m] = (T)(scale * acc); \
					} \
				} \
			} \
		} \
}

#define ONNXCC_CAUSALCONV(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t nb = p[0], nc = p[1], nl = p[2], k = p[3], has_bias = p[4], has_past = p[5]; \
	int64_t silu = p[6], bi, ch, t, j, nbuf = 2; \
	const T *X = (const T *)b[0], *W = (const T *)b[1]; \
	const T *BS = has_bias ? (const T *)b[nbuf++] : (const T *)0; \
	const T *PS = has_past ? (const T *)b[nbuf++] : (const T *)0; \
	T *Y = (T *)b[nbuf], *PR = (T *)b[nbuf + 1]; \
	(void)f; \
	for (bi = 0; bi < nb; bi++) \
		for (ch = 0; ch < nc; ch++) { \
			const T *x = X + (bi * nc + ch) * nl, *w = W + ch * k; \
			const T *past = PS ? PS + (bi * nc + ch) * (k - 1) : (const T *)0; \
			T *y = Y + (bi * nc + ch) * nl; \
			for (t = 0; t < nl; t++) { \
				double acc = BS ? (double)BS[ch] : 0.0; \
				for (j = 0; j < k; j++) { \
					int64_t pos = t + j - (k - 1); \
					double xv = pos >= 0 ? (double)x[pos] : past ? (double)past[k - 1 + pos] : 0.0; \
					acc += (double)w[j] * xv; \
				} \
				if (silu) \
					acc = acc * onnxcc_rnn_sigmoid(acc); \
				y[t] = (T)acc; \
			} \
			for (j = 0; PR && j < k - 1; j++) { \
				int64_t pos = nl + j - (k - 1); \
				PR[(bi * nc + ch) * (k - 1) + j] = pos >= 0 ? x[pos] : past ? past[k - 1 + pos] : (T)0; \
			} \
		} \
}

#define ONNXCC_TENSORSCATTER(NAME, T) \
ONNXCC_KERNEL(NAME) \
{ \
	int64_t nb = p[0], pre = p[1], nm = p[2], ns = p[3], inner = p[4], circ = p[5]; \
	int64_t has_w = p[6], bi, o, s, e; \
	const T *X = (const T *)b[0], *U = (const T *)b[1]; \
	const int64_t *WI = has_w ? (const int64_t *)b[2] : (const int64_t *)0; \
	T *Y = (T *)b[2 + has_w]; \
	int *status = (int *)b[3 + has_w]; \
	(void)f; \
	for (e = 0; e < nb * pre * nm * inner; e++) \
		Y[e] = X[e]; \
	for (bi = 0; bi < nb; bi++) \
		for (o = 0; o < pre; o++) \
			for (s = 0; s < ns; s++) { \
				int64_t row = (WI ? WI[bi] : 0) + s; \
				if (circ && nm > 0) \
					row = (row % nm + nm) % nm; \
				if (row < 0 || row >= nm) { \
					*status = ONNXCC_ERR_INDEX; \
					continue; \
				} \
				for (e = 0; e < inner; e++) \
					Y[((bi * pre + o) * nm + row) * inner + e] = \
						U[((bi * pre + o) * ns + s) * inner + e]; \
			} \
}

#endif
