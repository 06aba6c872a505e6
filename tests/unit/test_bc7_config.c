/* test_bc7_config.c - tt_bc7_config: every preset validates, and each field outside its documented range (include/tinytex.h) is refused with TT_ERR_INVALID_ARG. */
#include <stdio.h>

#include "tinytex.h"
#include "tt_test.h"

#define REFUSED(field, value)                                                                                  \
    do {                                                                                                       \
        tt_bc7_config c_;                                                                                      \
        tt_bc7_config_init(&c_);                                                                               \
        c_.field = value;                                                                                      \
        CHECK_MSG(tt_bc7_config_validate(&c_) == TT_ERR_INVALID_ARG, #field " = " #value " was accepted");    \
    } while (0)
#define ACCEPTED(field, value)                                                                                 \
    do {                                                                                                       \
        tt_bc7_config c_;                                                                                      \
        tt_bc7_config_init(&c_);                                                                               \
        c_.field = value;                                                                                      \
        CHECK_MSG(tt_bc7_config_validate(&c_) == TT_OK, #field " = " #value " was refused: %s", tt_last_error()); \
    } while (0)

int main(void)
{
    for (int p = TT_BC7_PRESET_FASTEST; p <= TT_BC7_PRESET_EXHAUSTIVE; p++) {
        tt_bc7_config c;
        tt_bc7_config_init(&c);
        CHECK_EQ_INT(tt_bc7_config_preset(&c, (tt_bc7_preset)p), TT_OK);
        CHECK_EQ_INT(tt_bc7_config_validate(&c), TT_OK);
        CHECK(tt_bc7_preset_name((tt_bc7_preset)p) != NULL);
    }
    tt_bc7_config c;
    tt_bc7_config_init(&c);
    CHECK_EQ_INT(tt_bc7_config_preset(&c, (tt_bc7_preset)99), TT_ERR_INVALID_ARG);
    /* ranges of include/tinytex.h: partitions 1..16, polish_passes 1..4, index_trials 0..3, alpha_weight 0..16,
     * alpha_test negative or 0..1, flags 0 or 1 */
    REFUSED(partitions, 0);
    REFUSED(partitions, 17);
    ACCEPTED(partitions, 16);
    REFUSED(polish_passes, 0);
    REFUSED(polish_passes, 5);
    ACCEPTED(polish_passes, 4);
    REFUSED(index_trials, -1);
    REFUSED(index_trials, 4);
    ACCEPTED(index_trials, 0);
    ACCEPTED(index_trials, 3);
    REFUSED(alpha_weight, -1.0f);
    REFUSED(alpha_weight, 17.0f);
    ACCEPTED(alpha_weight, 0.0f);
    REFUSED(alpha_test, 1.5f);
    ACCEPTED(alpha_test, 1.0f);
    ACCEPTED(alpha_test, 0.0f);
    ACCEPTED(alpha_test, -1.0f);
    REFUSED(loose_alpha, 2);
    REFUSED(perceptual, -1);
    REFUSED(joint_steps, 2);
    ACCEPTED(joint_steps, 0);
    /* fastest leaves the joint steps out (docs/benchmarks.md: 854 -> 1199 Mpix/s on an H100); medium keeps them */
    CHECK_EQ_INT(tt_bc7_config_preset(&c, TT_BC7_PRESET_FASTEST), TT_OK);
    CHECK_EQ_INT(c.joint_steps, 0);
    CHECK_EQ_INT(tt_bc7_config_preset(&c, TT_BC7_PRESET_MEDIUM), TT_OK);
    CHECK_EQ_INT(c.joint_steps, 1);
    TT_TEST_END();
}
