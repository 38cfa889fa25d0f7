/* judge.h: how onnxcc-run judges outputs that come from random operators.
 *
 * A random op's values cannot equal another implementation's stream, so the
 * graph outputs that depend on one (RandomUniform(Like), RandomNormal(Like),
 * Bernoulli, Multinomial, Dropout with a training mode that is not constant
 * false) are judged by type, shape and the set of values the op can produce;
 * the other outputs are compared element by element.  judge_outputs() derives
 * each output's rule from the graph: the random op's own set, propagated
 * through views (Reshape, Identity, ...), Cast and any op with a bool output;
 * through any other op only the type and shape are checked.  A Dropout output
 * is checked against its operands X, ratio and training_mode, which onnxcc-run
 * reads from the graph inputs, from constants, or from extra "probe" outputs
 * that judge_probe() adds to the compiled model. */
#ifndef ONNXCC_JUDGE_H
#define ONNXCC_JUDGE_H

#include <stddef.h>

#include "ir.h"

enum {
	JUDGE_EXACT,        /* deterministic: compare with the expected values */
	JUDGE_RANGE,        /* every element in [lo, hi] (hi excluded if hi_open), integral if asked */
	JUDGE_FINITE,       /* every element finite */
	JUDGE_SHAPE,        /* type and shape only */
	JUDGE_DROPOUT,      /* Dropout's output: 0 or x / (1 - ratio), agreeing with the mask */
	JUDGE_DROPOUT_MASK, /* Dropout's mask: true exactly where the output kept x */
};

/* Where a run-time operand of a judged op lives. */
enum { OPD_NONE, OPD_CONST, OPD_INPUT, OPD_OUTPUT };
typedef struct Operand {
	int where;
	int index;          /* graph input or output (probes included) position */
	double value;       /* OPD_CONST: a scalar */
} Operand;

typedef struct Judge {
	int kind;
	char source[64];    /* op type of the random node ("Bernoulli") */
	int derived;        /* reached through other nodes */
	double lo, hi;
	int hi_open, integral;
	Operand x, ratio, train;  /* JUDGE_DROPOUT(_MASK) */
	int y, mask;        /* the Dropout's output and mask among the graph outputs, or -1 */
} Judge;

/* ops/random.c: whether output i of an OPF_RANDOM node is random, and its rule
 * (operands still unresolved); the values a judge of node n reads at run time
 * (Dropout: X, ratio, training_mode; NULL where absent), their count. */
int random_value_set(const Node *n, int i, Judge *j);
int random_operands(const Node *n, Value **v);

/* Before the passes: make the run-time operands of training-mode Dropouts
 * that feed graph outputs extra graph outputs.  Returns how many it added. */
int judge_probe(Graph *g);
/* After the passes: the rule for each of the first n graph outputs. */
void judge_outputs(const Graph *g, int n, Judge *out);
/* A one-line description: "random (Bernoulli): judged by shape and value set {0, 1}". */
const char *judge_describe(const Judge *j, char *buf, size_t len);

/* The data a check needs: an output's elements (type dtype, count n), and
 * for Dropout the operands' and partner output's data (NULL if absent). */
typedef struct JudgeData {
	int dtype;
	size_t n;
	const void *got;
	const void *x, *ratio, *train, *y, *mask;
	int x_dtype, ratio_dtype;
	size_t x_n;
	double rtol, atol;
} JudgeData;

/* Check an output against its rule.  Returns 1 if it holds, 0 if not (why in
 * msg), -1 if the rule says compare exactly (JUDGE_EXACT, or a Dropout that was
 * not random at run time: training_mode false or ratio 0). */
int judge_check(const Judge *j, const JudgeData *d, char *msg, size_t len);

/* Element i of raw data of type dt as a double (float8 and halves decoded). */
double judge_elem(const void *p, int dt, size_t i);

#endif
