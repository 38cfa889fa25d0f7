/* attention.h: kernel templates (see compiler/lower.h for the kernel signature). */
#ifndef ONNXCC_ATTENTION_H
#define ONNXCC_ATTENTION_H

#endif
