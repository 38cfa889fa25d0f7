/* softmax.h: kernel templates (see compiler/lower.h for the kernel signature). */
#ifndef ONNXCC_SOFTMAX_H
#define ONNXCC_SOFTMAX_H

#endif
