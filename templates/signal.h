/* signal.h: kernel templates (see compiler/lower.h for the kernel signature). */
#ifndef ONNXCC_SIGNAL_H
#define ONNXCC_SIGNAL_H

#endif
