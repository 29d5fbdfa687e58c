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
/// Whether the midpoint is exactly the double d (then rounding it to a double lost nothing).
static inline int CArb_mid_equals(const arb_t x, double d) { return arf_equal_d(arb_midref(x), d); }

/// The midpoint arithmetic of the pivoting pass: drop a ball's radius (keep its midpoint), compare midpoints in
/// absolute value, and the binary exponent e of a nonzero midpoint (its magnitude lies in [2^(e-1), 2^e)).
static inline void CArb_drop_radius(arb_t x) { mag_zero(arb_radref(x)); }
static inline int CArb_cmpabs_mid(const arb_t x, const arb_t y) { return arf_cmpabs(arb_midref(x), arb_midref(y)); }
static inline int CArb_mid_is_zero(const arb_t x) { return arf_is_zero(arb_midref(x)); }
static inline slong CArb_mid_exponent(const arb_t x) { return fmpz_get_si(ARF_EXPREF(arb_midref(x))); }

#endif
