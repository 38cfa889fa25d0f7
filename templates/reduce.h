/* reduce.h: kernel templates (see compiler/lower.h for the kernel signature). */
#ifndef ONNXCC_REDUCE_H
#define ONNXCC_REDUCE_H

#endif
