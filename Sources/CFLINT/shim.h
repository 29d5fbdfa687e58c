// The C surface HessianRank uses from FLINT 2.9 (Debian's libflint-dev). This module provides no stable Swift API:
// only ExactAlgebra imports it. Each shim below exists because Swift cannot import the thing it wraps.
#ifndef HESSIANRANK_CFLINT_SHIM_H
#define HESSIANRANK_CFLINT_SHIM_H

#include <stdio.h>
#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpz_mat.h>
#include <flint/nmod_mat.h>
#include <flint/ulong_extras.h>

/// `FLINT_VERSION` is a string macro; Swift imports only its value through a function.
static inline const char *CFLINT_FLINT_VERSION(void) { return FLINT_VERSION; }

/// Swift 6 rejects touching the C global `stdout`. FLINT reports errors on stdout and then calls abort(), so
/// line buffering keeps both the message and any pending output when stdout is a pipe.
static inline void CFLINT_setvbuf_stdout_line(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

/// `nmod_mat_entry` is a function-like macro.
static inline mp_limb_t *CFLINT_nmod_mat_row(nmod_mat_t mat, slong i) { return mat->rows[i]; }

#endif
