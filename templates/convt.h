/* convt.h: kernel templates (see compiler/lower.h for the kernel signature). */
#ifndef ONNXCC_CONVT_H
#define ONNXCC_CONVT_H

#endif
