/* topk.h: kernel templates (see compiler/lower.h for the kernel signature). */
#ifndef ONNXCC_TOPK_H
#define ONNXCC_TOPK_H

#endif
