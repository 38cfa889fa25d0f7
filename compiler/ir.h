/* ir.h: onnxcc's tensor IR.
 *
 * A Graph owns Values (typed, statically shaped tensors) and Nodes (one ONNX
 * operator application each), kept in topological order.  A Value is produced
 * by at most one Node; graph inputs and constants have no producer.  Passes
 * (passes/) are free functions over a Graph; ir_verify() checks the invariants
 * between them.  Bad input is reported by returning -1 after ir_error() has
 * recorded a message; internal bugs call die(). */
#ifndef ONNXCC_IR_H
#define ONNXCC_IR_H

#include <stddef.h>
#include <stdint.h>

#define IR_MAX_RANK 8

/* Element types: the numbers of onnx.TensorProto.DataType. */
enum {
	DT_UNDEFINED = 0, DT_FLOAT = 1, DT_UINT8 = 2, DT_INT8 = 3, DT_UINT16 = 4,
	DT_INT16 = 5, DT_INT32 = 6, DT_INT64 = 7, DT_STRING = 8, DT_BOOL = 9,
	DT_FLOAT16 = 10, DT_DOUBLE = 11, DT_UINT32 = 12, DT_UINT64 = 13,
	DT_COMPLEX64 = 14, DT_COMPLEX128 = 15, DT_BFLOAT16 = 16,
	DT_UINT4 = 21, DT_INT4 = 22, DT_FLOAT4E2M1 = 23, DT_FLOAT8E8M0 = 24,
	DT_UINT2 = 25, DT_INT2 = 26, DT_COUNT = 27
};

/* Attribute kinds: the numbers of onnx.AttributeProto.AttributeType. */
enum {
	AT_UNDEFINED = 0, AT_FLOAT = 1, AT_INT = 2, AT_STRING = 3, AT_TENSOR = 4,
	AT_GRAPH = 5, AT_FLOATS = 6, AT_INTS = 7, AT_STRINGS = 8,
	AT_TYPE_PROTO = 13   /* kept as i: the tensor element type inside it, or -1 */
};

typedef struct Graph Graph;
typedef struct Node Node;
typedef struct OpInfo OpInfo;

typedef struct Value Value;
struct Value {
	char *name;
	int id;               /* index in graph->values */
	int dtype;            /* DT_* */
	int rank;             /* -1 while unknown */
	int64_t dims[IR_MAX_RANK];
	Node *producer;       /* NULL for graph inputs and constants */
	int is_input, is_output;
	/* Constant data, NULL unless the value is a compile-time constant.
	 * A splat holds one element that fills the whole shape. */
	void *data;
	int is_splat;
	/* The type and shape the model declares (value_info, graph outputs), or
	 * decl_rank -1.  Used where a shape depends on run-time data. */
	int decl_dtype, decl_rank;
	int64_t decl_dims[IR_MAX_RANK];
	/* A sequence (is_seq): a compile-time list of tensor values, all of
	 * element type dtype; rank stays -1.  Sequence ops rearrange the list;
	 * only the tensors in it have memory. */
	int is_seq;
	Value **elems;
	int nelems;
	/* An optional (is_opt, with is_seq set too, so that tensor-only code
	 * leaves it alone): nelems 0 is "none", else elems[0] is the element (a
	 * tensor or a sequence).  Also resolved at compile time. */
	int is_opt;
	/* A sequence element whose shape run-time data decides (SplitToSequence
	 * with run-time sizes): rank stays -1; only the sequence's length is known,
	 * and any use of the element itself is an error. */
	int dyn_elem;
	/* Memory plan (passes/memplan.c). */
	int mem;              /* MEM_* */
	int64_t offset;       /* byte offset in the arena, the constant blob or static storage */
	int io_index;         /* position among graph inputs or outputs */
};

/* MEM_STATIC: storage of the generated code that the init calls (lower.h)
 * fill once, at the first run, from constants alone. */
enum { MEM_NONE, MEM_ARENA, MEM_CONST, MEM_INPUT, MEM_OUTPUT, MEM_STATIC };

typedef struct Attr {
	char *name;
	int type;             /* AT_* */
	int64_t i;
	double f;
	char *s;              /* also the raw bytes of a string, length slen */
	size_t slen;
	int64_t *ints;
	double *floats;
	int n;                /* element count of ints / floats / strings */
	char **strs;          /* AT_STRINGS: NUL-terminated copies, lengths in slens */
	size_t *slens;
	Value *t;             /* AT_TENSOR: a detached constant value */
	Graph *g;             /* AT_GRAPH: a subgraph template, owned by the
			       * enclosing graph's subs (passes/control.c) */
} Attr;

/* A guard: the nodes under it run only when the bool scalar cond is true
 * (and so do the guards above it).  Made by the expansion of If and Loop
 * (passes/control.c); the backend turns a run of guarded calls into an if. */
typedef struct Guard Guard;
struct Guard {
	Value *cond;
	Guard *up;
	int depth;            /* 1 + up's depth */
};

struct Node {
	Graph *graph;         /* the graph that owns it */
	char *name;
	const OpInfo *op;
	char *op_type, *domain;
	int version;          /* opset version of the node's domain */
	Value **in;           /* an absent optional input is NULL */
	int nin;
	Value **out;          /* an absent optional output is NULL */
	int nout;
	Attr *attrs;
	int nattrs;
	/* Values of this graph that the node's subgraphs read from the outer
	 * scope (captures), one per distinct name. */
	Value **caps;
	int ncaps;
	Guard *guard;         /* NULL: runs unconditionally */
	int inferred;         /* pass_infer has handled it */
	int dead;             /* removed by a pass, freed with the graph */
	/* An epilogue fused into a Conv, Gemm or MatMul (passes/fuse.c): the
	 * residual in[3] (if present) added to the output, then the activation
	 * epi_act (ONNXCC_ACT_* of templates/linalg.h; 0: none) with parameters
	 * epi_a, epi_b.  `fused`: "Conv_1 + Relu_2", the nodes merged into this
	 * one, for --report (NULL: none). */
	int epi_act;
	double epi_a, epi_b;
	char *fused;
};

struct Graph {
	char *name;
	Value **values;
	int nvalues, capvalues;
	Node **nodes;
	int nnodes, capnodes;
	Value **inputs;
	int ninputs;
	Value **outputs;
	int noutputs;
	int ir_version;
	int64_t opset;        /* default-domain opset */
	struct KCallList *calls; /* set by pass_lower */
	int64_t arena_size;   /* set by pass_memplan */
	int64_t arena_lower_bound;
	int64_t const_size;   /* bytes of the constant blob, set by pass_memplan */
	int64_t static_size;  /* bytes of static storage, set by pass_memplan */
	int inferred;         /* pass_infer has run: every live value has a shape */
	int planned;          /* pass_memplan has run */
	/* Subgraphs (If branches, Loop and Scan bodies) loaded from this graph's
	 * nodes: templates that passes/control.c copies into the main graph.
	 * In a subgraph, `free_vals` are the values it reads from outer scopes. */
	Graph **subs;
	int nsubs;
	Value **free_vals;
	int nfree;
	Guard **guards;
	int nguards;
	/* The model's outputs as declared (sequences and optionals included);
	 * `outputs` holds the tensors they flatten to (iface_flatten). */
	Value **iface_out;
	int niface_out;
};

/* Errors. */
int ir_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int node_error(const Node *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *ir_last_error(void);
void die_at(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
#define die(...) die_at(__FILE__, __LINE__, __VA_ARGS__)

/* Allocation that dies on exhaustion (the compiler's, not the generated code's). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Element types. */
int dt_size(int dt);                 /* bytes; 0 for unsupported types */
/* A string element is a record of dt_string_bytes() bytes holding the UTF-8
 * text, NUL-terminated and zero-padded (so at most that many minus one bytes
 * of text).  The size is a compile option (--string-bytes), default 64. */
#define DT_STRING_BYTES_DEFAULT 64
#define DT_STRING_BYTES_MAX 65536
int dt_string_bytes(void);
void dt_set_string_bytes(int n);
/* Copy text of len bytes into a string record; -1 if it does not fit or
 * holds a NUL byte. */
int dt_put_string(void *rec, const char *text, size_t len);
const char *dt_name(int dt);         /* "float", "int64", ... */
const char *dt_ctype(int dt);        /* C type in generated code */
const char *dt_short(int dt);        /* kernel prefix: f32, i64, ... */
int dt_is_float(int dt);             /* float, double, float16, bfloat16 */
int dt_is_float8(int dt);            /* float8e4m3fn(uz), float8e5m2(fnuz) */
/* Bits of an element of a packed sub-byte type (4 for int4, uint4 and
 * float4e2m1, 2 for int2 and uint2), else 0.  In the IR, in constants and in
 * the generated code these hold one element per byte (see tensor.c). */
int dt_packed_bits(int dt);
int dt_is_int(int dt);               /* signed or unsigned integer */
int dt_is_signed(int dt);

/* Graph construction. */
Graph *graph_new(void);
void graph_free(Graph *g);
Value *graph_value(Graph *g, const char *name);       /* create */
Value *graph_find(Graph *g, const char *name);        /* lookup, NULL if absent */
Node *graph_node(Graph *g, const char *name, const char *op_type, const char *domain);
void node_add_input(Node *n, Value *v);
void node_add_output(Node *n, Value *v);
Attr *node_add_attr(Node *n, const char *name, int type);
/* Deep copy of attribute a onto n (a subgraph is shared, not copied). */
void node_copy_attr(Node *n, const Attr *a);
/* Drop all of n's attributes. */
void node_clear_attrs(Node *n);
void node_add_cap(Node *n, Value *v);
/* A guard owned by g: cond must be a bool scalar. */
Guard *graph_guard(Graph *g, Value *cond, Guard *up);
/* Move the nodes g->nodes[from..nnodes) to just after g->nodes[at]. */
void graph_move_tail(Graph *g, int from, int at);

/* Shapes. */
int64_t value_numel(const Value *v);
int64_t value_nbytes(const Value *v);
int value_set_shape(Value *v, int dtype, int rank, const int64_t *dims);
int value_same_shape(const Value *a, const Value *b);
char *shape_str(const Value *v, char *buf, size_t n);
int value_is_const(const Value *v);
/* Constant data as int64 / double, converting from the stored type. */
int64_t const_i64(const Value *v, int64_t i);
double const_f64(const Value *v, int64_t i);
void value_set_const(Value *v, void *data, int splat);
/* Make v a sequence of the n given tensors (copied list). */
void value_set_seq(Value *v, int dtype, Value *const *elems, int n);
/* Make v an optional holding elem (a tensor or sequence), or none if NULL. */
void value_set_opt(Value *v, int dtype, Value *elem);
/* The tensors a value stands for at the model interface: itself, a
 * sequence's elements, an optional's element (flattened) or nothing.
 * Writes at most max of them to out (if non-NULL); returns the count. */
int iface_flatten(const Value *v, Value **out, int max);

/* Attributes: lookup with defaults. */
const Attr *node_attr(const Node *n, const char *name);
int64_t attr_i(const Node *n, const char *name, int64_t def);
double attr_f(const Node *n, const char *name, double def);
const char *attr_s(const Node *n, const char *name, const char *def);
/* Integer list attribute; returns its length or -1 if absent. */
int attr_ints(const Node *n, const char *name, const int64_t **out);
/* String list attribute; returns its length or -1 if absent. */
int attr_strings(const Node *n, const char *name, char *const **out, const size_t **lens);
/* The accessors above treat an attribute of another type as absent and
 * remember the first such one: attr_mismatch(n) reports it (-1 after
 * node_error, "attribute 'perm' is a float, expected ints") if it belongs to
 * n, else returns 0; pass_infer and pass_lower call it after each node. */
int attr_mismatch(const Node *n);
void attr_mismatch_clear(void);

/* Node inputs. */
static inline Value *node_in(const Node *n, int i) { return i < n->nin ? n->in[i] : NULL; }
static inline Value *node_out(const Node *n, int i) { return i < n->nout ? n->out[i] : NULL; }

/* Printing and checking. */
void ir_print(Graph *g, void *file);
int ir_verify(Graph *g, const char *after);

#endif
