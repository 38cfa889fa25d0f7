/* kernels_all.h: every kernel template, for compiling the kernels into onnxcc. */
#include "elementwise.h"
#include "movement.h"
