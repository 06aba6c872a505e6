/* tt_test.h - minimal assertion macros for the ctest executables. */
#ifndef TT_TEST_H
#define TT_TEST_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int tt_test_failures = 0;
static int tt_test_checks = 0;

#define CHECK(cond) do { tt_test_checks++; if (!(cond)) { tt_test_failures++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_MSG(cond, ...) do { tt_test_checks++; if (!(cond)) { tt_test_failures++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)
#define CHECK_EQ_INT(a, b) do { long long _a = (long long)(a), _b = (long long)(b); tt_test_checks++; \
    if (_a != _b) { tt_test_failures++; fprintf(stderr, "%s:%d: %s == %s failed: %lld vs %lld\n", \
    __FILE__, __LINE__, #a, #b, _a, _b); } } while (0)
#define CHECK_NEAR(a, b, tol) do { double _a = (double)(a), _b = (double)(b); tt_test_checks++; \
    if (!(fabs(_a - _b) <= (tol))) { tt_test_failures++; fprintf(stderr, \
    "%s:%d: |%s - %s| <= %g failed: %.9g vs %.9g\n", __FILE__, __LINE__, #a, #b, (double)(tol), _a, _b); } } while (0)
/* Exit code 77 = skipped (no Vulkan device); set SKIP_RETURN_CODE in CMake if used. */
#define TT_TEST_END() do { if (tt_test_checks == 0) { fprintf(stderr, "no checks ran\n"); return 1; } \
    printf("%d checks, %d failed\n", tt_test_checks, tt_test_failures); \
    return tt_test_failures ? 1 : 0; } while (0)
#endif
