/* resize.h: kernel templates (see compiler/lower.h for the kernel signature). */
#ifndef ONNXCC_RESIZE_H
#define ONNXCC_RESIZE_H

#endif
