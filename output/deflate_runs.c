/* output/deflate_runs.c: see deflate_runs.h. The format is RFC 1951's
 * (deflate) inside RFC 1950's wrapper (zlib); the section numbers below are
 * RFC 1951's. */
#include "output/deflate_runs.h"

#include <stdint.h>
#include <string.h>

#include <libdeflate.h>

/* Deflate's longest match (3.2.5). */
#define MAX_MATCH 258

size_t ipsim_deflate_runs_bound(size_t bytes)
{
    /* At most 9 bits a byte (a literal above 143; a match of 3 to 114
     * bytes takes at most 17 bits, a longer one at most 19), then the
     * block's 3 header and 7 end bits,
     * the zlib header and checksum and the bit writer's last flush. */
    return bytes + bytes / 8 + 32;
}

/* Bits go into the stream least significant first (3.1.1). */
typedef struct bit_writer {
    unsigned char *out;
    uint64_t bits;
    unsigned count; /* below 32 between calls */
} bit_writer;

static inline void put_bits(bit_writer *w, uint32_t value, unsigned n)
{
    w->bits |= (uint64_t)value << w->count;
    w->count += n;
    if (w->count >= 32) {
        const uint32_t word = (uint32_t)w->bits;
        w->out[0] = (unsigned char)word;
        w->out[1] = (unsigned char)(word >> 8);
        w->out[2] = (unsigned char)(word >> 16);
        w->out[3] = (unsigned char)(word >> 24);
        w->out += 4;
        w->bits >>= 32;
        w->count -= 32;
    }
}

/* Huffman codes are sent most significant bit first (3.1.1), so the
 * writer, which sends the least significant first, takes them reversed. */
static uint32_t reversed(uint32_t code, unsigned n)
{
    uint32_t r = 0;
    for (unsigned i = 0; i < n; i++)
        r |= ((code >> i) & 1u) << (n - 1 - i);
    return r;
}

/* The fixed literal/length code (3.2.6), reversed for the writer. */
typedef struct fixed_codes {
    uint16_t code[286];
    uint8_t bits[286];
} fixed_codes;

static void make_fixed_codes(fixed_codes *t)
{
    for (unsigned s = 0; s < 286; s++) {
        uint32_t code;
        unsigned n;
        if (s < 144)
            code = 0x30 + s, n = 8;
        else if (s < 256)
            code = 0x190 + (s - 144), n = 9;
        else if (s < 280)
            code = s - 256, n = 7;
        else
            code = 0xC0 + (s - 280), n = 8;
        t->code[s] = (uint16_t)reversed(code, n);
        t->bits[s] = (uint8_t)n;
    }
}

/* A match of `length` (3..258) bytes at the distance whose code and extra
 * bits are given (3.2.5). */
static inline void put_match(bit_writer *w, const fixed_codes *t, unsigned length,
                             uint32_t distance_code, uint32_t distance_extra,
                             unsigned distance_extra_bits)
{
    unsigned symbol, extra_bits = 0;
    uint32_t extra = 0;
    if (length == MAX_MATCH) {
        symbol = 285;
    } else {
        const unsigned x = length - 3; /* 0 .. 254 */
        if (x < 8) {
            symbol = 257 + x;
        } else {
            /* Codes 265 on come in fours, each four with one more extra bit. */
            unsigned top = 31u - (unsigned)__builtin_clz(x); /* 3 .. 7 */
            extra_bits = top - 2;
            symbol = 257 + 4 * (extra_bits + 1) + ((x >> extra_bits) - 4);
            extra = x & ((1u << extra_bits) - 1);
        }
    }
    put_bits(w, t->code[symbol], t->bits[symbol]);
    if (extra_bits)
        put_bits(w, extra, extra_bits);
    put_bits(w, distance_code, 5);
    if (distance_extra_bits)
        put_bits(w, distance_extra, distance_extra_bits);
}

/* How many bytes from p on equal the byte `distance` before each: eight at
 * a time while they can be read. */
static inline size_t repeat_length(const unsigned char *in, size_t p, size_t n, size_t distance)
{
    size_t k = 0;
    while (p + k + 8 <= n) {
        uint64_t a, b;
        memcpy(&a, in + p + k, 8);
        memcpy(&b, in + p + k - distance, 8);
        const uint64_t differ = a ^ b;
        if (differ) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            return k + (size_t)(__builtin_clzll(differ) >> 3);
#else
            return k + (size_t)(__builtin_ctzll(differ) >> 3);
#endif
        }
        k += 8;
    }
    while (p + k < n && in[p + k] == in[p + k - distance])
        k++;
    return k;
}

size_t ipsim_deflate_runs(const unsigned char *in, size_t bytes, size_t element_size,
                          unsigned char *out, size_t capacity)
{
    /* The distance's code (5 bits, fixed: 3.2.6) and extra bits (3.2.5). */
    uint32_t distance_code, distance_extra = 0;
    unsigned distance_extra_bits = 0;
    switch (element_size) {
    case 1: distance_code = 0; break;
    case 2: distance_code = 1; break;
    case 4: distance_code = 3; break;
    case 8: distance_code = 5, distance_extra = 1, distance_extra_bits = 1; break; /* 7-8 */
    default: return 0;
    }
    if (capacity < ipsim_deflate_runs_bound(bytes))
        return 0;
    distance_code = reversed(distance_code, 5);
    fixed_codes t;
    make_fixed_codes(&t);

    /* zlib header (RFC 1950): deflate with a 32 KiB window, "fastest"
     * compression, and the check bits that make it a multiple of 31. */
    out[0] = 0x78;
    out[1] = 0x01;
    bit_writer w = {.out = out + 2, .bits = 0, .count = 0};
    put_bits(&w, 1, 1); /* BFINAL: the only block */
    put_bits(&w, 1, 2); /* BTYPE 01: fixed Huffman codes */
    size_t p = 0;
    while (p < bytes) {
        size_t run = p >= element_size ? repeat_length(in, p, bytes, element_size) : 0;
        if (run < 3) {
            put_bits(&w, t.code[in[p]], t.bits[in[p]]);
            p++;
            continue;
        }
        /* Matches of up to 258 bytes; none shorter than 3, so the one
         * before the last leaves at least 3 for it. */
        while (run > 0) {
            size_t m = run;
            if (run > MAX_MATCH)
                m = run - MAX_MATCH >= 3 ? MAX_MATCH : run - 3;
            put_match(&w, &t, (unsigned)m, distance_code, distance_extra, distance_extra_bits);
            p += m;
            run -= m;
        }
    }
    put_bits(&w, t.code[256], t.bits[256]); /* end of block */
    /* The last bits, padded to a byte. */
    unsigned char *end = w.out;
    for (unsigned b = 0; b < w.count; b += 8)
        *end++ = (unsigned char)(w.bits >> b);
    /* Adler-32 of the input, most significant byte first (RFC 1950). */
    const uint32_t adler = libdeflate_adler32(1, in, bytes);
    end[0] = (unsigned char)(adler >> 24);
    end[1] = (unsigned char)(adler >> 16);
    end[2] = (unsigned char)(adler >> 8);
    end[3] = (unsigned char)adler;
    return (size_t)(end + 4 - out);
}
