// malloc settings for graph runs (see AllocatorTuning.swift).
#include "loupe_kernels.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void lk_keep_large_blocks(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}
