/* base/text.h: small helpers on names typed by people.
 *
 * The "did you mean" suggestions of ipsim (a misspelt parameter key in
 * params/schema.c, a misspelt command in sim/commands.c) measure how far
 * a typed name is from each known one with the same distance, defined
 * here once. */
#ifndef IPSIM_TEXT_H
#define IPSIM_TEXT_H

#include <stddef.h>

/* The optimal string alignment distance between a and b: the fewest
 * insertions, deletions, substitutions and swaps of two adjacent
 * characters that turn one into the other (Levenshtein plus adjacent
 * swaps, the usual model of typing mistakes). Names longer than 128
 * characters are never near anything: (size_t)-1. */
size_t ipsim_text_distance(const char *a, const char *b);

#endif
