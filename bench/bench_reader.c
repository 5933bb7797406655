/*
 * bench/bench_reader.c - throughput of the CSV reader alone (stage 1).
 *
 *   bench_reader FILE|-
 *
 * Reads every record of FILE (plain or gzip) and prints one line:
 *   bench_reader file=X gzip=0|1 rows=N bad=N bytes=N seconds=S rows_per_s=R mb_per_s=M
 * where rows counts records after the header, bad those with a status other
 * than CL_REC_OK, bytes the decompressed input, and MB/s is 10^6 decompressed
 * bytes per second. Exit status 0, or 1 when the input cannot be read.
 */
#include "crdbload/crdbload.h"
#include "reader.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_reader FILE|-\n");
        return 2;
    }

    char err[256];
    cl_reader *r;
    cl_record rec;
    uint64_t records = 0, bad = 0, field_bytes = 0;
    double t0 = now();
    int rc = cl_reader_open(&r, argv[1], NULL, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "bench_reader: %s\n", err);
        return 1;
    }
    while ((rc = cl_reader_next(r, &rec)) == 1) {
        records++;
        bad += rec.status != CL_REC_OK;
        /* Touch the fields as a consumer would, so nothing is optimised away. */
        for (size_t i = 0; i < rec.nfields; i++)
            field_bytes += rec.fields[i].len;
    }
    double secs = now() - t0;
    if (rc < 0) {
        fprintf(stderr, "bench_reader: %s\n", cl_reader_error(r));
        cl_reader_close(r);
        return 1;
    }
    uint64_t bytes = cl_reader_data_pos(r);
    uint64_t rows = records ? records - 1 : 0;
    printf("bench_reader file=%s gzip=%d rows=%" PRIu64 " bad=%" PRIu64
           " bytes=%" PRIu64 " seconds=%.3f rows_per_s=%.0f mb_per_s=%.1f\n",
           argv[1], cl_reader_is_gzip(r) ? 1 : 0, rows, bad, bytes, secs,
           secs > 0 ? (double)rows / secs : 0.0,
           secs > 0 ? (double)bytes / 1e6 / secs : 0.0);
    (void)field_bytes;
    cl_reader_close(r);
    return 0;
}
