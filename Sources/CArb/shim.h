// The C surface HessianRank uses from Arb 2.23 (Debian's libflint-arb-dev: FLINT's ball arithmetic, headers at the top
// of the include path, library `flint-arb`). This module provides no stable Swift API: only BallArithmetic imports
// it. Each shim below exists because Swift cannot import the thing it wraps.
#ifndef HESSIANRANK_CARB_SHIM_H
#define HESSIANRANK_CARB_SHIM_H

#include <arb.h>
#include <arb_mat.h>

/// `arb_midref` and `arb_radref` are macros: the midpoint as a double (nearest) and the radius as an upper bound.
static inline double CArb_midpoint(const arb_t x) { return arf_get_d(arb_midref(x), ARF_RND_NEAR); }
static inline double CArb_radius(const arb_t x) { return mag_get_d(arb_radref(x)); }

#endif
