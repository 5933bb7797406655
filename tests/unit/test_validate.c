/*
 * tests/unit/test_validate.c - cl_validate_value(): what each column type
 * refuses, and, as much, what it must let through to the server.
 */
#include <stdbool.h>
#include <string.h>

#include "validate.h"
#include "testutil.h"

static cl_column
col(const char *name, const char *type, cl_type_kind kind)
{
    cl_column c;

    memset(&c, 0, sizeof c);
    c.name = (char *)name;
    c.type_name = (char *)type;
    c.kind = kind;
    c.precision = c.scale = c.max_chars = -1;
    return c;
}

static char why[256];

static int
check(const cl_column *c, const char *v)
{
    why[0] = '\0';
    return cl_validate_value(c, v, v ? strlen(v) : 0, why, sizeof why);
}

/* Each value of the list must pass (ok) or be refused (!ok). */
static void
expect(const cl_column *c, bool ok, const char *const *values)
{
    for (; *values; values++) {
        int rc = check(c, *values);

        if (ok ? rc != 0 : rc != -1)
            fprintf(stderr, "  %s \"%s\": expected %s, got %d (%s)\n", c->type_name,
                    *values, ok ? "accepted" : "refused", rc, why);
        CHECK(ok ? rc == 0 : rc == -1);
    }
}

#define ACCEPT(c, ...) expect((c), true, (const char *const[]){__VA_ARGS__, NULL})
#define REFUSE(c, ...) expect((c), false, (const char *const[]){__VA_ARGS__, NULL})

static void
test_null(void)
{
    cl_column c = col("sku", "text", CL_TYPE_TEXT);

    CHECK_EQ_INT(check(&c, NULL), 0);
    c.not_null = true;
    CHECK_EQ_INT(check(&c, NULL), -1);
    CHECK_EQ_STR(why, "null value in column \"sku\" violates not-null constraint");
    /* A default does not help an explicit NULL. */
    c.has_default = true;
    CHECK_EQ_INT(check(&c, NULL), -1);
    CHECK_EQ_INT(check(&c, ""), 0);

    c = col("stock", "integer", CL_TYPE_INT4);
    CHECK_EQ_INT(check(&c, NULL), 0);
}

static void
test_integers(void)
{
    cl_column i2 = col("a", "smallint", CL_TYPE_INT2);
    cl_column i4 = col("stock", "integer", CL_TYPE_INT4);
    cl_column i8 = col("c", "bigint", CL_TYPE_INT8);

    ACCEPT(&i4, "0", "42", "-0", "+12", " 12 ", "\t7\n", "007", "2147483647",
           "-2147483648", "0x7FFFFFFF", "-0x80000000", "0o17", "0b101", "1_000_000");
    REFUSE(&i4, "", " ", "-", "+", "12a", "1.0", "1e3", "1 2", "0x", "0x80000000", "1_",
           "1__0", "2147483648", "-2147483649", "99999999999", "--1", "١٢");
    CHECK_EQ_INT(check(&i4, "99999999999"), -1);
    CHECK_EQ_STR(why, "value \"99999999999\" is out of range for type integer");
    CHECK_EQ_INT(check(&i4, "12a"), -1);
    CHECK_EQ_STR(why, "invalid input syntax for type integer: \"12a\"");

    ACCEPT(&i2, "32767", "-32768", " -1 ");
    REFUSE(&i2, "32768", "-32769", "65535");
    CHECK_EQ_INT(check(&i2, "32768"), -1);
    CHECK_EQ_STR(why, "value \"32768\" is out of range for type smallint");

    ACCEPT(&i8, "9223372036854775807", "-9223372036854775808",
           "0000000000000000000000001");
    REFUSE(&i8, "9223372036854775808", "-9223372036854775809", "18446744073709551615",
           "18446744073709551616", "99999999999999999999999999");
    CHECK_EQ_INT(check(&i8, "x1"), -1);
    CHECK_EQ_STR(why, "invalid input syntax for type bigint: \"x1\"");
}

static void
test_numeric(void)
{
    cl_column n = col("price", "numeric(10,2)", CL_TYPE_NUMERIC);
    cl_column any = col("x", "numeric", CL_TYPE_NUMERIC);
    cl_column tiny = col("x", "numeric(3,5)", CL_TYPE_NUMERIC);
    cl_column neg = col("x", "numeric(2,-3)", CL_TYPE_NUMERIC);

    n.precision = 10;
    n.scale = 2;
    ACCEPT(&n, "0", "99999999.99", "-99999999.99", "12.5", " 12.5 ", ".5", "5.", "+1",
           "0000000000001.5", "0.000001", "1e7", "1E+7", "0.5e8", "123456789e-3",
           "99999999.999" /* rounds to 100000000.00: the server's call */, "NaN", "nan",
           "Infinity", "-Infinity", "inf", "0x10", "1_000.5", "0.00000000000000000000",
           "00000000000099999999");
    REFUSE(&n, "100000000", "123456789.00", "-100000000", "1e8", "0.5e9", "1e1000",
           "abc", "", ".", "1e", "1e+", "1.2.3", "+-1", "1,5", "1 000", "e5", "12-");
    CHECK_EQ_INT(check(&n, "123456789.00"), -1);
    CHECK_EQ_STR(why,
                 "numeric field overflow: \"123456789.00\" does not fit numeric(10,2) "
                 "(its absolute value must be less than 10^8)");
    CHECK_EQ_INT(check(&n, "12,5"), -1);
    CHECK_EQ_STR(why, "invalid input syntax for type numeric: \"12,5\"");

    ACCEPT(&any, "123456789012345678901234567890.123456789", "1e100", "-0.0");
    REFUSE(&any, "1..2", "one");

    tiny.precision = 3;
    tiny.scale = 5;
    ACCEPT(&tiny, "0.00999", "0.001", "0", "-0.009");
    REFUSE(&tiny, "0.01", "1");

    neg.precision = 2;
    neg.scale = -3;
    ACCEPT(&neg, "12345", "99499");
    REFUSE(&neg, "123456");
}

static void
test_float(void)
{
    cl_column d = col("x", "double precision", CL_TYPE_FLOAT);
    cl_column r = col("x", "real", CL_TYPE_FLOAT);
    char longv[400];

    ACCEPT(&d, "1.5", "-1e10", " 3 ", "NaN", "Infinity", "-inf", ".5", "1e308", "0x1p3",
           "1e-400" /* underflow: CockroachDB takes it */);
    REFUSE(&d, "", "abc", "1.5x", "1,5", "1e400", "-1e400");
    CHECK_EQ_INT(check(&d, "1e400"), -1);
    CHECK_EQ_STR(why, "\"1e400\" is out of range for type double precision");
    CHECK_EQ_INT(check(&r, "x"), -1);
    CHECK_EQ_STR(why, "invalid input syntax for type real: \"x\"");

    /* Longer than the stack copy: strtod reads the value in place. */
    memset(longv, '0', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    longv[0] = '1';
    longv[1] = '.';
    CHECK_EQ_INT(check(&d, longv), 0);
    longv[300] = 'x';
    CHECK_EQ_INT(check(&d, longv), -1);
}

static void
test_bool(void)
{
    cl_column b = col("active", "boolean", CL_TYPE_BOOL);

    ACCEPT(&b, "t", "f", "true", "false", "TRUE", "False", "yes", "no", "on", "off",
           "1", "0", "tr", "tru", "fal", "y", "ye", "n", "of", "OFF", " yes ",
           "\ttrue\n", "On");
    REFUSE(&b, "", " ", "o", "maybe", "2", "truee", "yess", "11", "00", "onn", "offf",
           "-1", "t r", "nope");
    CHECK_EQ_INT(check(&b, "maybe"), -1);
    CHECK_EQ_STR(why, "invalid input syntax for type boolean: \"maybe\"");
}

static void
test_uuid(void)
{
    cl_column u = col("id", "uuid", CL_TYPE_UUID);

    ACCEPT(&u, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
           "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
           "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}", "a0eebc999c0b4ef8bb6d6bb9bd380a11",
           "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
           "{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}",
           "{a0eebc999c0b4ef8bb6d6bb9bd380a11}",
           "urn:uuid:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    REFUSE(
        &u, "", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111", "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11-", "a0e-ebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "{a0eebc999c0b4ef8bb6d6bb9bd380a11", "a0eebc999c0b4ef8bb6d6bb9bd380a11}",
        " a0eebc999c0b4ef8bb6d6bb9bd380a11", "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11",
        "-a0eebc999c0b4ef8bb6d6bb9bd380a11", "not-a-uuid");
    CHECK_EQ_INT(check(&u, "not-a-uuid"), -1);
    CHECK_EQ_STR(why, "invalid input syntax for type uuid: \"not-a-uuid\"");
}

static void
test_dates(void)
{
    cl_column d = col("d", "date", CL_TYPE_DATE);
    cl_column ts = col("updated_at", "timestamp with time zone", CL_TYPE_TIMESTAMP);

    ACCEPT(&d, "2024-02-29", "2000-02-29", "2024-04-30", "2024-12-31", "1999-01-01",
           /* not checked here: the server's to read */
           "now", "today", "infinity", "-infinity", "epoch", "January 8 1999",
           "20240229", "02/30/2024", "2021-02-29 BC", "12024-02-30", "2024-2-30",
           " 2023-02-29");
    REFUSE(&d, "2023-02-29", "1900-02-29", "2100-02-29", "2024-13-01", "2024-00-10",
           "2024-04-31", "2024-01-00", "2024-01-32", "2023-02-30");
    CHECK_EQ_INT(check(&d, "2023-02-29"), -1);
    CHECK_EQ_STR(why, "date/time field value out of range: \"2023-02-29\"");

    ACCEPT(&ts, "2024-02-29 23:59:59.999+02", "2024-12-31T00:00:00",
           "2024-02-29T10:00:00Z", "now", "2024-06-30 12:00 Europe/Paris");
    REFUSE(&ts, "2023-02-29T10:00:00Z", "2024-06-31 00:00:00", "2024-99-01 00:00");
}

static void
test_varchar(void)
{
    cl_column v = col("code", "character varying(5)", CL_TYPE_VARCHAR);
    cl_column ch = col("cc", "character(2)", CL_TYPE_VARCHAR);

    v.max_chars = 5;
    ch.max_chars = 2;
    ACCEPT(&v, "", "abcde", "h\xc3\xa9llo",
           "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5"
           "\xe6\x9c\xac",
           "abc   ", "abcde      ");
    REFUSE(&v, "abcdef",
           "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
           "abcd e", "      x");
    CHECK_EQ_INT(check(&v, "abcdef"), -1);
    CHECK_EQ_STR(why, "value too long for type character varying(5): \"abcdef\"");
    ACCEPT(&ch, "US", "E ", "GB  ");
    REFUSE(&ch, "USA");
}

static void
test_unchecked(void)
{
    cl_column t = col("name", "text", CL_TYPE_TEXT);
    cl_column j = col("attrs", "jsonb", CL_TYPE_JSON);
    cl_column o = col("ip", "inet", CL_TYPE_OTHER);

    ACCEPT(&t, "", "anything at all", "NULL");
    ACCEPT(&j, "{", "not json: the server decides");
    ACCEPT(&o, "999.1.1.1");
}

/* Messages quote at most 40 bytes of a value, cut between characters, and
 * never pass the buffer. */
static void
test_messages(void)
{
    cl_column i4 = col("stock", "integer", CL_TYPE_INT4);
    cl_column u = col("id", "uuid", CL_TYPE_UUID);
    char v[200], small[12];

    memset(v, '9', 100);
    v[100] = '\0';
    CHECK_EQ_INT(check(&i4, v), -1);
    CHECK_EQ_STR(
        why, "value \"9999999999999999999999999999999999999999...\" is out of range "
             "for type integer");
    v[0] = '\0';
    for (int i = 0; i < 30; i++)
        strcat(v, "\xc3\xa9"); /* 60 bytes: 20 whole characters fit in 40 */
    CHECK_EQ_INT(check(&u, v), -1);
    CHECK_EQ_STR(
        why, "invalid input syntax for type uuid: \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...\"");
    memmove(v + 1, v, strlen(v) + 1); /* now the 40th byte is inside a character */
    v[0] = 'x';
    CHECK_EQ_INT(check(&u, v), -1);
    CHECK_CONTAINS(
        why, "\"x\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
             "\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
             "\xc3\xa9\xc3\xa9...\"");

    CHECK_EQ_INT(cl_validate_value(&i4, "x", 1, small, sizeof small), -1);
    CHECK_EQ_STR(small, "invalid inp");
    CHECK_EQ_INT(cl_validate_value(&i4, "x", 1, NULL, 0), -1);
    /* The length is what counts, not a terminator. */
    CHECK_EQ_INT(cl_validate_value(&i4, "12abc", 2, why, sizeof why), 0);
}

int
main(void)
{
    test_null();
    test_integers();
    test_numeric();
    test_float();
    test_bool();
    test_uuid();
    test_dates();
    test_varchar();
    test_unchecked();
    test_messages();
    return TEST_REPORT();
}
