/* cast.h: kernel templates (see compiler/lower.h for the kernel signature). */
#ifndef ONNXCC_CAST_H
#define ONNXCC_CAST_H

#endif
