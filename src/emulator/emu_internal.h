/*
 * src/emulator/emu_internal.h: declarations shared by the fake driver's two halves,
 * emu_driver.c (the driver API that JCuda calls) and emu_exec.c (runs a launch on CPU threads).
 * No NVIDIA header is needed: the few types and codes the driver API uses are declared here.
 */
#ifndef AUGMIX4J_EMU_INTERNAL_H
#define AUGMIX4J_EMU_INTERNAL_H

#include <stddef.h>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

/* CUresult values (cuda.h). */
enum {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_NO_DEVICE = 100,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_SHARED_OBJECT_INIT_FAILED = 303,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_NOT_READY = 600,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
    CUDA_ERROR_NOT_SUPPORTED = 801,
    CUDA_ERROR_UNKNOWN = 999
};

/* Prints "[augmix4j-emu] ..." to stderr (the test log), printf-style. */
void emu_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Called by every generated stub: logs the name once and returns CUDA_ERROR_NOT_SUPPORTED. */
CUresult emu_unsupported(const char *name);

/* A kernel as the executor sees it: its name and the generated trampoline that unpacks the
 * cuLaunchKernel parameter array and calls the CPU build of the kernel. */
typedef void (*emu_trampoline)(void **params);

typedef struct {
    unsigned grid[3], block[3];
    int cooperative;                /* may reach __syncthreads or a warp collective (see emu_exec.c) */
    size_t dynamic_shared;          /* bytes */
    void *static_shared;            /* the kernel library's __shared__ section (poisoned per block) */
    size_t static_shared_bytes;
} emu_geometry;

/* Runs every block of one launch, in order, on the thread pool; returns when all are done. */
CUresult emu_execute(const char *kernel, emu_trampoline tramp, void **params, const emu_geometry *g);

#endif
