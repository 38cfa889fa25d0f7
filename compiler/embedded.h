/* embedded.h: template files compiled into onnxcc as text (tools/embed.c). */
#ifndef ONNXCC_EMBEDDED_H
#define ONNXCC_EMBEDDED_H

typedef struct EmbeddedFile {
	const char *name, *text;
} EmbeddedFile;

/* Terminated by a {0, 0} entry. */
extern const EmbeddedFile embedded_files[];

#endif
