/* mip_coverage.c - the alpha scale that keeps a mip level's alpha-test coverage at level 0's (docs/mips.md, "Alpha coverage"), exact from the level's float alphas. */
#include <math.h>
#include <stdlib.h>

#include "mip/tt_mip.h"

/* Alphas are clamped to [0, 1], so their bit patterns order as the values do (-0 is taken as 0). */
static uint32_t alpha_key(const float *rgba, size_t i)
{
    union { float f; uint32_t u; } v = {rgba[i * 4 + 3]};
    return (v.u & 0x80000000u) ? 0u : v.u;
}

static float key_float(uint32_t k)
{
    union { uint32_t u; float f; } v = {k};
    return v.f;
}

/* The k-th largest alpha (1 <= k <= n), by two 16-bit histogram passes over the keys. */
static tt_status kth_largest(const float *rgba, size_t n, size_t k, uint32_t *out)
{
    uint32_t *hist = malloc(65536 * sizeof *hist);
    if (!hist) return tt_fail(TT_ERR_NOMEM, "mip alpha coverage: out of memory");
    uint32_t high = 0, low = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t b = 0; b < 65536; b++) hist[b] = 0;
        for (size_t i = 0; i < n; i++) {
            uint32_t key = alpha_key(rgba, i);
            if (pass == 0) hist[key >> 16]++;
            else if ((key >> 16) == high) hist[key & 0xFFFFu]++;
        }
        uint32_t b = 65535;
        while (hist[b] < k) { /* k texels are at or above bin b once the bins from the top hold k */
            k -= hist[b];
            b--;
        }
        if (pass == 0) high = b;
        else low = b;
    }
    free(hist);
    *out = (high << 16) | low;
    return TT_OK;
}

uint8_t tt_mip_alpha_test_byte(float ref)
{
    /* ref = k / 255 given as a float (rounded up or down) still means k: a tolerance far below 1 / 255 */
    int k = (int)ceilf(ref * 255.0f - 1e-4f);
    return (uint8_t)(k < 0 ? 0 : k > 255 ? 255 : k);
}

static size_t count_passing(const float *rgba, size_t n, float s, uint32_t min8)
{
    size_t pass = 0;
    for (size_t i = 0; i < n; i++) pass += tt_mip_alpha8(rgba[i * 4 + 3], s) >= min8;
    return pass;
}

tt_status tt_mip_coverage_scale(const tt_mip_plan *plan, const float *rgba, size_t n, float *scale)
{
    *scale = 1.0f;
    uint32_t min8 = plan->coverage_min8;
    /* with a reference of 0 every texel passes at any scale */
    if (!plan->coverage || min8 == 0 || n == 0) return TT_OK;
    double target = plan->coverage0 * (double)n;
    size_t want = (size_t)floor(target + 0.5);
    if (want > n) want = n;
    /* A texel passes when min(1, a s) rounds to min8 or more, i.e. a s >= theta: the texels passing at scale s are
     * those with a >= theta / s. Exactly `k` of them pass when the threshold t = theta / s lies between the k-th and
     * (k+1)-th largest alpha; ties can make `want` unreachable, and then the nearer of the reachable counts around
     * it is taken. t is put midway between the two alphas, so the float product does not decide. */
    uint32_t vk = 0;
    if (want > 0) {
        tt_status st = kth_largest(rgba, n, want, &vk);
        if (st != TT_OK) return st;
    } else {
        for (size_t i = 0; i < n; i++)
            if (alpha_key(rgba, i) > vk) vk = alpha_key(rgba, i); /* the largest: t goes above it */
    }
    if (vk == 0 && want == 0) return TT_OK; /* every alpha 0: nothing passes at any scale */
    size_t above = 0, at_or_above = 0;
    uint32_t next_above = 0xFFFFFFFFu, next_below = 0; /* nearest alphas above and below v, as keys */
    int have_below = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t key = alpha_key(rgba, i);
        if (key > vk) {
            above++;
            if (key < next_above) next_above = key;
        } else if (key < vk) {
            if (!have_below || key > next_below) next_below = key;
            have_below = 1;
        }
        at_or_above += key >= vk;
    }
    double v = key_float(vk), t;
    /* candidates: every texel down to v passes (not if v is 0: zero alpha never passes), or only those above v */
    int take_all = want > 0 && vk != 0 && fabs((double)at_or_above - target) <= fabs((double)above - target);
    if (take_all) {
        t = have_below ? (v + key_float(next_below)) / 2.0 : v / 2.0;
    } else {
        t = above > 0 ? (v + key_float(next_above)) / 2.0 : 2.0 * v;
        if (above == 0 && v == 0.0) return TT_OK;
    }
    double theta = ((double)min8 - 0.5) / 255.0;
    double s = theta / t;
    if (s > 1e30) s = 1e30;
    if (s < 1e-30) s = 1e-30;
    /* never worse than leaving alpha alone: unscaled alpha may already give the best reachable count */
    size_t k1 = count_passing(rgba, n, 1.0f, min8), ks = count_passing(rgba, n, (float)s, min8);
    if (fabs((double)ks - target) < fabs((double)k1 - target)) *scale = (float)s;
    return TT_OK;
}
