#!/usr/bin/env bash
# test_devices.sh - `tinytex devices`, device selection and the no-Vulkan-device error.
. "$(dirname "$0")/lib.sh"
run 0 "$TINYTEX" devices
check "lists device 0 as default" grep -q '^\* 0: ' "$TMP/out"
run 0 "$TINYTEX" devices --json
check "JSON has a default device" grep -q '"default":[[:space:]]*true' "$TMP/out"
# No driver at all: a clear error naming the package, exit 1.
VK_DRIVER_FILES=/nonexistent.json VK_ICD_FILENAMES=/nonexistent.json run 1 "$TINYTEX" devices
check "no-device error names the package" grep -q 'mesa-vulkan-drivers' "$TMP/err"
VK_DRIVER_FILES=/nonexistent.json VK_ICD_FILENAMES=/nonexistent.json run 1 "$TINYTEX" bc7 "$TT_TEST_DATA/cli_rgb_5x3.png" -o "$TMP/a.dds" --gpu
check "no output without a device" [ ! -e "$TMP/a.dds" ]
# A device index that does not exist, from the option or the environment.
run 1 "$TINYTEX" bc7 "$TT_TEST_DATA/cli_rgb_5x3.png" -o "$TMP/b.dds" --device 7
check "names the missing device" grep -q 'device 7 does not exist' "$TMP/err"
TINYTEX_DEVICE=abc run 1 "$TINYTEX" bc7 "$TT_TEST_DATA/cli_rgb_5x3.png" -o "$TMP/c.dds" --gpu
TINYTEX_DEVICE=0 run 0 "$TINYTEX" bc7 "$TT_TEST_DATA/cli_rgb_5x3.png" -o "$TMP/d.dds" -q --gpu
# A small image without --gpu goes to the C encoder, which needs no device and writes the device's blocks.
VK_DRIVER_FILES=/nonexistent.json VK_ICD_FILENAMES=/nonexistent.json run 0 "$TINYTEX" bc7 "$TT_TEST_DATA/cli_rgb_5x3.png" -o "$TMP/e.dds" -v
check "small image: the C encoder says so" grep -q 'small image: C encoder' "$TMP/err"
check "small image: the device's blocks" cmp -s "$TMP/d.dds" "$TMP/e.dds"
# A larger image without a device: the C encoder after a note, unless --gpu asks for the device (fast: at fastest
# the C encoder takes 451x300 as a small image, with no device asked).
VK_DRIVER_FILES=/nonexistent.json VK_ICD_FILENAMES=/nonexistent.json run 0 "$TINYTEX" bc7 "$TT_TEST_DATA/cli_rgb_451x300.png" -o "$TMP/g.dds" --preset fast
check "no device: the note says the C encoder is used" grep -q 'no Vulkan device.*C encoder' "$TMP/err"
run 0 "$TINYTEX" bc7 "$TT_TEST_DATA/cli_rgb_451x300.png" -o "$TMP/h.dds" --preset fast --gpu -q
check "no device: the device's blocks" cmp -s "$TMP/g.dds" "$TMP/h.dds"
run 2 "$TINYTEX" bc7 "$TT_TEST_DATA/cli_rgb_5x3.png" -o "$TMP/f.dds" --cpu --gpu
check "--cpu --gpu: nothing written" [ ! -e "$TMP/f.dds" ]
finish
