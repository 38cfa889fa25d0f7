/* onnx_load.c: the frontend.  Parses a ModelProto with protobuf-c and lowers
 * its main graph into the tensor IR: initializers and Constant-like data
 * become constant values, inputs get their static shapes, nodes get their
 * operator-table rows and attributes, and the node list is put in
 * topological order.
 *
 * A node that calls a model-local function (ModelProto.functions) becomes an
 * internal Call node whose "body" is the function's body, loaded as a template
 * for that call: attribute references (ref_attr_name) take the call's
 * attribute or the function's default, inputs the call leaves out are missing
 * inputs in the body, and the body's nodes bind to the function's own opset
 * imports.  Inference inlines the body (ops/control.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend.h"
#include "ops.h"

#define MIN_IR_VERSION 3
#define MAX_IR_VERSION 13
#define MAX_OPSET 28
#define MAX_MODEL_BYTES ((long)2 << 30)

typedef struct Loader {
	Graph *g;
	int64_t opset_default;
	const Onnx__ModelProto *m;
	int sub;              /* loading a subgraph (an If branch, a Loop body) */
	int depth;            /* nesting of subgraphs */
	const char *dir;      /* the model's folder: external data is read from it */
	/* Loading the body of a model-local function for one call: */
	const Onnx__FunctionProto *fn;
	const Node *call;     /* the calling node, its attributes already resolved */
	Onnx__AttributeProto **defaults;  /* the function's attribute defaults */
	size_t ndefaults;
	char **absent;        /* formal inputs the call leaves out */
	size_t nabsent;
} Loader;

/* Function bodies loaded in all, over every call (nested calls multiply). */
#define MAX_INLINED_NODES 200000
static size_t inlined_nodes;

/* Subgraphs nest at most this deep (a malicious model could nest without end). */
#define MAX_SUBGRAPH_DEPTH 32

static int load_graph(Loader *ld, const Onnx__GraphProto *gp, const InputShape *shapes, int nshapes);

static int is_default_domain(const char *d)
{
	return !d || !*d || strcmp(d, "ai.onnx") == 0;
}

static int same_domain(const char *a, const char *b)
{
	return is_default_domain(a) ? is_default_domain(b) : b && strcmp(a, b) == 0;
}

static int64_t opset_in(Onnx__OperatorSetIdProto *const *v, size_t n, const char *domain)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (same_domain(domain, v[i]->domain))
			return v[i]->has_version ? v[i]->version : 1;
	return -1;
}

/* The opset version imported for a domain (by the function being inlined,
 * else by the model), or -1. */
static int64_t opset_of(const Loader *ld, const char *domain)
{
	int64_t v = ld->fn ? opset_in(ld->fn->opset_import, ld->fn->n_opset_import, domain) : -1;

	return v >= 0 ? v : opset_in(ld->m->opset_import, ld->m->n_opset_import, domain);
}

/* The payload of a length-delimited unknown field: protobuf-c keeps the
 * length prefix in its data.  NULL if malformed. */
static const uint8_t *unknown_payload(const ProtobufCMessageUnknownField *f, size_t *len)
{
	uint64_t n = 0;
	size_t i;

	if (f->wire_type != PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED)
		return NULL;
	for (i = 0; i < f->len && i < 10; i++) {
		n |= (uint64_t)(f->data[i] & 0x7f) << (7 * i);
		if (!(f->data[i] & 0x80))
			break;
	}
	if (i >= f->len || i == 10 || n > f->len - i - 1)
		return NULL;
	*len = (size_t)n;
	return f->data + i + 1;
}

/* A string field that Debian's onnx.proto predates (NodeProto.overload,
 * FunctionProto.overload: IR version 10), kept by protobuf-c as an unknown
 * field; "" when absent. */
static void unknown_string(const ProtobufCMessage *m, uint32_t tag, char *buf, size_t n)
{
	unsigned i;

	buf[0] = 0;
	for (i = 0; i < m->n_unknown_fields; i++) {
		const ProtobufCMessageUnknownField *f = &m->unknown_fields[i];
		size_t len;
		const uint8_t *p = f->tag == tag ? unknown_payload(f, &len) : NULL;
		if (p)
			snprintf(buf, n, "%.*s", (int)(len < n ? len : n - 1), (const char *)p);
	}
}

/* The model-local function a node of (domain, op_type) calls, or NULL. */
static const Onnx__FunctionProto *find_function(const Loader *ld, const Onnx__NodeProto *np)
{
	char want[256], have[256];
	size_t i;

	unknown_string(&np->base, 8, want, sizeof want);
	for (i = 0; i < ld->m->n_functions; i++) {
		const Onnx__FunctionProto *f = ld->m->functions[i];
		if (!f->name || strcmp(f->name, np->op_type) != 0 ||
		    !same_domain(np->domain ? np->domain : "", f->domain))
			continue;
		unknown_string(&f->base, 13, have, sizeof have);
		if (strcmp(want, have) == 0)
			return f;
	}
	return NULL;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f) {
		ir_error("%s: cannot open the model file", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		ir_error("%s: cannot read the model file", path);
		return NULL;
	}
	if (n > MAX_MODEL_BYTES) {
		fclose(f);
		ir_error("%s: model file is larger than 2 GiB", path);
		return NULL;
	}
	buf = xmalloc((size_t)n);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		ir_error("%s: cannot read the model file", path);
		return NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Nesting check before protobuf-c parses a file: its parser recurses once per
 * nested message, so a crafted file nesting a subgraph in a subgraph (or a
 * sequence type in a sequence type) some 100,000 times would overflow the
 * stack.  This walks, without recursion, only the fields through which ONNX
 * messages can nest, and measures the depth. */
enum { PB_MODEL, PB_GRAPH, PB_NODE, PB_ATTR, PB_FUNC, PB_VINFO, PB_TYPE, PB_TYPE_ELEM,
       PB_TYPE_MAP, PB_TRAIN, PB_LEAF };

#define MAX_PROTO_DEPTH 200

/* The message type of field `field` of a message of type `t`, or PB_LEAF to skip it. */
static int pb_child(int t, uint64_t field)
{
	switch (t) {
	case PB_MODEL: return field == 7 ? PB_GRAPH : field == 25 ? PB_FUNC : field == 20 ? PB_TRAIN : PB_LEAF;
	case PB_GRAPH: return field == 1 ? PB_NODE : field == 11 || field == 12 || field == 13 ? PB_VINFO : PB_LEAF;
	case PB_NODE: return field == 5 ? PB_ATTR : PB_LEAF;
	case PB_ATTR: return field == 6 || field == 11 ? PB_GRAPH : field == 14 || field == 15 ? PB_TYPE : PB_LEAF;
	case PB_FUNC: return field == 7 ? PB_NODE : field == 11 ? PB_ATTR : field == 12 ? PB_VINFO : PB_LEAF;
	case PB_VINFO: return field == 2 ? PB_TYPE : PB_LEAF;
	case PB_TYPE: return field == 4 || field == 9 ? PB_TYPE_ELEM : field == 5 ? PB_TYPE_MAP : PB_LEAF;
	case PB_TYPE_ELEM: return field == 1 ? PB_TYPE : PB_LEAF;
	case PB_TYPE_MAP: return field == 2 ? PB_TYPE : PB_LEAF;
	case PB_TRAIN: return field == 1 || field == 2 ? PB_GRAPH : PB_LEAF;
	}
	return PB_LEAF;
}

static int pb_varint(const uint8_t *p, size_t end, size_t *i, uint64_t *v)
{
	int shift;

	*v = 0;
	for (shift = 0; shift < 64 && *i < end; shift += 7) {
		uint8_t b = p[(*i)++];
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

/* 0, or -1 after ir_error if messages nest deeper than MAX_PROTO_DEPTH.
 * Malformed data stops the walk quietly: the parser reports it. */
static int check_nesting(const char *path, const uint8_t *p, size_t len)
{
	size_t end[MAX_PROTO_DEPTH + 1], i = 0;
	int type[MAX_PROTO_DEPTH + 1], depth = 0;

	end[0] = len;
	type[0] = PB_MODEL;
	while (depth >= 0) {
		uint64_t key, n;
		if (i >= end[depth]) {
			depth--;
			continue;
		}
		if (pb_varint(p, end[depth], &i, &key) != 0)
			return 0;
		switch (key & 7) {
		case 0:
			if (pb_varint(p, end[depth], &i, &n) != 0)
				return 0;
			break;
		case 1: i += 8; break;
		case 5: i += 4; break;
		case 2:
			if (pb_varint(p, end[depth], &i, &n) != 0 || n > end[depth] - i)
				return 0;
			if (pb_child(type[depth], key >> 3) == PB_LEAF) {
				i += n;
				break;
			}
			if (depth == MAX_PROTO_DEPTH)
				return ir_error("%s: messages nest more than %d deep (subgraphs or types "
						"within each other)", path, MAX_PROTO_DEPTH);
			type[depth + 1] = pb_child(type[depth], key >> 3);
			end[++depth] = i + n;
			break;
		default:
			return 0;
		}
		if (i > end[depth])
			return 0;
	}
	return 0;
}

/* Type and shape from a ValueInfoProto.  Symbolic or missing dimensions leave
 * rank -1 (for inputs, an error unless --shape gives them). */
static int value_info_type(Value *v, const Onnx__ValueInfoProto *vi, int *symbolic)
{
	const Onnx__TypeProto *tp = vi->type;
	const Onnx__TensorShapeProto *sh;
	int64_t dims[IR_MAX_RANK];
	size_t i;

	*symbolic = 0;
	if (!tp)
		return 0;
	if (tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE) {
		const char *kind = tp->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE ? "sequence"
				 : tp->value_case == ONNX__TYPE_PROTO__VALUE_MAP_TYPE ? "map"
				 : tp->value_case == ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE ? "optional"
				 : tp->value_case == ONNX__TYPE_PROTO__VALUE_SPARSE_TENSOR_TYPE ? "sparse tensor"
				 : "unknown";
		return ir_error("value '%s' has %s type; only tensors are supported", v->name, kind);
	}
	if (!tp->tensor_type->has_elem_type)
		return 0;
	v->dtype = tp->tensor_type->elem_type;
	sh = tp->tensor_type->shape;
	if (!sh) {
		*symbolic = 1;
		return 0;
	}
	if (sh->n_dim > IR_MAX_RANK)
		return ir_error("value '%s': rank %zu is not supported (at most %d)",
				v->name, sh->n_dim, IR_MAX_RANK);
	for (i = 0; i < sh->n_dim; i++) {
		const Onnx__TensorShapeProto__Dimension *d = sh->dim[i];
		if (d->value_case != ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE ||
		    d->dim_value < 0) {
			/* a negative size: unknown, like a symbol (some exporters write -1) */
			*symbolic = d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE
				    ? -1 - (int)i : 1;
			return 0;
		}
		dims[i] = d->dim_value;
	}
	return value_set_shape(v, v->dtype, (int)sh->n_dim, dims);
}

/* Remember a declared static type and shape (value_info or graph output). */
static int declare(Value *v, const Onnx__ValueInfoProto *vi)
{
	Value tmp = {0};
	int symbolic, i;

	if (vi->type && vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
		return 0;	/* a sequence or optional: inferred, not declared */
	tmp.name = v->name;
	tmp.rank = -1;
	if (value_info_type(&tmp, vi, &symbolic) != 0)
		return -1;
	v->decl_dtype = tmp.dtype;
	if (symbolic || tmp.rank < 0)
		return 0;
	v->decl_rank = tmp.rank;
	for (i = 0; i < tmp.rank; i++)
		v->decl_dims[i] = tmp.dims[i];
	return 0;
}

static int load_value_info(Loader *ld, const Onnx__GraphProto *gp)
{
	size_t i;

	for (i = 0; i < gp->n_value_info; i++) {
		const Onnx__ValueInfoProto *vi = gp->value_info[i];
		Value *v = vi->name ? graph_find(ld->g, vi->name) : NULL;
		if (v && !v->data && !v->is_input && declare(v, vi) != 0)
			return -1;
	}
	return 0;
}

static int load_initializers(Loader *ld, const Onnx__GraphProto *gp)
{
	size_t i;

	for (i = 0; i < gp->n_initializer; i++) {
		const Onnx__TensorProto *t = gp->initializer[i];
		Value *v;
		if (!t->name || !*t->name)
			return ir_error("initializer %zu has no name", i);
		if (graph_find(ld->g, t->name))
			return ir_error("initializer '%s' is defined twice", t->name);
		v = graph_value(ld->g, t->name);
		if (tensor_from_proto_at(t, v, "initializer", ld->dir) != 0)
			return -1;
	}
	if (gp->n_sparse_initializer)
		return ir_error("sparse initializers are not supported");
	return 0;
}

static const InputShape *find_shape(const InputShape *s, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(s[i].name, name) == 0)
			return &s[i];
	return NULL;
}

/* Append v to the graph's interface inputs. */
static void add_input(Graph *g, Value *v)
{
	v->is_input = 1;
	v->mem = MEM_INPUT;
	v->io_index = g->ninputs;
	g->inputs = xrealloc(g->inputs, (g->ninputs + 1) * sizeof(Value *));
	g->inputs[g->ninputs++] = v;
}

/* The tensor element type inside a sequence or optional type, or -1. */
static int inner_dtype(const Onnx__TypeProto *tp)
{
	while (tp) {
		switch (tp->value_case) {
		case ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE:
			return tp->tensor_type->has_elem_type ? tp->tensor_type->elem_type : -1;
		case ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE:
			tp = tp->sequence_type->elem_type;
			break;
		case ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE:
			tp = tp->optional_type->elem_type;
			break;
		default:
			return -1;
		}
	}
	return -1;
}

/* The value of graph input vi (type tp): a tensor is one interface input; a
 * sequence is one interface input per element ("x[0]", ...), its length and
 * shapes given by s; an optional is none (s says so) or its element. */
static Value *bind_input(Graph *g, const Onnx__ValueInfoProto *vi, const Onnx__TypeProto *tp,
			 const InputShape *s)
{
	const char *name = vi->name;
	int symbolic, dt = inner_dtype(tp), i;
	Value *v;

	if (!tp) {
		ir_error("graph input '%s' has no type", name);
		return NULL;
	}
	if (tp->value_case == ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE) {
		Value *e = NULL;
		if (dt < 0) {
			ir_error("graph input '%s': only optionals of tensors or sequences of tensors "
				 "are supported", name);
			return NULL;
		}
		if (!s || s->kind != SHAPE_NONE) {
			e = bind_input(g, vi, tp->optional_type->elem_type, s);
			if (!e)
				return NULL;
		}
		v = graph_value(g, name);	/* found before the element: newest first */
		value_set_opt(v, dt, e);
		return v;
	}
	if (tp->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE) {
		const Onnx__TypeProto *et = tp->sequence_type->elem_type;
		Value **elems;
		char en[1024];
		if (!et || et->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || dt < 0) {
			ir_error("graph input '%s': only sequences of tensors are supported", name);
			return NULL;
		}
		if (!s || s->kind != SHAPE_SEQ) {
			ir_error("graph input '%s' is a sequence: give its length and element shapes "
				 "with --shape %s=seq:D0,D1;D0,D1;...", name, name);
			return NULL;
		}
		if (!dt_size(dt)) {
			ir_error("graph input '%s': element type %s is not supported", name, dt_name(dt));
			return NULL;
		}
		elems = xcalloc(s->nelems + 1, sizeof(Value *));
		for (i = 0; i < s->nelems; i++) {
			snprintf(en, sizeof en, "%s[%d]", name, i);
			elems[i] = graph_value(g, en);
			if (value_set_shape(elems[i], dt, s->elems[i].rank, s->elems[i].dims) != 0) {
				free(elems);
				return NULL;
			}
			add_input(g, elems[i]);
		}
		v = graph_value(g, name);
		value_set_seq(v, dt, elems, s->nelems);
		free(elems);
		return v;
	}
	if (s && s->kind != SHAPE_TENSOR) {
		ir_error("--shape %s: the input is a tensor", name);
		return NULL;
	}
	v = graph_value(g, name);
	{
		Onnx__ValueInfoProto tmp = *vi;
		tmp.type = (Onnx__TypeProto *)tp;
		if (value_info_type(v, &tmp, &symbolic) != 0)
			return NULL;
	}
	if (s) {
		if (value_set_shape(v, v->dtype, s->rank, s->dims) != 0)
			return NULL;
	} else if (symbolic < 0) {
		ir_error("graph input '%s': dimension %d is %lld; give the shape with --shape "
			 "%s=D0,D1,...", name, -1 - symbolic,
			 (long long)tp->tensor_type->shape->dim[-1 - symbolic]->dim_value, name);
		return NULL;
	} else if (symbolic || v->rank < 0) {
		ir_error("graph input '%s' has a dynamic shape; give it with --shape %s=D0,D1,...",
			 name, name);
		return NULL;
	}
	if (!dt_size(v->dtype)) {
		ir_error("graph input '%s': element type %s is not supported", name, dt_name(v->dtype));
		return NULL;
	}
	add_input(g, v);
	return v;
}

static int load_inputs(Loader *ld, const Onnx__GraphProto *gp, const InputShape *shapes, int nshapes)
{
	Graph *g = ld->g;
	size_t i;
	int j;

	for (i = 0; i < gp->n_input; i++) {
		const Onnx__ValueInfoProto *vi = gp->input[i];
		Value *v;
		if (!vi->name || !*vi->name)
			return ir_error("graph input %zu has no name", i);
		v = graph_find(g, vi->name);
		if (v && v->data)
			continue;	/* an initializer: a constant here */
		if (v)
			return ir_error("graph input '%s' is listed twice", vi->name);
		if (ld->sub) {
			/* A subgraph's inputs are typed by what its node passes in;
			 * a declared static tensor shape is kept as a declaration. */
			v = graph_value(g, vi->name);
			v->is_input = 1;
			v->io_index = g->ninputs;
			g->inputs = xrealloc(g->inputs, (g->ninputs + 1) * sizeof(Value *));
			g->inputs[g->ninputs++] = v;
			if (vi->type && vi->type->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
			    declare(v, vi) != 0)
				return -1;
			continue;
		}
		if (!bind_input(g, vi, vi->type, find_shape(shapes, nshapes, vi->name)))
			return -1;
	}
	for (j = 0; j < nshapes; j++) {
		for (i = 0; i < gp->n_input; i++)
			if (gp->input[i]->name && strcmp(gp->input[i]->name, shapes[j].name) == 0)
				break;
		if (i == gp->n_input || graph_find(g, shapes[j].name)->data)
			return ir_error("--shape %s: the model has no input of that name", shapes[j].name);
	}
	return 0;
}

static const Loader *cur_loader;	/* the loader of the graph whose node is being read */
static int too_deep;			/* a subgraph nests deeper than MAX_SUBGRAPH_DEPTH */

/* Load subgraph gp of node n (in the graph being loaded) as a template owned
 * by that graph.  The names the subgraph reads from outer scopes become its
 * free values; n captures the values of those names in its own graph. */
static int load_subgraph(Node *n, Attr *a, const Onnx__GraphProto *gp)
{
	const Loader *outer = cur_loader;
	Loader ld = *outer;
	Graph *g = n->graph;
	int i, rc;

	if (outer->depth >= MAX_SUBGRAPH_DEPTH) {
		too_deep = 1;
		return -1;
	}
	ld.g = graph_new();
	ld.sub = 1;
	ld.depth = outer->depth + 1;
	ld.g->ir_version = g->ir_version;
	ld.g->opset = g->opset;
	g->subs = xrealloc(g->subs, (g->nsubs + 1) * sizeof(Graph *));
	g->subs[g->nsubs++] = ld.g;
	a->g = ld.g;
	rc = load_graph(&ld, gp, NULL, 0);
	cur_loader = outer;
	if (rc != 0 && too_deep && outer->depth == 0) {
		too_deep = 0;
		return node_error(n, "its subgraphs nest more than %d deep", MAX_SUBGRAPH_DEPTH);
	}
	if (rc != 0 && too_deep)
		return -1;	/* reported once, at the top */
	if (rc != 0)
		return node_error(n, "in subgraph '%s': %s", a->name, ir_last_error());
	for (i = 0; i < ld.g->nfree; i++) {
		const char *name = ld.g->free_vals[i]->name;
		Value *v = graph_find(g, name);
		node_add_cap(n, v ? v : graph_value(g, name));
	}
	return 0;
}

static int load_attr(Node *n, const Onnx__AttributeProto *ap);

/* Attribute ap of a node in a function body refers to the function's
 * attribute ap->ref_attr_name: the call's value, else the function's default,
 * else the attribute is left out. */
static int load_attr_ref(Node *n, const Onnx__AttributeProto *ap)
{
	const Loader *ld = cur_loader;
	const char *ref = ap->ref_attr_name;
	const Attr *a;
	size_t i;

	if (!ld->fn)
		return node_error(n, "attribute '%s' refers to a function attribute outside a function",
				  ap->name);
	if ((a = node_attr(ld->call, ref))) {
		if (ap->has_type && (int)ap->type != a->type)
			return node_error(n, "attribute '%s' refers to function attribute '%s', which "
					  "the call '%s' gives with another type", ap->name, ref,
					  ld->call->name);
		node_copy_attr(n, a);
		free(n->attrs[n->nattrs - 1].name);
		n->attrs[n->nattrs - 1].name = xstrdup(ap->name);
		return 0;
	}
	for (i = 0; i < ld->ndefaults; i++)
		if (ld->defaults[i]->name && strcmp(ld->defaults[i]->name, ref) == 0) {
			Onnx__AttributeProto d = *ld->defaults[i];
			d.name = ap->name;
			d.ref_attr_name = NULL;
			return load_attr(n, &d);
		}
	return 0;
}

static int load_attr(Node *n, const Onnx__AttributeProto *ap)
{
	Attr *a;
	size_t i;
	int type = ap->has_type ? (int)ap->type : AT_UNDEFINED;

	if (!ap->name)
		return node_error(n, "an attribute has no name");
	if (ap->ref_attr_name && *ap->ref_attr_name)
		return load_attr_ref(n, ap);
	a = node_add_attr(n, ap->name, type);
	switch (type) {
	case AT_FLOAT: a->f = ap->f; break;
	case AT_INT: a->i = ap->i; break;
	case AT_STRING:
		a->s = xmalloc(ap->s.len + 1);
		if (ap->s.len)
			memcpy(a->s, ap->s.data, ap->s.len);
		a->s[ap->s.len] = 0;
		a->slen = ap->s.len;
		break;
	case AT_FLOATS:
		a->n = (int)ap->n_floats;
		a->floats = xcalloc(ap->n_floats, sizeof(double));
		for (i = 0; i < ap->n_floats; i++)
			a->floats[i] = ap->floats[i];
		break;
	case AT_INTS:
		a->n = (int)ap->n_ints;
		a->ints = xcalloc(ap->n_ints, sizeof(int64_t));
		if (ap->n_ints)	/* protobuf-c leaves an empty list NULL */
			memcpy(a->ints, ap->ints, ap->n_ints * sizeof(int64_t));
		break;
	case AT_TENSOR:
		if (!ap->t)
			return node_error(n, "attribute '%s' has no tensor", ap->name);
		a->t = xcalloc(1, sizeof(Value));
		a->t->name = xstrdup(ap->name);
		a->t->rank = -1;
		if (tensor_from_proto_at(ap->t, a->t, "attribute tensor", cur_loader->dir) != 0)
			return node_error(n, "%s", ir_last_error());
		break;
	case AT_STRINGS:
		a->n = (int)ap->n_strings;
		a->strs = xcalloc(ap->n_strings, sizeof(char *));
		a->slens = xcalloc(ap->n_strings, sizeof(size_t));
		for (i = 0; i < ap->n_strings; i++) {
			a->strs[i] = xmalloc(ap->strings[i].len + 1);
			if (ap->strings[i].len)
				memcpy(a->strs[i], ap->strings[i].data, ap->strings[i].len);
			a->strs[i][ap->strings[i].len] = 0;
			a->slens[i] = ap->strings[i].len;
		}
		break;
	case AT_TYPE_PROTO:
		a->i = inner_dtype(ap->tp);
		break;
	case AT_GRAPH:
		if (!ap->g)
			return node_error(n, "attribute '%s' has no graph", ap->name);
		return load_subgraph(n, a, ap->g);
	case AT_UNDEFINED:
		return node_error(n, "attribute '%s' has no type", ap->name);
	default:
		return node_error(n, "attribute '%s' has unsupported type %d", ap->name, type);
	}
	return 0;
}

static int is_absent(const Loader *ld, const char *name)
{
	size_t i;

	for (i = 0; i < ld->nabsent; i++)
		if (strcmp(ld->absent[i], name) == 0)
			return 1;
	return 0;
}

/* The function's attribute defaults (FunctionProto.attribute_proto, IR
 * version 9: field 11, which Debian's onnx.proto predates). */
static void load_defaults(Loader *fl, const Onnx__FunctionProto *fp)
{
	unsigned i;

	for (i = 0; i < fp->base.n_unknown_fields; i++) {
		const ProtobufCMessageUnknownField *f = &fp->base.unknown_fields[i];
		Onnx__AttributeProto *a;
		size_t len;
		const uint8_t *p = f->tag == 11 ? unknown_payload(f, &len) : NULL;
		if (!p)
			continue;
		if (!(a = onnx__attribute_proto__unpack(NULL, len, p)))
			continue;	/* reported if a body node refers to it: it stays absent */
		fl->defaults = xrealloc(fl->defaults, (fl->ndefaults + 1) * sizeof *fl->defaults);
		fl->defaults[fl->ndefaults++] = a;
	}
}

/* Load the body of function fp, called by node n, as n's "body" template
 * (a graph whose inputs are the inputs the call gives, in order). */
static int load_function(Loader *ld, Node *n, const Onnx__FunctionProto *fp)
{
	Onnx__GraphProto gp = ONNX__GRAPH_PROTO__INIT;
	Onnx__ValueInfoProto *vis, **ins, **outs;
	Loader fl = *ld;
	Graph *g = n->graph;
	const char *fname = fp->name;
	size_t i, k;
	int rc = 0;
	Attr *a;

	if (ld->depth >= MAX_SUBGRAPH_DEPTH) {
		too_deep = 1;
		return -1;
	}
	if ((size_t)n->nin > fp->n_input || (size_t)n->nout > fp->n_output)
		return node_error(n, "has %d inputs and %d outputs, but function '%s' takes %zu and "
				  "gives %zu", n->nin, n->nout, fname, fp->n_input, fp->n_output);
	for (i = 0; i < (size_t)n->nattrs; i++)
		if (n->attrs[i].type == AT_GRAPH)
			return node_error(n, "attribute '%s' is a graph; graph attributes of a "
					  "function call are not supported", n->attrs[i].name);
	inlined_nodes += fp->n_node;
	if (inlined_nodes > MAX_INLINED_NODES)
		return node_error(n, "inlining model-local functions exceeds %d nodes",
				  MAX_INLINED_NODES);
	vis = xcalloc(fp->n_input + fp->n_output + 1, sizeof *vis);
	ins = xcalloc(fp->n_input + 1, sizeof *ins);
	outs = xcalloc(fp->n_output + 1, sizeof *outs);
	fl.g = graph_new();
	fl.sub = 1;
	fl.depth = ld->depth + 1;
	fl.fn = fp;
	fl.call = n;
	fl.defaults = NULL;
	fl.ndefaults = 0;
	fl.absent = xcalloc(fp->n_input + 1, sizeof(char *));
	fl.nabsent = 0;
	fl.g->ir_version = g->ir_version;
	fl.g->opset = g->opset;
	load_defaults(&fl, fp);
	for (i = k = 0; i < fp->n_input; i++) {
		Onnx__ValueInfoProto init = ONNX__VALUE_INFO_PROTO__INIT;
		if (!fp->input[i] || !*fp->input[i]) {
			rc = node_error(n, "function '%s' has an input without a name", fname);
			break;
		}
		if (i < (size_t)n->nin && n->in[i]) {
			vis[k] = init;
			vis[k].name = fp->input[i];
			ins[gp.n_input++] = &vis[k++];
		} else {
			fl.absent[fl.nabsent++] = fp->input[i];
		}
	}
	for (i = 0; rc == 0 && i < fp->n_output; i++) {
		Onnx__ValueInfoProto init = ONNX__VALUE_INFO_PROTO__INIT;
		vis[k] = init;
		vis[k].name = fp->output[i];
		outs[gp.n_output++] = &vis[k++];
	}
	gp.name = fp->name;
	gp.input = ins;
	gp.output = outs;
	gp.n_node = fp->n_node;
	gp.node = fp->node;
	if (rc == 0) {
		rc = load_graph(&fl, &gp, NULL, 0);
		cur_loader = ld;
		if (rc != 0 && too_deep && ld->depth == 0) {
			too_deep = 0;
			rc = node_error(n, "its functions or subgraphs nest more than %d deep",
					MAX_SUBGRAPH_DEPTH);
		} else if (rc == 0 && fl.g->nfree > 0) {
			rc = node_error(n, "in function '%s': the body reads '%s', which it does not "
					"define", fname, fl.g->free_vals[0]->name);
		} else if (rc != 0 && !too_deep) {
			rc = node_error(n, "in function '%s': %s", fname, ir_last_error());
		}
	}
	for (i = 0; i < fl.ndefaults; i++)
		onnx__attribute_proto__free_unpacked(fl.defaults[i], NULL);
	free(fl.defaults);
	free(fl.absent);
	free(vis);
	free(ins);
	free(outs);
	g->subs = xrealloc(g->subs, (g->nsubs + 1) * sizeof(Graph *));
	g->subs[g->nsubs++] = fl.g;
	if (rc != 0)
		return rc;
	/* The call's attributes live on in the body's nodes. */
	node_clear_attrs(n);
	a = node_add_attr(n, "body", AT_GRAPH);
	a->g = fl.g;
	return 0;
}

static int load_node(Loader *ld, const Onnx__NodeProto *np, size_t index)
{
	Graph *g = ld->g;
	char synth[128];
	const char *name = np->name;
	const char *domain = np->domain ? np->domain : "";
	const Onnx__FunctionProto *fn = NULL;
	int64_t version;
	Node *n;
	size_t i;

	if (!np->op_type || !*np->op_type)
		return np->name && *np->name ? ir_error("node %zu ('%s') has no op_type", index, np->name)
					     : ir_error("node %zu has no op_type", index);
	if (!name || !*name) {
		snprintf(synth, sizeof synth, "%s_%zu", np->op_type, index);
		name = synth;
	}
	n = graph_node(g, name, np->op_type, is_default_domain(domain) ? "" : domain);
	if (strcmp(domain, "onnxcc.internal") == 0)
		return node_error(n, "domain 'onnxcc.internal' is reserved for onnxcc's own operators");
	version = opset_of(ld, domain);
	n->version = (int)version;
	if (version >= 0)
		n->op = op_lookup(n->domain, n->op_type, n->version);
	if (!n->op && (fn = find_function(ld, np))) {
		n->op = op_lookup("onnxcc.internal", "Call", 1);
		n->version = 1;
	}
	if (version < 0 && !n->op)
		return node_error(n, "the model imports no opset for domain '%s'", domain);
	if (!n->op) {
		int since, until;
		if (op_versions(n->domain, n->op_type, &since, &until) &&
		    (n->version < since || n->version > until))
			return node_error(n, "opset version %d of %s is not supported (opsets %d to %d are)",
					  n->version, n->op_type, since, until);
		if (op_known(n->domain, n->op_type))
			return node_error(n, "opset version %d of %s is not supported",
					  n->version, n->op_type);
		return node_error(n, "operator '%s%s%s' is not supported", n->domain,
				  *n->domain ? "." : "", n->op_type);
	}
	for (i = 0; i < np->n_input; i++) {
		Value *v = NULL;
		if (np->input[i] && *np->input[i] && !is_absent(ld, np->input[i])) {
			v = graph_find(g, np->input[i]);
			if (!v)
				v = graph_value(g, np->input[i]);  /* produced later, or by nobody */
		}
		node_add_input(n, v);
	}
	for (i = 0; i < np->n_output; i++) {
		Value *v = NULL;
		if (np->output[i] && *np->output[i]) {
			v = graph_find(g, np->output[i]);
			if (v && v->producer)
				return node_error(n, "output '%s' is already produced by node '%s'",
						  np->output[i], v->producer->name);
			if (v && (v->data || v->is_input))
				return node_error(n, "output '%s' is already %s", np->output[i],
						  v->data ? "an initializer" : "a graph input");
			if (!v)
				v = graph_value(g, np->output[i]);
		}
		node_add_output(n, v);
	}
	while (n->nout > 0 && !n->out[n->nout - 1])
		n->nout--;
	if (n->nin < n->op->min_in || n->nin > n->op->max_in)
		return node_error(n, "has %d inputs, expected %d to %d", n->nin,
				  n->op->min_in, n->op->max_in);
	if (n->nout < n->op->min_out || n->nout > n->op->max_out)
		return node_error(n, "has %d outputs, expected %d to %d", n->nout,
				  n->op->min_out, n->op->max_out);
	for (i = 0; i < np->n_attribute; i++)
		if (load_attr(n, np->attribute[i]) != 0)
			return -1;
	return fn ? load_function(ld, n, fn) : 0;
}

/* The name of n's subgraph attribute that reads outer name `name`. */
static const char *reader_of(const Node *n, const char *name)
{
	int i, j;

	for (i = 0; i < n->nattrs; i++) {
		const Graph *s = n->attrs[i].type == AT_GRAPH ? n->attrs[i].g : NULL;
		for (j = 0; s && j < s->nfree; j++)
			if (strcmp(s->free_vals[j]->name, name) == 0)
				return n->attrs[i].name;
	}
	return "?";
}

/* Every node topo_sort could not place (dead clear) waits for an input that
 * another such node produces (undefined names were reported first), so
 * following those producers from any of them must come back to a node seen
 * before: report the cycle from there, "a -> b -> a". */
static void report_cycle(Graph *g, const char *ready)
{
	Node **path = xcalloc(g->nnodes + 1, sizeof(Node *));
	char msg[1024];
	int len = 0, i, j, k, start = -1;
	size_t m = 0;

	for (i = 0; i < g->nnodes && !path[0]; i++)
		if (!g->nodes[i]->dead)
			path[len++] = g->nodes[i];
	while (start < 0 && len <= g->nnodes) {
		Node *n = path[len - 1], *next = NULL;
		for (j = 0; !next && j < n->nin + n->ncaps; j++) {
			Value *v = j < n->nin ? n->in[j] : n->caps[j - n->nin];
			if (v && !ready[v->id] && v->producer && !v->producer->dead)
				next = v->producer;
		}
		if (!next)
			break;
		for (k = 0; k < len && start < 0; k++)
			if (path[k] == next)
				start = k;
		path[len++] = next;
	}
	if (start < 0) {
		node_error(path[0], "is part of a cycle in the graph");
		free(path);
		return;
	}
	msg[0] = 0;
	for (k = start; k < len && m < sizeof msg; k++)
		m += (size_t)snprintf(msg + m, sizeof msg - m, "%s%s", k > start ? " -> " : "",
				      path[k]->name);
	node_error(path[start], "is part of a cycle: %s", msg);
	free(path);
}

/* Order nodes so that each comes after the producers of its inputs; a value
 * that nothing produces, or a cycle, is an error. */
static int topo_sort(Graph *g)
{
	Node **order = xcalloc(g->nnodes, sizeof(Node *));
	char *ready = xcalloc(g->nvalues, 1);
	int done = 0, progress = 1, i, j;

	/* (a sequence or optional without producer is a graph input's) */
	for (i = 0; i < g->nvalues; i++)
		ready[i] = g->values[i]->data || g->values[i]->is_input ||
			   (g->values[i]->is_seq && !g->values[i]->producer);
	for (i = 0; i < g->nfree; i++)
		ready[g->free_vals[i]->id] = 1;
	while (progress && done < g->nnodes) {
		progress = 0;
		for (i = 0; i < g->nnodes; i++) {
			Node *n = g->nodes[i];
			int ok = !n->dead;
			for (j = 0; ok && j < n->nin; j++)
				ok = !n->in[j] || ready[n->in[j]->id];
			for (j = 0; ok && j < n->ncaps; j++)
				ok = ready[n->caps[j]->id];
			if (!ok)
				continue;
			n->dead = 1;	/* placed; restored below */
			order[done++] = n;
			for (j = 0; j < n->nout; j++)
				if (n->out[j])
					ready[n->out[j]->id] = 1;
			progress = 1;
		}
	}
	if (done < g->nnodes) {
		for (i = 0; i < g->nnodes; i++) {
			Node *n = g->nodes[i];
			if (n->dead)
				continue;
			for (j = 0; j < n->nin + n->ncaps; j++) {
				Value *v = j < n->nin ? n->in[j] : n->caps[j - n->nin];
				if (v && !ready[v->id] && !v->producer) {
					if (j < n->nin)
						node_error(n, "input '%s' is not produced by any node, "
							   "initializer or graph input", v->name);
					else
						node_error(n, "its subgraph '%s' reads '%s', which no "
							   "enclosing graph defines",
							   reader_of(n, v->name), v->name);
					goto fail;
				}
			}
		}
		report_cycle(g, ready);
		goto fail;
	}
	for (i = 0; i < done; i++)
		order[i]->dead = 0;
	if (done)
		memcpy(g->nodes, order, done * sizeof(Node *));
	free(order);
	free(ready);
	return 0;
fail:
	for (i = 0; i < g->nnodes; i++)
		g->nodes[i]->dead = 0;
	free(order);
	free(ready);
	return -1;
}

static int load_outputs(Loader *ld, const Onnx__GraphProto *gp)
{
	Graph *g = ld->g;
	size_t i;
	int j;

	if (gp->n_output == 0)
		return ir_error("the graph has no outputs");
	g->outputs = xcalloc(gp->n_output, sizeof(Value *));
	for (i = 0; i < gp->n_output; i++) {
		const Onnx__ValueInfoProto *vi = gp->output[i];
		Value *v = vi->name ? graph_find(g, vi->name) : NULL;
		if (!v)
			return ir_error("graph output '%s' is not produced by any node, initializer or "
					"graph input",
					vi->name ? vi->name : "");
		if (ld->sub) {
			/* A body may pass a value through to several outputs. */
			if (!v->data && !v->is_input && !v->producer)
				;	/* read from an outer scope */
			else if (!v->data && !v->is_input && declare(v, vi) != 0)
				return -1;
			g->outputs[g->noutputs++] = v;
			continue;
		}
		for (j = 0; j < g->noutputs; j++)
			if (g->outputs[j] == v)
				return ir_error("graph output '%s' is listed twice", v->name);
		v->is_output = 1;
		if (!v->data && !v->is_input && declare(v, vi) != 0)
			return -1;
		v->io_index = g->noutputs;
		g->outputs[g->noutputs++] = v;
	}
	return 0;
}

static int load_graph(Loader *ld, const Onnx__GraphProto *gp, const InputShape *shapes, int nshapes)
{
	size_t i;

	Graph *g = ld->g;
	int j;

	g->name = xstrdup(gp->name ? gp->name : "model");
	if (load_initializers(ld, gp) != 0 || load_inputs(ld, gp, shapes, nshapes) != 0)
		return -1;
	for (i = 0; i < gp->n_node; i++) {
		cur_loader = ld;
		if (load_node(ld, gp->node[i], i) != 0)
			return -1;
	}
	if (ld->sub) {
		/* Names no node, initializer or input of the subgraph defines come
		 * from outer scopes (outputs may name one too). */
		for (i = 0; i < gp->n_output; i++)
			if (gp->output[i]->name && !graph_find(g, gp->output[i]->name))
				graph_value(g, gp->output[i]->name);
		for (j = 0; j < g->nvalues; j++) {
			Value *v = g->values[j];
			if (v->producer || v->data || v->is_input)
				continue;
			g->free_vals = xrealloc(g->free_vals, (g->nfree + 1) * sizeof(Value *));
			g->free_vals[g->nfree++] = v;
		}
	}
	if (topo_sort(g) != 0 || load_value_info(ld, gp) != 0)
		return -1;
	return load_outputs(ld, gp);
}

Graph *onnx_load(const char *path, const InputShape *shapes, int nshapes)
{
	Loader ld = {0};
	Onnx__ModelProto *m;
	uint8_t *buf;
	size_t len;
	char *dir;
	int rc;

	buf = read_file(path, &len);
	if (!buf)
		return NULL;
	if (len == 0) {
		free(buf);
		ir_error("%s: the model file is empty", path);
		return NULL;
	}
	if (check_nesting(path, buf, len) != 0) {
		free(buf);
		return NULL;
	}
	m = onnx__model_proto__unpack(NULL, len, buf);
	free(buf);
	if (!m) {
		ir_error("%s: not a valid ONNX model (protobuf parse failed)", path);
		return NULL;
	}
	ld.m = m;
	ld.g = graph_new();
	inlined_nodes = 0;
	dir = xstrdup(path);
	if (strrchr(dir, '/'))
		strrchr(dir, '/')[strrchr(dir, '/') == dir] = 0;	/* "/m.onnx" -> "/" */
	else
		strcpy(dir, ".");
	ld.dir = dir;
	rc = 0;
	if (!m->graph)
		rc = ir_error("%s: the model has no graph", path);
	else if (!m->has_ir_version || m->ir_version < MIN_IR_VERSION || m->ir_version > MAX_IR_VERSION)
		rc = ir_error("%s: IR version %lld is not supported (%d to %d are)", path,
			      (long long)m->ir_version, MIN_IR_VERSION, MAX_IR_VERSION);
	if (rc == 0) {
		/* A model may import no default-domain opset if none of its nodes need it. */
		ld.opset_default = opset_of(&ld, "");
		if ((ld.opset_default != -1 && ld.opset_default < 1) || ld.opset_default > MAX_OPSET)
			rc = ir_error("%s: default-domain opset %lld is not supported (1 to %d are)",
				      path, (long long)ld.opset_default, MAX_OPSET);
	}
	if (rc == 0) {
		ld.g->ir_version = (int)m->ir_version;
		ld.g->opset = ld.opset_default;
		rc = load_graph(&ld, m->graph, shapes, nshapes);
	}
	onnx__model_proto__free_unpacked(m, NULL);
	free(dir);
	if (rc != 0) {
		graph_free(ld.g);
		return NULL;
	}
	return ld.g;
}
