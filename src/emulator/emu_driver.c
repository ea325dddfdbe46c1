/*
 * src/emulator/emu_driver.c: a fake libcuda.so.1 for running the project's kernels and its JCuda
 * driver-API code on a machine with no GPU (see README.md next to this file for the design and
 * its limits).
 *
 * It implements the driver calls the project makes. Every other function that JCuda's JNI library
 * imports is a generated stub (build.sh) that returns CUDA_ERROR_NOT_SUPPORTED, so an unexpected
 * call is an exception in Java rather than a dead JVM.
 *
 * Memory: the device pointer is a host address. Each allocation is 256-byte aligned, filled with
 * 0xFF bytes (reads of memory nobody wrote give NaN, as garbage would on a GPU), and fenced by red
 * zones that are checked after every launch, at synchronisation and at free: an out-of-bounds write
 * becomes CUDA_ERROR_ILLEGAL_ADDRESS (700) with the kernel's name in the log. Copies and memsets
 * must stay inside one allocation (CUDA_ERROR_INVALID_VALUE otherwise).
 *
 * Execution is synchronous: streams and events are bookkeeping, an event's time is the host clock
 * when it was recorded. Modules: cuModuleLoadData accepts the project's fatbin (then it dlopens the
 * CPU build of the kernels/ sources, $AUGMIX4J_EMU_KERNELS or libaugmix4j_kernels_emu.so one directory above
 * this library, and resolves only kernels whose names are in the fatbin), or the text
 * "AUGMIX4J-EMU-MODULE <path>" naming another CPU kernel library (the tests' own kernels).
 * Calls that need a context fail with CUDA_ERROR_INVALID_CONTEXT when none is current on the
 * calling thread, as on a real driver.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <libgen.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "emu_internal.h"

#define EMU_DEVICE_NAME "AugMix4J CPU emulator (fake libcuda.so.1, no GPU)"
#define EMU_DRIVER_VERSION 13000           /* what an R580 driver reports */
#define FATBIN_MAGIC 0xBA55ED50u
#define MODULE_REF "AUGMIX4J-EMU-MODULE "
#define ALIGN 256                          /* cudaMalloc's alignment */
#define REDZONE 256                        /* bytes before and after each allocation */
#define RZ_BYTE 0xA5
#define MAX_BLOCK_THREADS 1024
#define DEFAULT_DYNAMIC_SHARED (48 * 1024)
#define MAX_DYNAMIC_SHARED (227 * 1024)     /* opt-in limit of an sm_90 GPU */

typedef struct emu_ctx { int magic; int primary; } *CUcontext;
typedef struct emu_module *CUmodule;
typedef struct emu_function *CUfunction;
typedef struct emu_stream { int magic; unsigned flags; } *CUstream;
typedef struct emu_event { int magic; unsigned flags; int recorded; double ms; } *CUevent;

enum { CTX_MAGIC = 0x43545831, STREAM_MAGIC = 0x5354524d, EVENT_MAGIC = 0x45564e54, FUNC_MAGIC = 0x46554e43 };

struct emu_function {
    int magic;
    struct emu_function *next;
    CUmodule module;
    char *name;
    emu_trampoline tramp;
    int cooperative;
    int max_dynamic_shared;
};

struct emu_module {
    void *lib;
    unsigned char *fatbin;   /* copy of the image when it is a fatbin, for the kernel-name check */
    size_t fatbin_bytes;
    void *shared;            /* the library's static __shared__ section */
    size_t shared_bytes;
    struct emu_function *functions;
};

/* ---------------------------------------------------------------- logging */

void emu_log(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("[augmix4j-emu] ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

CUresult emu_unsupported(const char *name) {
    emu_log("%s is not emulated: returning CUDA_ERROR_NOT_SUPPORTED (801)", name);
    return CUDA_ERROR_NOT_SUPPORTED;
}

/* ---------------------------------------------------------------- init, device */

static int initialized;
static struct emu_ctx primary_ctx = {CTX_MAGIC, 1};
static __thread CUcontext current;
static __thread CUcontext ctx_stack[16];
static __thread int ctx_depth;

static int device_count(void) {
    const char *s = getenv("AUGMIX4J_EMU_DEVICES");  /* 0 simulates a driver without a device */
    return s ? atoi(s) : 1;
}

CUresult cuInit(unsigned flags) {
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    if (device_count() < 1) return CUDA_ERROR_NO_DEVICE;
    initialized = 1;
    return CUDA_SUCCESS;
}

CUresult cuDriverGetVersion(int *version) {
    if (!version) return CUDA_ERROR_INVALID_VALUE;
    *version = EMU_DRIVER_VERSION;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetCount(int *count) {
    if (!count) return CUDA_ERROR_INVALID_VALUE;
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    *count = device_count();
    return CUDA_SUCCESS;
}

static CUresult check_device(CUdevice dev) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    return dev >= 0 && dev < device_count() ? CUDA_SUCCESS : CUDA_ERROR_INVALID_DEVICE;
}

CUresult cuDeviceGet(CUdevice *dev, int ordinal) {
    if (!dev) return CUDA_ERROR_INVALID_VALUE;
    CUresult rc = check_device(ordinal);
    if (rc == CUDA_SUCCESS) *dev = ordinal;
    return rc;
}

CUresult cuDeviceGetName(char *name, int len, CUdevice dev) {
    CUresult rc = check_device(dev);
    if (rc != CUDA_SUCCESS) return rc;
    if (!name || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    snprintf(name, (size_t)len, "%s", EMU_DEVICE_NAME);
    return CUDA_SUCCESS;
}

static size_t host_total_memory(void) {
    struct sysinfo si;
    return sysinfo(&si) == 0 ? (size_t)si.totalram * si.mem_unit : (size_t)8 << 30;
}

CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev) {
    CUresult rc = check_device(dev);
    if (rc != CUDA_SUCCESS) return rc;
    if (!bytes) return CUDA_ERROR_INVALID_VALUE;
    *bytes = host_total_memory();
    return CUDA_SUCCESS;
}

/* Plausible values, shaped like an sm_90 part; attributes not listed read as 0. */
CUresult cuDeviceGetAttribute(int *value, int attribute, CUdevice dev) {
    CUresult rc = check_device(dev);
    if (rc != CUDA_SUCCESS) return rc;
    if (!value || attribute < 1 || attribute > 200) return CUDA_ERROR_INVALID_VALUE;
    int v = 0;
    switch (attribute) {
    case 1: v = MAX_BLOCK_THREADS; break;                  /* MAX_THREADS_PER_BLOCK */
    case 2: v = 1024; break;                               /* MAX_BLOCK_DIM_X */
    case 3: v = 1024; break;                               /* MAX_BLOCK_DIM_Y */
    case 4: v = 64; break;                                 /* MAX_BLOCK_DIM_Z */
    case 5: v = 2147483647; break;                         /* MAX_GRID_DIM_X */
    case 6: v = 65535; break;                              /* MAX_GRID_DIM_Y */
    case 7: v = 65535; break;                              /* MAX_GRID_DIM_Z */
    case 8: v = DEFAULT_DYNAMIC_SHARED; break;             /* MAX_SHARED_MEMORY_PER_BLOCK */
    case 9: v = 65536; break;                              /* TOTAL_CONSTANT_MEMORY */
    case 10: v = 32; break;                                /* WARP_SIZE */
    case 11: v = 2147483647; break;                        /* MAX_PITCH */
    case 12: v = 65536; break;                             /* MAX_REGISTERS_PER_BLOCK */
    case 13: v = 1000000; break;                           /* CLOCK_RATE (kHz) */
    case 14: v = 512; break;                               /* TEXTURE_ALIGNMENT */
    case 16: v = (int)sysconf(_SC_NPROCESSORS_ONLN); break; /* MULTIPROCESSOR_COUNT: the host's cores */
    case 19: v = 1; break;                                 /* CAN_MAP_HOST_MEMORY */
    case 20: v = 0; break;                                 /* COMPUTE_MODE: default */
    case 36: v = 1000000; break;                           /* MEMORY_CLOCK_RATE */
    case 37: v = 64; break;                                /* GLOBAL_MEMORY_BUS_WIDTH */
    case 38: v = 0; break;                                 /* L2_CACHE_SIZE */
    case 39: v = 2048; break;                              /* MAX_THREADS_PER_MULTIPROCESSOR */
    case 41: v = 1; break;                                 /* UNIFIED_ADDRESSING */
    case 75: v = 9; break;                                 /* COMPUTE_CAPABILITY_MAJOR */
    case 76: v = 0; break;                                 /* COMPUTE_CAPABILITY_MINOR */
    case 81: v = 233472; break;                            /* MAX_SHARED_MEMORY_PER_MULTIPROCESSOR */
    case 82: v = 65536; break;                             /* MAX_REGISTERS_PER_MULTIPROCESSOR */
    case 97: v = MAX_DYNAMIC_SHARED; break;                /* MAX_SHARED_MEMORY_PER_BLOCK_OPTIN */
    case 106: v = 32; break;                               /* MAX_BLOCKS_PER_MULTIPROCESSOR */
    default: break;
    }
    *value = v;
    return CUDA_SUCCESS;
}

CUresult cuDeviceComputeCapability(int *major, int *minor, CUdevice dev) {
    CUresult rc = check_device(dev);
    if (rc != CUDA_SUCCESS) return rc;
    if (!major || !minor) return CUDA_ERROR_INVALID_VALUE;
    *major = 9;
    *minor = 0;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetUuid(unsigned char uuid[16], CUdevice dev) {
    CUresult rc = check_device(dev);
    if (rc != CUDA_SUCCESS) return rc;
    memcpy(uuid, "augmix4j-emu-000", 16);
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetPCIBusId(char *id, int len, CUdevice dev) {
    CUresult rc = check_device(dev);
    if (rc != CUDA_SUCCESS) return rc;
    if (!id || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    snprintf(id, (size_t)len, "0000:00:00.0");
    return CUDA_SUCCESS;
}

/* ---------------------------------------------------------------- contexts */

static int valid_ctx(CUcontext c) { return c && c->magic == CTX_MAGIC; }

/* Every call below that touches memory, modules, streams or launches needs a current context. */
static CUresult need_ctx(void) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    return valid_ctx(current) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext *ctx, CUdevice dev) {
    CUresult rc = check_device(dev);
    if (rc != CUDA_SUCCESS) return rc;
    if (!ctx) return CUDA_ERROR_INVALID_VALUE;
    *ctx = &primary_ctx;
    return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev) { return check_device(dev); }
CUresult cuDevicePrimaryCtxReset_v2(CUdevice dev) { return check_device(dev); }
CUresult cuDevicePrimaryCtxSetFlags_v2(CUdevice dev, unsigned flags) { (void)flags; return check_device(dev); }

CUresult cuDevicePrimaryCtxGetState(CUdevice dev, unsigned *flags, int *active) {
    CUresult rc = check_device(dev);
    if (rc != CUDA_SUCCESS) return rc;
    if (flags) *flags = 0;
    if (active) *active = 1;
    return CUDA_SUCCESS;
}

CUresult cuCtxCreate_v2(CUcontext *ctx, unsigned flags, CUdevice dev) {
    (void)flags;
    CUresult rc = check_device(dev);
    if (rc != CUDA_SUCCESS) return rc;
    if (!ctx) return CUDA_ERROR_INVALID_VALUE;
    CUcontext c = calloc(1, sizeof *c);
    if (!c) return CUDA_ERROR_OUT_OF_MEMORY;
    c->magic = CTX_MAGIC;
    *ctx = current = c;  /* cuCtxCreate makes the new context current */
    return CUDA_SUCCESS;
}

CUresult cuCtxDestroy_v2(CUcontext ctx) {
    if (!valid_ctx(ctx)) return CUDA_ERROR_INVALID_CONTEXT;
    if (current == ctx) current = NULL;
    if (!ctx->primary) {
        ctx->magic = 0;
        free(ctx);
    }
    return CUDA_SUCCESS;
}

CUresult cuCtxSetCurrent(CUcontext ctx) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (ctx && !valid_ctx(ctx)) return CUDA_ERROR_INVALID_CONTEXT;
    current = ctx;
    return CUDA_SUCCESS;
}

CUresult cuCtxGetCurrent(CUcontext *ctx) {
    if (!initialized) return CUDA_ERROR_NOT_INITIALIZED;
    if (!ctx) return CUDA_ERROR_INVALID_VALUE;
    *ctx = current;
    return CUDA_SUCCESS;
}

CUresult cuCtxPushCurrent_v2(CUcontext ctx) {
    if (!valid_ctx(ctx)) return CUDA_ERROR_INVALID_CONTEXT;
    if (ctx_depth == (int)(sizeof ctx_stack / sizeof ctx_stack[0])) return CUDA_ERROR_INVALID_VALUE;
    ctx_stack[ctx_depth++] = current;
    current = ctx;
    return CUDA_SUCCESS;
}

CUresult cuCtxPopCurrent_v2(CUcontext *ctx) {
    if (!valid_ctx(current)) return CUDA_ERROR_INVALID_CONTEXT;
    if (ctx) *ctx = current;
    current = ctx_depth > 0 ? ctx_stack[--ctx_depth] : NULL;
    return CUDA_SUCCESS;
}

CUresult cuCtxGetDevice(CUdevice *dev) {
    CUresult rc = need_ctx();
    if (rc != CUDA_SUCCESS) return rc;
    if (!dev) return CUDA_ERROR_INVALID_VALUE;
    *dev = 0;
    return CUDA_SUCCESS;
}

CUresult cuCtxGetApiVersion(CUcontext ctx, unsigned *version) {
    if (ctx && !valid_ctx(ctx)) return CUDA_ERROR_INVALID_CONTEXT;
    if (!version) return CUDA_ERROR_INVALID_VALUE;
    *version = 3020;
    return CUDA_SUCCESS;
}

/* ---------------------------------------------------------------- allocations */

typedef struct alloc {
    struct alloc *next;
    unsigned char *raw;   /* what posix_memalign returned */
    unsigned char *user;  /* raw + REDZONE: the "device pointer" */
    size_t bytes;
    int host;             /* pinned host memory, or a module global (no red zones) */
    const void *module;   /* for a module global: its module (removed at cuModuleUnload) */
} alloc;

static pthread_mutex_t alloc_mu = PTHREAD_MUTEX_INITIALIZER;
static alloc *allocs;
static size_t device_bytes_in_use;

static int redzones_intact(const alloc *a) {
    for (size_t i = 0; i < REDZONE; i++)
        if (a->raw[i] != RZ_BYTE || a->user[a->bytes + i] != RZ_BYTE) return 0;
    return 1;
}

/* Checks every live device allocation's red zones; logs and returns ILLEGAL_ADDRESS if one is hit. */
static CUresult check_redzones(const char *after) {
    CUresult rc = CUDA_SUCCESS;
    pthread_mutex_lock(&alloc_mu);
    for (alloc *a = allocs; a; a = a->next) {
        if (a->host || redzones_intact(a)) continue;
        emu_log("out-of-bounds write next to the allocation %p (%zu bytes), detected after %s", (void *)a->user,
                a->bytes, after);
        memset(a->raw, RZ_BYTE, REDZONE);  /* report each hit once */
        memset(a->user + a->bytes, RZ_BYTE, REDZONE);
        rc = CUDA_ERROR_ILLEGAL_ADDRESS;
    }
    pthread_mutex_unlock(&alloc_mu);
    return rc;
}

static CUresult new_alloc(void **out, size_t bytes, int host) {
    if (!out || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    void *raw;
    if (posix_memalign(&raw, ALIGN, bytes + 2 * REDZONE) != 0) return CUDA_ERROR_OUT_OF_MEMORY;
    alloc *a = calloc(1, sizeof *a);
    if (!a) {
        free(raw);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    a->raw = raw;
    a->user = a->raw + REDZONE;
    a->bytes = bytes;
    a->host = host;
    memset(a->raw, RZ_BYTE, REDZONE);
    memset(a->user, 0xFF, bytes);  /* fresh memory is garbage on a GPU: NaN here */
    memset(a->user + bytes, RZ_BYTE, REDZONE);
    pthread_mutex_lock(&alloc_mu);
    a->next = allocs;
    allocs = a;
    if (!host) device_bytes_in_use += bytes;
    pthread_mutex_unlock(&alloc_mu);
    *out = a->user;
    return CUDA_SUCCESS;
}

static CUresult free_alloc(void *p, int host, const char *what) {
    pthread_mutex_lock(&alloc_mu);
    alloc **link = &allocs;
    while (*link && ((*link)->user != p || (*link)->host != host || (*link)->module)) link = &(*link)->next;
    alloc *a = *link;
    if (a) {
        *link = a->next;
        if (!host) device_bytes_in_use -= a->bytes;
    }
    pthread_mutex_unlock(&alloc_mu);
    if (!a) {
        emu_log("%s(%p): not a live allocation", what, p);
        return CUDA_ERROR_INVALID_VALUE;
    }
    CUresult rc = host || redzones_intact(a) ? CUDA_SUCCESS : CUDA_ERROR_ILLEGAL_ADDRESS;
    if (rc != CUDA_SUCCESS) emu_log("%s(%p): its red zone was overwritten (out-of-bounds write)", what, p);
    free(a->raw);
    free(a);
    return rc;
}

/* Is [p, p + bytes) inside one live allocation (device or pinned host)? */
static int inside_alloc(uintptr_t p, size_t bytes) {
    int ok = 0;
    pthread_mutex_lock(&alloc_mu);
    for (alloc *a = allocs; a && !ok; a = a->next) {
        uintptr_t lo = (uintptr_t)a->user;
        ok = p >= lo && p - lo <= a->bytes && bytes <= a->bytes - (p - lo);
    }
    pthread_mutex_unlock(&alloc_mu);
    return ok;
}

static CUresult check_range(const char *what, const char *which, CUdeviceptr p, size_t bytes) {
    if (inside_alloc((uintptr_t)p, bytes)) return CUDA_SUCCESS;
    emu_log("%s: %s range [0x%llx, +%zu bytes) is not inside one allocation", what, which, p, bytes);
    return CUDA_ERROR_INVALID_VALUE;
}

CUresult cuMemAlloc_v2(CUdeviceptr *dptr, size_t bytes) {
    CUresult rc = need_ctx();
    if (rc != CUDA_SUCCESS) return rc;
    if (!dptr) return CUDA_ERROR_INVALID_VALUE;
    void *p = NULL;
    rc = new_alloc(&p, bytes, 0);
    if (rc == CUDA_SUCCESS) *dptr = (CUdeviceptr)(uintptr_t)p;
    return rc;
}

CUresult cuMemFree_v2(CUdeviceptr dptr) {
    CUresult rc = need_ctx();
    if (rc != CUDA_SUCCESS) return rc;
    return dptr == 0 ? CUDA_SUCCESS : free_alloc((void *)(uintptr_t)dptr, 0, "cuMemFree");
}

CUresult cuMemAllocHost_v2(void **pp, size_t bytes) {
    CUresult rc = need_ctx();
    return rc != CUDA_SUCCESS ? rc : new_alloc(pp, bytes, 1);
}

CUresult cuMemHostAlloc(void **pp, size_t bytes, unsigned flags) {
    (void)flags;
    return cuMemAllocHost_v2(pp, bytes);
}

CUresult cuMemFreeHost(void *p) {
    CUresult rc = need_ctx();
    return rc != CUDA_SUCCESS ? rc : free_alloc(p, 1, "cuMemFreeHost");
}

CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total_bytes) {
    CUresult rc = need_ctx();
    if (rc != CUDA_SUCCESS) return rc;
    struct sysinfo si;
    size_t total = host_total_memory(), avail = total;
    if (sysinfo(&si) == 0) avail = (size_t)si.freeram * si.mem_unit;
    if (free_bytes) *free_bytes = avail;
    if (total_bytes) *total_bytes = total;
    return CUDA_SUCCESS;
}

CUresult cuMemGetAddressRange_v2(CUdeviceptr *base, size_t *size, CUdeviceptr p) {
    CUresult rc = need_ctx();
    if (rc != CUDA_SUCCESS) return rc;
    rc = CUDA_ERROR_NOT_FOUND;
    pthread_mutex_lock(&alloc_mu);
    for (alloc *a = allocs; a; a = a->next) {
        uintptr_t lo = (uintptr_t)a->user;
        if (!a->host && (uintptr_t)p >= lo && (uintptr_t)p < lo + a->bytes) {
            if (base) *base = (CUdeviceptr)lo;
            if (size) *size = a->bytes;
            rc = CUDA_SUCCESS;
            break;
        }
    }
    pthread_mutex_unlock(&alloc_mu);
    return rc;
}

/* ---------------------------------------------------------------- streams and events */

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* NULL is the legacy default stream; anything else must be a live stream. */
static CUresult check_stream(CUstream s) {
    CUresult rc = need_ctx();
    if (rc != CUDA_SUCCESS) return rc;
    return !s || s->magic == STREAM_MAGIC ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

CUresult cuStreamCreate(CUstream *s, unsigned flags) {
    CUresult rc = need_ctx();
    if (rc != CUDA_SUCCESS) return rc;
    if (!s) return CUDA_ERROR_INVALID_VALUE;
    CUstream n = calloc(1, sizeof *n);
    if (!n) return CUDA_ERROR_OUT_OF_MEMORY;
    n->magic = STREAM_MAGIC;
    n->flags = flags;
    *s = n;
    return CUDA_SUCCESS;
}

CUresult cuStreamCreateWithPriority(CUstream *s, unsigned flags, int priority) {
    (void)priority;
    return cuStreamCreate(s, flags);
}

CUresult cuStreamDestroy_v2(CUstream s) {
    CUresult rc = check_stream(s);
    if (rc != CUDA_SUCCESS || !s) return s ? rc : CUDA_ERROR_INVALID_HANDLE;
    s->magic = 0;
    free(s);
    return CUDA_SUCCESS;
}

CUresult cuStreamSynchronize(CUstream s) {
    CUresult rc = check_stream(s);
    return rc != CUDA_SUCCESS ? rc : check_redzones("cuStreamSynchronize");
}

CUresult cuStreamQuery(CUstream s) { return check_stream(s); }

CUresult cuStreamGetFlags(CUstream s, unsigned *flags) {
    CUresult rc = check_stream(s);
    if (rc == CUDA_SUCCESS && flags) *flags = s ? s->flags : 0;
    return rc;
}

CUresult cuStreamGetCtx(CUstream s, CUcontext *ctx) {
    CUresult rc = check_stream(s);
    if (rc == CUDA_SUCCESS && ctx) *ctx = current;
    return rc;
}

static CUresult check_event(CUevent e) {
    CUresult rc = need_ctx();
    if (rc != CUDA_SUCCESS) return rc;
    return e && e->magic == EVENT_MAGIC ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

CUresult cuStreamWaitEvent(CUstream s, CUevent e, unsigned flags) {
    (void)flags;
    CUresult rc = check_stream(s);
    return rc != CUDA_SUCCESS ? rc : check_event(e);
}

CUresult cuEventCreate(CUevent *e, unsigned flags) {
    CUresult rc = need_ctx();
    if (rc != CUDA_SUCCESS) return rc;
    if (!e) return CUDA_ERROR_INVALID_VALUE;
    CUevent n = calloc(1, sizeof *n);
    if (!n) return CUDA_ERROR_OUT_OF_MEMORY;
    n->magic = EVENT_MAGIC;
    n->flags = flags;
    *e = n;
    return CUDA_SUCCESS;
}

CUresult cuEventRecord(CUevent e, CUstream s) {
    CUresult rc = check_event(e);
    if (rc == CUDA_SUCCESS) rc = check_stream(s);
    if (rc != CUDA_SUCCESS) return rc;
    e->recorded = 1;
    e->ms = now_ms();
    return CUDA_SUCCESS;
}

CUresult cuEventRecordWithFlags(CUevent e, CUstream s, unsigned flags) {
    (void)flags;
    return cuEventRecord(e, s);
}

CUresult cuEventSynchronize(CUevent e) {
    CUresult rc = check_event(e);
    return rc != CUDA_SUCCESS ? rc : check_redzones("cuEventSynchronize");
}

CUresult cuEventQuery(CUevent e) { return check_event(e); }

CUresult cuEventElapsedTime(float *ms, CUevent start, CUevent end) {
    CUresult rc = check_event(start);
    if (rc == CUDA_SUCCESS) rc = check_event(end);
    if (rc != CUDA_SUCCESS) return rc;
    if (!ms) return CUDA_ERROR_INVALID_VALUE;
    if (!start->recorded || !end->recorded || ((start->flags | end->flags) & 0x2 /* DISABLE_TIMING */))
        return CUDA_ERROR_INVALID_HANDLE;
    *ms = (float)(end->ms - start->ms);
    return CUDA_SUCCESS;
}

CUresult cuEventDestroy_v2(CUevent e) {
    CUresult rc = check_event(e);
    if (rc != CUDA_SUCCESS) return rc;
    e->magic = 0;
    free(e);
    return CUDA_SUCCESS;
}

CUresult cuCtxSynchronize(void) {
    CUresult rc = need_ctx();
    return rc != CUDA_SUCCESS ? rc : check_redzones("cuCtxSynchronize");
}

/* ---------------------------------------------------------------- copies and memsets */

static CUresult copy(const char *what, CUdeviceptr dst, int dst_dev, CUdeviceptr src, int src_dev, size_t bytes,
                     CUstream s) {
    CUresult rc = check_stream(s);
    if (rc != CUDA_SUCCESS) return rc;
    if (bytes == 0) return CUDA_SUCCESS;
    if (!dst || !src) return CUDA_ERROR_INVALID_VALUE;
    if (dst_dev && (rc = check_range(what, "destination", dst, bytes)) != CUDA_SUCCESS) return rc;
    if (src_dev && (rc = check_range(what, "source", src, bytes)) != CUDA_SUCCESS) return rc;
    memmove((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, bytes);
    return CUDA_SUCCESS;
}

#define HOST(p) ((CUdeviceptr)(uintptr_t)(p))
CUresult cuMemcpyHtoD_v2(CUdeviceptr d, const void *h, size_t n) { return copy("cuMemcpyHtoD", d, 1, HOST(h), 0, n, NULL); }
CUresult cuMemcpyDtoH_v2(void *h, CUdeviceptr d, size_t n) { return copy("cuMemcpyDtoH", HOST(h), 0, d, 1, n, NULL); }
CUresult cuMemcpyDtoD_v2(CUdeviceptr d, CUdeviceptr s, size_t n) { return copy("cuMemcpyDtoD", d, 1, s, 1, n, NULL); }
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr d, const void *h, size_t n, CUstream s) { return copy("cuMemcpyHtoDAsync", d, 1, HOST(h), 0, n, s); }
CUresult cuMemcpyDtoHAsync_v2(void *h, CUdeviceptr d, size_t n, CUstream s) { return copy("cuMemcpyDtoHAsync", HOST(h), 0, d, 1, n, s); }
CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr d, CUdeviceptr s, size_t n, CUstream st) { return copy("cuMemcpyDtoDAsync", d, 1, s, 1, n, st); }
/* Unified addressing: each side is checked only if it lies in a device allocation. */
CUresult cuMemcpyAsync(CUdeviceptr d, CUdeviceptr s, size_t n, CUstream st) { return copy("cuMemcpy", d, 0, s, 0, n, st); }
CUresult cuMemcpy(CUdeviceptr d, CUdeviceptr s, size_t n) { return cuMemcpyAsync(d, s, n, NULL); }

static CUresult memset_n(const char *what, CUdeviceptr d, unsigned value, size_t elem, size_t count, CUstream s) {
    CUresult rc = check_stream(s);
    if (rc != CUDA_SUCCESS) return rc;
    if (count == 0) return CUDA_SUCCESS;
    if ((rc = check_range(what, "destination", d, elem * count)) != CUDA_SUCCESS) return rc;
    unsigned char *p = (unsigned char *)(uintptr_t)d;
    if (elem == 1) {
        memset(p, (int)(value & 0xFF), count);
    } else {
        for (size_t i = 0; i < count; i++) memcpy(p + i * elem, &value, elem);  /* little-endian */
    }
    return CUDA_SUCCESS;
}

CUresult cuMemsetD8_v2(CUdeviceptr d, unsigned char v, size_t n) { return memset_n("cuMemsetD8", d, v, 1, n, NULL); }
CUresult cuMemsetD16_v2(CUdeviceptr d, unsigned short v, size_t n) { return memset_n("cuMemsetD16", d, v, 2, n, NULL); }
CUresult cuMemsetD32_v2(CUdeviceptr d, unsigned v, size_t n) { return memset_n("cuMemsetD32", d, v, 4, n, NULL); }
CUresult cuMemsetD8Async(CUdeviceptr d, unsigned char v, size_t n, CUstream s) { return memset_n("cuMemsetD8Async", d, v, 1, n, s); }
CUresult cuMemsetD16Async(CUdeviceptr d, unsigned short v, size_t n, CUstream s) { return memset_n("cuMemsetD16Async", d, v, 2, n, s); }
CUresult cuMemsetD32Async(CUdeviceptr d, unsigned v, size_t n, CUstream s) { return memset_n("cuMemsetD32Async", d, v, 4, n, s); }

/* ---------------------------------------------------------------- modules */

static pthread_mutex_t module_mu = PTHREAD_MUTEX_INITIALIZER;

/* The CPU kernel library for the shipped fatbin: $AUGMIX4J_EMU_KERNELS, else
 * <this library's directory>/../libaugmix4j_kernels_emu.so. */
static void default_kernel_library(char *out, size_t len) {
    const char *env = getenv("AUGMIX4J_EMU_KERNELS");
    if (env && *env) {
        snprintf(out, len, "%s", env);
        return;
    }
    Dl_info info;
    char self[4096] = ".";
    if (dladdr((void *)default_kernel_library, &info) && info.dli_fname) snprintf(self, sizeof self, "%s", info.dli_fname);
    snprintf(out, len, "%s/../libaugmix4j_kernels_emu.so", dirname(self));
}

static CUresult load_module(CUmodule *mod, const void *image) {
    CUresult rc = need_ctx();
    if (rc != CUDA_SUCCESS) return rc;
    if (!mod || !image) return CUDA_ERROR_INVALID_VALUE;
    char path[4096];
    unsigned char *fatbin = NULL;
    size_t fatbin_bytes = 0;
    uint32_t magic;
    memcpy(&magic, image, sizeof magic);
    if (magic == FATBIN_MAGIC) {
        uint16_t header;
        uint64_t body;
        memcpy(&header, (const unsigned char *)image + 6, sizeof header);
        memcpy(&body, (const unsigned char *)image + 8, sizeof body);
        fatbin_bytes = header + body;
        if (!(fatbin = malloc(fatbin_bytes))) return CUDA_ERROR_OUT_OF_MEMORY;
        memcpy(fatbin, image, fatbin_bytes);
        default_kernel_library(path, sizeof path);
    } else if (strncmp(image, MODULE_REF, strlen(MODULE_REF)) == 0) {
        snprintf(path, sizeof path, "%s", (const char *)image + strlen(MODULE_REF));
        path[strcspn(path, "\r\n")] = 0;
    } else {
        emu_log("cuModuleLoadData: the image is neither a fatbin nor \"" MODULE_REF "<path>\" "
                "(PTX and cubin images are not emulated)");
        return CUDA_ERROR_INVALID_IMAGE;
    }
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        emu_log("cuModuleLoadData: cannot load the CPU build of the kernels: %s", dlerror());
        free(fatbin);
        return CUDA_ERROR_SHARED_OBJECT_INIT_FAILED;
    }
    CUmodule m = calloc(1, sizeof *m);
    if (!m) {
        dlclose(lib);
        free(fatbin);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    m->lib = lib;
    m->fatbin = fatbin;
    m->fatbin_bytes = fatbin_bytes;
    void (*span)(void **, size_t *) = (void (*)(void **, size_t *))dlsym(lib, "__emu_shared_section");
    if (span) span(&m->shared, &m->shared_bytes);
    *mod = m;
    return CUDA_SUCCESS;
}

CUresult cuModuleLoadData(CUmodule *mod, const void *image) { return load_module(mod, image); }
CUresult cuModuleLoadFatBinary(CUmodule *mod, const void *image) { return load_module(mod, image); }
CUresult cuModuleLoadDataEx(CUmodule *mod, const void *image, unsigned n, void *options, void **values) {
    (void)n, (void)options, (void)values;
    return load_module(mod, image);
}

CUresult cuModuleUnload(CUmodule m) {
    CUresult rc = need_ctx();
    if (rc != CUDA_SUCCESS) return rc;
    if (!m) return CUDA_ERROR_INVALID_HANDLE;
    for (struct emu_function *f = m->functions, *next; f; f = next) {
        next = f->next;
        f->magic = 0;
        free(f->name);
        free(f);
    }
    pthread_mutex_lock(&alloc_mu);
    for (alloc **link = &allocs; *link;) {
        alloc *a = *link;
        if (a->module == m) {
            *link = a->next;
            free(a);
        } else {
            link = &a->next;
        }
    }
    pthread_mutex_unlock(&alloc_mu);
    dlclose(m->lib);
    free(m->fatbin);
    free(m);
    return CUDA_SUCCESS;
}

/* Is `name` a kernel of the fatbin? Its cubins name it in a string table ("\0name\0") and its PTX
 * in ".entry name(". */
static int fatbin_has(const CUmodule m, const char *name) {
    char key[512];
    size_t n = (size_t)snprintf(key, sizeof key, "%c%s%c", 0, name, 0);
    if (n < sizeof key && memmem(m->fatbin, m->fatbin_bytes, key, n)) return 1;
    n = (size_t)snprintf(key, sizeof key, ".entry %s(", name);
    return n < sizeof key && memmem(m->fatbin, m->fatbin_bytes, key, n) != NULL;
}

CUresult cuModuleGetFunction(CUfunction *fn, CUmodule m, const char *name) {
    CUresult rc = need_ctx();
    if (rc != CUDA_SUCCESS) return rc;
    if (!fn || !m || !name) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&module_mu);
    struct emu_function *f = m->functions;
    while (f && strcmp(f->name, name) != 0) f = f->next;
    if (!f) {
        char symbol[512];
        snprintf(symbol, sizeof symbol, "__emu_%s", name);
        emu_trampoline tramp = (emu_trampoline)dlsym(m->lib, symbol);
        if (m->fatbin && !fatbin_has(m, name)) {
            emu_log("cuModuleGetFunction: kernel %s is not in the fatbin (stale fatbin? run kernels/build.sh)", name);
            rc = CUDA_ERROR_NOT_FOUND;
        } else if (!tramp) {
            emu_log("cuModuleGetFunction: no CPU build of kernel %s (is the emulator build out of date?)", name);
            rc = CUDA_ERROR_NOT_FOUND;
        } else if (!(f = calloc(1, sizeof *f)) || !(f->name = strdup(name))) {
            free(f);
            f = NULL;
            rc = CUDA_ERROR_OUT_OF_MEMORY;
        } else {
            f->magic = FUNC_MAGIC;
            f->module = m;
            f->tramp = tramp;
            /* build.sh's call-graph verdict; without one, assume the kernel needs one thread per thread */
            snprintf(symbol, sizeof symbol, "__emu_coop_%s", name);
            const int *coop = (const int *)dlsym(m->lib, symbol);
            f->cooperative = coop ? *coop : 1;
            f->max_dynamic_shared = DEFAULT_DYNAMIC_SHARED;
            f->next = m->functions;
            m->functions = f;
        }
    }
    pthread_mutex_unlock(&module_mu);
    if (f) *fn = f;
    return rc;
}

static CUresult check_function(CUfunction f) { return f && f->magic == FUNC_MAGIC ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE; }

CUresult cuFuncGetAttribute(int *value, int attribute, CUfunction f) {
    CUresult rc = check_function(f);
    if (rc != CUDA_SUCCESS) return rc;
    if (!value) return CUDA_ERROR_INVALID_VALUE;
    switch (attribute) {
    case 0: *value = MAX_BLOCK_THREADS; break;                          /* MAX_THREADS_PER_BLOCK */
    case 4: *value = 32; break;                                         /* NUM_REGS (a guess) */
    case 5: case 6: *value = 90; break;                                 /* PTX / BINARY_VERSION */
    case 8: *value = f->max_dynamic_shared; break;                      /* MAX_DYNAMIC_SHARED_SIZE_BYTES */
    default: *value = 0; break;
    }
    return CUDA_SUCCESS;
}

CUresult cuFuncSetAttribute(CUfunction f, int attribute, int value) {
    CUresult rc = check_function(f);
    if (rc != CUDA_SUCCESS) return rc;
    if (attribute == 8) {
        if (value < 0 || value > MAX_DYNAMIC_SHARED) return CUDA_ERROR_INVALID_VALUE;
        f->max_dynamic_shared = value;
    }
    return CUDA_SUCCESS;
}

CUresult cuFuncSetCacheConfig(CUfunction f, int config) {
    (void)config;
    return check_function(f);
}

CUresult cuFuncGetModule(CUmodule *m, CUfunction f) {
    CUresult rc = check_function(f);
    if (rc == CUDA_SUCCESS && m) *m = f->module;
    return rc;
}

/* ---------------------------------------------------------------- launch */

CUresult cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned shared_bytes, CUstream s, void **params, void **extra) {
    CUresult rc = check_stream(s);
    if (rc != CUDA_SUCCESS) return rc;
    if ((rc = check_function(f)) != CUDA_SUCCESS) return rc;
    if (extra) return emu_unsupported("cuLaunchKernel with `extra` parameters");
    if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0 || gy > 65535 || gz > 65535 || bx > 1024 ||
        by > 1024 || bz > 64 || (unsigned long long)bx * by * bz > MAX_BLOCK_THREADS || gx > 2147483647u) {
        emu_log("cuLaunchKernel(%s): invalid geometry grid (%u,%u,%u) block (%u,%u,%u)", f->name, gx, gy, gz, bx, by, bz);
        return CUDA_ERROR_INVALID_VALUE;
    }
    if ((int)shared_bytes > f->max_dynamic_shared) {
        emu_log("cuLaunchKernel(%s): %u bytes of dynamic shared memory exceed the function's limit of %d "
                "(raise it with cuFuncSetAttribute MAX_DYNAMIC_SHARED_SIZE_BYTES)", f->name, shared_bytes,
                f->max_dynamic_shared);
        return CUDA_ERROR_INVALID_VALUE;
    }
    emu_geometry g = {{gx, gy, gz}, {bx, by, bz}, f->cooperative, shared_bytes, f->module->shared, f->module->shared_bytes};
    if ((rc = emu_execute(f->name, f->tramp, params, &g)) != CUDA_SUCCESS) return rc;
    char after[600];
    snprintf(after, sizeof after, "kernel %s", f->name);
    return check_redzones(after);
}

/* ---------------------------------------------------------------- error strings */

static const struct { CUresult code; const char *name, *text; } errors[] = {
    {CUDA_SUCCESS, "CUDA_SUCCESS", "no error"},
    {CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {CUDA_ERROR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {CUDA_ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {CUDA_ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {CUDA_ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {CUDA_ERROR_SHARED_OBJECT_INIT_FAILED, "CUDA_ERROR_SHARED_OBJECT_INIT_FAILED", "shared object initialization failed"},
    {CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {CUDA_ERROR_NOT_READY, "CUDA_ERROR_NOT_READY", "device not ready"},
    {CUDA_ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "too many resources requested for launch"},
    {CUDA_ERROR_NOT_SUPPORTED, "CUDA_ERROR_NOT_SUPPORTED", "operation not supported"},
    {CUDA_ERROR_UNKNOWN, "CUDA_ERROR_UNKNOWN", "unknown error"},
};

static CUresult error_lookup(CUresult code, const char **out, int text) {
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (errors[i].code == code) {
            if (out) *out = text ? errors[i].text : errors[i].name;
            return CUDA_SUCCESS;
        }
    if (out) *out = NULL;
    return CUDA_ERROR_INVALID_VALUE;
}

CUresult cuGetErrorName(CUresult code, const char **name) { return error_lookup(code, name, 0); }
CUresult cuGetErrorString(CUresult code, const char **text) { return error_lookup(code, text, 1); }

/* ---------------------------------------------------------------- module globals */

#include <elf.h>
#include <link.h>

/* A __device__ or __constant__ variable of the module: its address in the CPU kernel library (the
 * emulator's "device" memory is host memory) and its size from the ELF symbol. */
CUresult cuModuleGetGlobal_v2(CUdeviceptr *dptr, size_t *bytes, CUmodule m, const char *name) {
    CUresult rc = need_ctx();
    if (rc != CUDA_SUCCESS) return rc;
    if (!m || !name) return CUDA_ERROR_INVALID_VALUE;
    if (m->fatbin && !fatbin_has(m, name)) {
        emu_log("cuModuleGetGlobal: %s is not in the fatbin (stale fatbin? run kernels/build.sh)", name);
        return CUDA_ERROR_NOT_FOUND;
    }
    void *p = dlsym(m->lib, name);
    Dl_info info;
    const ElfW(Sym) *sym = NULL;
    if (!p || !dladdr1(p, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym) return CUDA_ERROR_NOT_FOUND;
    alloc *a = calloc(1, sizeof *a);  /* so that copies into the global pass the range check */
    if (!a) return CUDA_ERROR_OUT_OF_MEMORY;
    a->user = p;
    a->bytes = sym->st_size;
    a->host = 1;
    a->module = m;
    pthread_mutex_lock(&alloc_mu);
    a->next = allocs;
    allocs = a;
    pthread_mutex_unlock(&alloc_mu);
    if (dptr) *dptr = (CUdeviceptr)(uintptr_t)p;
    if (bytes) *bytes = sym->st_size;
    return CUDA_SUCCESS;
}
