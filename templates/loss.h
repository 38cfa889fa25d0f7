/* loss.h: kernel templates (see compiler/lower.h for the kernel signature). */
#ifndef ONNXCC_LOSS_H
#define ONNXCC_LOSS_H

#endif
