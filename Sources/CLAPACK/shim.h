// The C surface HessianRank uses from LAPACKE (Debian's liblapacke-dev, LAPACK from OpenBLAS). This module provides
// no stable Swift API: only NumericalAlgebra imports it.
#ifndef HESSIANRANK_CLAPACK_SHIM_H
#define HESSIANRANK_CLAPACK_SHIM_H

#include <lapacke.h>

/// `LAPACK_ROW_MAJOR` is a macro.
static inline int CLAPACK_ROW_MAJOR(void) { return LAPACK_ROW_MAJOR; }

#endif
