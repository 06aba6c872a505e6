/* bc7_internal.h - what the files of src/bc7 share and nothing outside uses: the C/GLSL tables and mode descriptors. */
#ifndef TT_BC7_INTERNAL_H
#define TT_BC7_INTERNAL_H

#include "bc7/tt_bc7.h"
#include "bc7_tables.h" /* shaders/: partitions, anchors, weights, the mode table */

#endif
