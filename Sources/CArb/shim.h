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

/// A double midpoint and radius that enclose the ball x rigorously: the midpoint rounded to nearest, the radius an
/// upper bound (rounded up) of sup |x - midpoint| over the ball, so the rounding of the midpoint is inside it.
/// Non-finite when x is (or its bound overflows).
static inline void CArb_get_midrad(const arb_t x, double *mid, double *rad) {
    *mid = arf_get_d(arb_midref(x), ARF_RND_NEAR);
    arb_t shifted;
    arf_t center, bound;
    arb_init(shifted);
    arf_init(center);
    arf_init(bound);
    arf_set_d(center, *mid);
    arb_sub_arf(shifted, x, center, 128);   /* any rounding goes into the radius */
    arb_get_abs_ubound_arf(bound, shifted, 64);
    *rad = arf_get_d(bound, ARF_RND_UP);
    arf_clear(bound);
    arf_clear(center);
    arb_clear(shifted);
}

/// The ball [mid +- rad] (the radius rounded up to Arb's magnitude type).
static inline void CArb_set_midrad(arb_t x, double mid, double rad) {
    arf_set_d(arb_midref(x), mid);
    mag_set_d(arb_radref(x), rad);
}

/// Whether the ball [mid +- rad] and x overlap; computed exactly (the radius is not rounded), for tests of enclosures.
static inline int CArb_overlaps_midrad(const arb_t x, double mid, double rad) {
    arf_t center, distance, reach, radius;
    arf_init(center);
    arf_init(distance);
    arf_init(reach);
    arf_init(radius);
    arf_set_d(center, mid);
    arf_set_d(radius, rad);
    arf_sub(distance, arb_midref(x), center, ARF_PREC_EXACT, ARF_RND_DOWN);
    arf_abs(distance, distance);
    arf_set_mag(reach, arb_radref(x));
    arf_add(reach, reach, radius, ARF_PREC_EXACT, ARF_RND_DOWN);
    int result = arf_cmp(distance, reach) <= 0;
    arf_clear(radius);
    arf_clear(reach);
    arf_clear(distance);
    arf_clear(center);
    return result;
}

#endif
