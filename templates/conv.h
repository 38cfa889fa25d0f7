/* conv.h: kernel templates (see compiler/lower.h for the kernel signature). */
#ifndef ONNXCC_CONV_H
#define ONNXCC_CONV_H

#endif
