/* quant.h: kernel templates (see compiler/lower.h for the kernel signature). */
#ifndef ONNXCC_QUANT_H
#define ONNXCC_QUANT_H

#endif
