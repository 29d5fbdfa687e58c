// The C surface HessianRank uses from LAPACKE (Debian's liblapacke-dev, LAPACK from OpenBLAS). This module provides
// no stable Swift API: only NumericalAlgebra (spectra) and BallArithmetic (approximate inverses and pivoted QR that
// choose which minor to verify) import it.
#ifndef HESSIANRANK_CLAPACK_SHIM_H
#define HESSIANRANK_CLAPACK_SHIM_H

#include <lapacke.h>

/// `LAPACK_ROW_MAJOR` and `LAPACK_COL_MAJOR` are macros.
static inline int CLAPACK_ROW_MAJOR(void) { return LAPACK_ROW_MAJOR; }
static inline int CLAPACK_COL_MAJOR(void) { return LAPACK_COL_MAJOR; }

#endif
