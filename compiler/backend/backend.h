/* backend.h: what a backend is.  The driver picks one and calls emit; it does
 * not know which one runs (QBE's Target). */
#ifndef ONNXCC_BACKEND_H
#define ONNXCC_BACKEND_H

#include <stdio.h>

#include "ir.h"

typedef struct EmitOptions {
	const char *name;        /* symbol prefix, a C identifier */
	const char *header_name; /* file name the source includes: "model.h" */
	const char *model_path;  /* for the banner */
} EmitOptions;

typedef struct Backend {
	const char *name;
	/* Write the model's implementation (C source, object, ...) to out. */
	int (*emit)(Graph *g, const EmitOptions *o, FILE *out);
} Backend;

extern const Backend backend_c;

/* The header both backends share: entry points, arena macros, metadata. */
int emit_header(Graph *g, const EmitOptions *o, FILE *out);
/* "int NAME_run(inputs..., outputs..., void *arena)", without the semicolon. */
void emit_run_prototype(FILE *out, const Graph *g, const char *name);
/* C identifier for a graph input or output parameter ("in_x", "out_y"). */
void emit_param_name(const Graph *g, const Value *v, char *buf, size_t n);

#endif
