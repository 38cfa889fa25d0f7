/* linalg.h: kernel templates (see compiler/lower.h for the kernel signature). */
#ifndef ONNXCC_LINALG_H
#define ONNXCC_LINALG_H

#endif
