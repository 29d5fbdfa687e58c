// The C surface HessianRank uses from CBLAS (Debian's libopenblas-dev): only `cblas_dgemm`, the trailing updates of
// the modular elimination over doubles and the products of magnitude bounds and of plain float64 matrices
// (ExactAlgebra), and the midpoint-radius matrix products (BallArithmetic). This
// module provides no stable Swift API: only ExactAlgebra and BallArithmetic import it.
#ifndef HESSIANRANK_CBLAS_SHIM_H
#define HESSIANRANK_CBLAS_SHIM_H

#include <cblas.h>

#endif
