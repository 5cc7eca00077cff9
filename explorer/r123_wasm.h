/* explorer/r123_wasm.h: Random123's compiler features for wasm32 (emcc).
 *
 * Random123's features/gccfeatures.h, which clangfeatures.h includes, stops
 * with #error on any architecture it has not been tested on, wasm32 among
 * them. The explorer build (scripts/build-explorer) force-includes this
 * header instead: it defines that header's include guard, so it is skipped,
 * and the feature macros it would have set, as for a 64-bit target without
 * x86 intrinsics or inline assembly. clang on wasm32 has unsigned __int128,
 * so Philox's 64x64 -> 128 bit multiply is the portable C one. The test
 * test_explorer.py checks that the streams equal the native build's. */
#ifndef IPSIM_R123_WASM_H
#define IPSIM_R123_WASM_H

#define __gccfeatures_dot_hpp
#define R123_STATIC_INLINE static __inline__
#define R123_FORCE_INLINE(decl) decl __attribute__((always_inline))
#define R123_CUDA_DEVICE
#define R123_METAL_THREAD_ADDRESS_SPACE
/* As assert(x) under NDEBUG, which both builds define. <assert.h> is not
 * included: this header comes first in every file, and a system header here
 * would fix the feature macros before the file's own _POSIX_C_SOURCE. */
#define R123_ASSERT(x) ((void)sizeof(x))
#define R123_BUILTIN_EXPECT(expr, likely) __builtin_expect(expr, likely)
#define R123_USE_AES_NI 0
#define R123_USE_SSE4_2 0
#define R123_USE_SSE4_1 0
#define R123_USE_SSE 0
#define R123_USE_AES_OPENSSL 0
#define R123_USE_GNU_UINT128 1
#define R123_USE_ASM_GNU 0
#define R123_USE_CPUID_MSVC 0
#define R123_USE_X86INTRIN_H 0
#define R123_USE_IA32INTRIN_H 0
#define R123_USE_XMMINTRIN_H 0
#define R123_USE_EMMINTRIN_H 0
#define R123_USE_SMMINTRIN_H 0
#define R123_USE_WMMINTRIN_H 0
#define R123_USE_INTRIN_H 0
#define R123_USE_MULHILO32_ASM 0
#define R123_USE_MULHILO64_MSVC_INTRIN 0
#define R123_USE_MULHILO64_CUDA_INTRIN 0
#define R123_USE_MULHILO64_OPENCL_INTRIN 0
#define R123_USE_MULHILO64_MULHI_INTRIN 0
#define R123_USE_MULHILO64_ASM 0

#endif
