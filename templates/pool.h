/* pool.h: kernel templates (see compiler/lower.h for the kernel signature). */
#ifndef ONNXCC_POOL_H
#define ONNXCC_POOL_H

#endif
