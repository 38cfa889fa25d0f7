/* normalization.h: kernel templates (see compiler/lower.h for the kernel signature). */
#ifndef ONNXCC_NORMALIZATION_H
#define ONNXCC_NORMALIZATION_H

#endif
