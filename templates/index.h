/* index.h: kernel templates (see compiler/lower.h for the kernel signature). */
#ifndef ONNXCC_INDEX_H
#define ONNXCC_INDEX_H

#endif
