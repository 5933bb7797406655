/*
 * lib/src/batch.c - the batcher: the batch of rows bound for one statement
 * (the statement: plan.c; its parameters: bind.c).
 *
 * DESIGN. A cl_batch keeps every field of its records in one growable
 * arena. Rows refer to their fields by offset, never by pointer, since the
 * arena moves when it grows. A record's fields are copied contiguously,
 * NUL-terminated, into a span of the arena; a NULL field takes no space. An
 * open-addressing index (linear probing, row number + 1, 0 = empty) on the
 * key hash finds a row with the same key: the newer record then takes over
 * that row, in its span when it fits, else in a fresh span at the end of the
 * arena. Spans left behind are counted as garbage and squeezed out when they
 * outweigh the live data, so memory stays bounded however many duplicates
 * arrive. Rows whose key has a NULL are never merged: NULLs are distinct to
 * a unique index, so such rows cannot conflict with each other.
 */
#include "batch.h"

#include <stdlib.h>
#include <string.h>

#include "crdbload/crdbload.h"
#include "util.h"

/* ------------------------------------------------------------------------ */
/* The key hash.                                                             */

#define H_P1 0x9E3779B97F4A7C15ULL
#define H_P2 0xC2B2AE3D27D4EB4FULL

static inline uint64_t
rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static inline uint64_t
hmix(uint64_t h, uint64_t v)
{
    h ^= rotl64(v * H_P2, 31) * H_P1;
    return rotl64(h, 27) * H_P1 + 0x52dce729;
}

/* Little-endian load of n <= 8 bytes, so the hash is the same on every host. */
static inline uint64_t
load_le(const unsigned char *p, size_t n)
{
    uint64_t v = 0;

    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

uint64_t
cl_key_hash(const cl_field *fields, const size_t *key_fields, size_t nkeys)
{
    uint64_t h = 0x27D4EB2F165667C5ULL;

    for (size_t k = 0; k < nkeys; k++) {
        const cl_field *f = &fields[key_fields[k]];
        const unsigned char *p = (const unsigned char *)f->data;
        size_t n = f->len;

        /* The length goes first: it separates fields (("ab","c") is not
         * ("a","bc")) and, as all ones, marks a NULL apart from "". */
        if (!p) {
            h = hmix(h, UINT64_MAX);
            continue;
        }
        h = hmix(h, (uint64_t)n);
        for (; n >= 8; p += 8, n -= 8)
            h = hmix(h, load_le(p, 8));
        if (n)
            h = hmix(h, load_le(p, n));
    }
    /* Final avalanche (murmur3's fmix64): every input bit reaches the low
     * bits, which pick the worker and the index bucket. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* ------------------------------------------------------------------------ */
/* The batch.                                                                */

#define NULL_OFF SIZE_MAX /* cell.off of a SQL NULL */

typedef struct cell {
    size_t off; /* into the arena, or NULL_OFF */
    size_t len;
} cell;

typedef struct rowinfo {
    size_t start; /* the row's span in the arena */
    size_t span;  /* bytes reserved there (>= used) */
    size_t used;  /* bytes its fields take, terminators included */
    size_t bytes; /* field bytes, terminators not included */
    uint64_t line;
    uint64_t hash;
} rowinfo;

struct cl_batch {
    size_t nfields;
    size_t nkeys;
    size_t *key_fields;
    size_t max_rows;  /* 0: no cap */
    size_t max_bytes; /* 0: no cap */

    char *arena;
    size_t alen, acap;
    size_t garbage; /* arena bytes no row refers to */

    cell *cells; /* rowcap x nfields */
    rowinfo *rows;
    size_t nrows, rowcap;

    size_t *index; /* icap buckets: row + 1, 0 empty; icap a power of 2 */
    size_t icap;

    size_t bytes;
    uint64_t seq; /* the first record's (ledger.h) */
};

cl_batch *
cl_batch_new(size_t nfields, const size_t *key_fields, size_t nkeys, size_t max_rows,
             size_t max_bytes)
{
    cl_batch *b;

    for (size_t k = 0; k < nkeys; k++)
        if (key_fields[k] >= nfields)
            return NULL;
    b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->nfields = nfields;
    b->nkeys = nkeys;
    b->max_rows = max_rows;
    b->max_bytes = max_bytes;
    if (nkeys) {
        b->key_fields = malloc(nkeys * sizeof *b->key_fields);
        if (!b->key_fields) {
            free(b);
            return NULL;
        }
        memcpy(b->key_fields, key_fields, nkeys * sizeof *key_fields);
    }
    return b;
}

void
cl_batch_free(cl_batch *b)
{
    if (!b)
        return;
    free(b->key_fields);
    free(b->arena);
    free(b->cells);
    free(b->rows);
    free(b->index);
    free(b);
}

void
cl_batch_reset(cl_batch *b)
{
    b->alen = b->garbage = 0;
    b->nrows = b->bytes = 0;
    b->seq = 0;
    if (b->index)
        memset(b->index, 0, b->icap * sizeof *b->index);
}

void
cl_batch_set_seq(cl_batch *b, uint64_t seq)
{
    b->seq = seq;
}

uint64_t
cl_batch_seq(const cl_batch *b)
{
    return b->seq;
}

size_t
cl_batch_rows(const cl_batch *b)
{
    return b->nrows;
}

size_t
cl_batch_bytes(const cl_batch *b)
{
    return b->bytes;
}

size_t
cl_batch_nfields(const cl_batch *b)
{
    return b->nfields;
}

/* What a record counts for in cl_batch_bytes(): its field bytes, no
 * terminators (NULLs: none). */
static size_t
counted_bytes(const cl_batch *b, const cl_field *fields)
{
    size_t n = 0;

    for (size_t f = 0; f < b->nfields; f++)
        if (fields[f].data)
            n += fields[f].len;
    return n;
}

bool
cl_batch_full_for(const cl_batch *b, const cl_field *fields)
{
    return cl_batch_full(b, counted_bytes(b, fields));
}

bool
cl_batch_full(const cl_batch *b, size_t record_bytes)
{
    if (b->nrows == 0)
        return false;
    if (b->max_rows && b->nrows >= b->max_rows)
        return true;
    return b->max_bytes && b->bytes + record_bytes > b->max_bytes;
}

const char *
cl_batch_value(const cl_batch *b, size_t row, size_t field, size_t *len)
{
    const cell *s;

    if (row >= b->nrows || field >= b->nfields) {
        if (len)
            *len = 0;
        return NULL;
    }
    s = &b->cells[row * b->nfields + field];
    if (len)
        *len = s->off == NULL_OFF ? 0 : s->len;
    return s->off == NULL_OFF ? NULL : b->arena + s->off;
}

uint64_t
cl_batch_line(const cl_batch *b, size_t row)
{
    return row < b->nrows ? b->rows[row].line : 0;
}

/* The row holding the same key as fields (hash h), or SIZE_MAX; *pos is the
 * index bucket where it is, or the empty one where it would go. */
static size_t
index_find(const cl_batch *b, const cl_field *fields, uint64_t h, size_t *pos)
{
    size_t mask = b->icap - 1, i = (size_t)h & mask;

    for (; b->index[i]; i = (i + 1) & mask) {
        size_t r = b->index[i] - 1;
        const cell *s = &b->cells[r * b->nfields];
        size_t k = 0;

        if (b->rows[r].hash != h)
            continue;
        while (k < b->nkeys) {
            const cl_field *f = &fields[b->key_fields[k]];
            const cell *sk = &s[b->key_fields[k]];

            if (sk->len != f->len || memcmp(b->arena + sk->off, f->data, f->len) != 0)
                break;
            k++;
        }
        if (k == b->nkeys) {
            *pos = i;
            return r;
        }
    }
    *pos = i;
    return SIZE_MAX;
}

/* Room in the index for one more row: at most half full. */
static int
index_reserve(cl_batch *b)
{
    size_t cap, *idx;

    if ((b->nrows + 1) * 2 <= b->icap)
        return 0;
    cap = b->icap ? b->icap * 2 : 64;
    idx = calloc(cap, sizeof *idx);
    if (!idx)
        return CL_ENOMEM;
    for (size_t i = 0; i < b->icap; i++) {
        size_t r, j;

        if (!b->index[i])
            continue;
        r = b->index[i] - 1;
        for (j = (size_t)b->rows[r].hash & (cap - 1); idx[j]; j = (j + 1) & (cap - 1))
            ;
        idx[j] = b->index[i];
    }
    free(b->index);
    b->index = idx;
    b->icap = cap;
    return 0;
}

/* Room for one more row in cells and rows. */
static int
rows_reserve(cl_batch *b)
{
    size_t cap = b->rowcap, rcap = b->rowcap;
    cell *s;
    rowinfo *ri;

    if (b->nrows < b->rowcap)
        return 0;
    s = cl_grow(b->cells, &cap, b->nrows + 1, (b->nfields ? b->nfields : 1) * sizeof *s,
                64);
    if (!s)
        return CL_ENOMEM;
    b->cells = s;
    ri = cl_grow(b->rows, &rcap, b->nrows + 1, sizeof *ri, 64);
    if (!ri)
        return CL_ENOMEM; /* cells grew, harmless: rowcap says what both hold */
    b->rows = ri;
    b->rowcap = cap;
    return 0;
}

/* Squeeze out the garbage into a fresh arena. Best effort: on OOM the arena
 * stays as it is, still valid. */
static void
arena_compact(cl_batch *b)
{
    char *a = malloc(b->acap);
    size_t w = 0;

    if (!a)
        return;
    for (size_t r = 0; r < b->nrows; r++) {
        rowinfo *ri = &b->rows[r];
        cell *s = &b->cells[r * b->nfields];

        memcpy(a + w, b->arena + ri->start, ri->used);
        for (size_t f = 0; f < b->nfields; f++)
            if (s[f].off != NULL_OFF)
                s[f].off = s[f].off - ri->start + w;
        ri->start = w;
        ri->span = ri->used;
        w += ri->used;
    }
    free(b->arena);
    b->arena = a;
    b->alen = w;
    b->garbage = 0;
}

/* Room for need more bytes at the end of the arena. */
static int
arena_reserve(cl_batch *b, size_t need)
{
    char *a;

    if (b->alen + need <= b->acap)
        return 0;
    /* Replaced rows leave garbage; reclaim it before it outweighs live data. */
    if (b->garbage && b->garbage >= b->alen / 2) {
        arena_compact(b);
        if (b->alen + need <= b->acap)
            return 0;
    }
    a = cl_grow(b->arena, &b->acap, b->alen + need, 1, 4096);
    if (!a)
        return CL_ENOMEM;
    b->arena = a;
    return 0;
}

/* Copy the fields into the arena at start and point row r at them. */
static void
store(cl_batch *b, size_t r, size_t start, const cl_field *fields)
{
    cell *s = &b->cells[r * b->nfields];
    size_t w = start;

    for (size_t f = 0; f < b->nfields; f++) {
        if (!fields[f].data) {
            s[f].off = NULL_OFF;
            s[f].len = 0;
            continue;
        }
        memcpy(b->arena + w, fields[f].data, fields[f].len);
        b->arena[w + fields[f].len] = '\0';
        s[f].off = w;
        s[f].len = fields[f].len;
        w += fields[f].len + 1;
    }
    b->rows[r].used = w - start;
    b->rows[r].bytes = counted_bytes(b, fields);
}

/* Row r, holding the same key, takes the record over: in its span when it
 * fits, else in a fresh one of need bytes at the end of the arena. 1, or
 * CL_ENOMEM with the batch unchanged. */
static int
replace_row(cl_batch *b, size_t r, const cl_field *fields, uint64_t line, size_t need)
{
    rowinfo *ri = &b->rows[r];
    size_t old_bytes = ri->bytes;

    if (need > ri->span) {
        if (arena_reserve(b, need) != 0)
            return CL_ENOMEM;
        b->garbage += ri->span;
        ri->start = b->alen;
        ri->span = need;
        b->alen += need;
    } else {
        b->garbage += ri->span - need;
        ri->span = need;
    }
    store(b, r, ri->start, fields);
    ri->line = line;
    b->bytes = b->bytes - old_bytes + ri->bytes;
    return 1;
}

/* A new row for the record, its fields in need bytes at the end of the
 * arena, in the index when keyed. Everything is reserved first, so that a
 * failure leaves the batch as it was. 0 or CL_ENOMEM. */
static int
append_row(cl_batch *b, const cl_field *fields, uint64_t line, uint64_t h, size_t need,
           bool keyed)
{
    size_t r = b->nrows, pos;

    if (rows_reserve(b) != 0 || (keyed && index_reserve(b) != 0) ||
        arena_reserve(b, need) != 0)
        return CL_ENOMEM;
    b->rows[r].start = b->alen;
    b->rows[r].span = need;
    b->rows[r].line = line;
    b->rows[r].hash = h;
    store(b, r, b->alen, fields);
    b->alen += need;
    b->bytes += b->rows[r].bytes;
    if (keyed) {
        /* The index may have grown since the lookup: probe again. */
        index_find(b, fields, h, &pos);
        b->index[pos] = r + 1;
    }
    b->nrows++;
    return 0;
}

int
cl_batch_add_hashed(cl_batch *b, const cl_field *fields, uint64_t line, uint64_t h)
{
    size_t need = 0, r = SIZE_MAX, pos = 0;
    bool keyed = b->nkeys > 0; /* and no key field NULL: such rows never merge */

    for (size_t f = 0; f < b->nfields; f++)
        if (fields[f].data)
            need += fields[f].len + 1;
    for (size_t k = 0; k < b->nkeys; k++)
        keyed = keyed && fields[b->key_fields[k]].data != NULL;
    if (keyed && b->icap)
        r = index_find(b, fields, h, &pos);
    if (r != SIZE_MAX)
        return replace_row(b, r, fields, line, need);
    return append_row(b, fields, line, h, need, keyed);
}
