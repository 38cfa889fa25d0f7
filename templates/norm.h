/* norm.h: kernel templates (see compiler/lower.h for the kernel signature). */
#ifndef ONNXCC_NORM_H
#define ONNXCC_NORM_H

#endif
