/*
 * src/emulator/emu_exec.c: runs one kernel launch on the CPU (part of the fake libcuda.so.1).
 *
 * Blocks run one after another. The threads of a block are real OS threads taken from a pool that
 * grows to the largest block seen and is reused by every launch (one worker per thread index).
 * Kernels whose code cannot reach a barrier or a warp collective (build.sh decides this from gcc's
 * call graph, -fcallgraph-info) run each block on fewer workers, each taking a contiguous slice of
 * the thread indices in turn: the same results for such kernels, at a fraction of the cost of one
 * OS thread per CUDA thread. Should such a kernel reach a collective after all, the emulator
 * aborts with a message rather than deadlock.
 * __syncthreads() is a counting barrier over the threads still running: a thread that returns
 * leaves the count, so kernels whose threads exit early do not deadlock. Warp collectives
 * (__shfl_*_sync, __ballot_sync, __syncwarp) meet at a per-warp barrier around a per-warp staging
 * array. Before each block, static __shared__ variables (one ELF section of the kernel library) and
 * the dynamic shared buffer are filled with 0xFF bytes (NaN as float, -1 as int), so a read of
 * shared memory that no thread of this block wrote shows up in the results.
 *
 * Because the threads of a block really run in parallel, some missing barriers and races show up
 * as wrong or unstable results; a barrier that can never complete is reported (kernel, block,
 * counts) and the process aborts after AUGMIX4J_EMU_DEADLOCK_SECONDS (default 20) instead of
 * hanging the test run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "emu_internal.h"

#define MAX_THREADS 1024
#define MAX_WARPS (MAX_THREADS / 32)
#define WORKER_STACK_BYTES (1u << 20)

typedef struct { unsigned x, y, z; } emu_uint3;

/* ---------------------------------------------------------------- what kernels see (emu.h) */

__thread emu_uint3 threadIdx;
__thread emu_uint3 blockIdx;
emu_uint3 blockDim, gridDim;
void *__emu_dynamic_shared;

/* ---------------------------------------------------------------- futex helpers */

static int deadlock_seconds = 20;

static long futex(_Atomic unsigned *addr, int op, unsigned val, const struct timespec *timeout) {
    return syscall(SYS_futex, (unsigned *)addr, op, val, timeout, NULL, 0);
}

static void wake_all(_Atomic unsigned *addr) { futex(addr, FUTEX_WAKE_PRIVATE, INT_MAX, NULL); }

static void wait_forever(_Atomic unsigned *addr, unsigned old) {
    while (atomic_load(addr) == old) futex(addr, FUTEX_WAIT_PRIVATE, old, NULL);
}

static void deadlock(const char *what);

/* Waits until *addr != old; reports a deadlock after deadlock_seconds. */
static void wait_change(_Atomic unsigned *addr, unsigned old, const char *what) {
    const struct timespec second = {1, 0};
    int waited = 0;
    while (atomic_load(addr) == old) {
        if (futex(addr, FUTEX_WAIT_PRIVATE, old, &second) == -1 && errno == ETIMEDOUT && ++waited >= deadlock_seconds)
            deadlock(what);
    }
}

/* ---------------------------------------------------------------- launch state */

static pthread_mutex_t launch_mu = PTHREAD_MUTEX_INITIALIZER;  /* one launch at a time */

static struct {
    const char *kernel;
    emu_trampoline tramp;
    void **params;
    int cooperative;               /* one worker per thread (else slices on `workers_used` workers) */
    unsigned nthreads;             /* threads per block */
    unsigned workers_used;         /* workers running each block */
    emu_uint3 block;               /* the block being run */
    _Atomic unsigned remaining;    /* threads of this block still running (futex word) */
} cur;

/* The barriers are lock-free: one 64-bit word holds (arrived << 32 | members), changed by CAS, and
 * a generation counter (the futex word) that the last arriver, or the last thread to exit while
 * the others wait, bumps to release them. */

/* Block barrier: members = threads still running. */
static _Atomic unsigned long long bar_state;
static _Atomic unsigned bar_gen;

typedef struct {
    _Atomic unsigned long long state;  /* members = mask of the lanes still running */
    _Atomic unsigned mask;             /* member mask of the current collective */
    _Atomic unsigned gen;
    unsigned long long stage[32];      /* one value per lane */
} warp_state;

static warp_state warps[MAX_WARPS];

typedef struct {
    pthread_t tid;
    _Atomic unsigned go;           /* bumped to start the next block (futex word) */
    unsigned index;                /* linear thread index in the block */
} worker;

static worker workers[MAX_THREADS];
static unsigned nworkers;
static __thread unsigned my_index;
static __thread int in_slice;      /* running a slice of a non-cooperative kernel */

static void deadlock(const char *what) {
    emu_log("DEADLOCK in kernel %s, block (%u,%u,%u), thread %u: %s did not complete after %d s "
            "(block barrier: %u of %u live threads arrived). A barrier that not every live thread reaches "
            "is a bug on the GPU too. Aborting.",
            cur.kernel, cur.block.x, cur.block.y, cur.block.z, my_index, what, deadlock_seconds,
            (unsigned)(atomic_load(&bar_state) >> 32), (unsigned)atomic_load(&bar_state));
    abort();
}

/* A kernel classified as free of collectives reached one: an emulator bug, never a wrong result. */
static void not_cooperative(const char *what) {
    if (!in_slice) return;
    emu_log("emulator error: kernel %s was classified (from gcc's call graph) as reaching no barrier or warp "
            "collective, but called %s. Aborting; please report it with the kernel's source.", cur.kernel, what);
    abort();
}

/* ---------------------------------------------------------------- __syncthreads */

static void release(_Atomic unsigned *gen) {
    atomic_fetch_add(gen, 1);
    wake_all(gen);
}

void __emu_syncthreads(void) {
    not_cooperative("__syncthreads()");
    const unsigned g = atomic_load(&bar_gen);
    unsigned long long s = atomic_load(&bar_state), next;
    int last;
    do {
        const unsigned arrived = (unsigned)(s >> 32) + 1, live = (unsigned)s;
        last = arrived >= live;
        next = last ? live : (unsigned long long)arrived << 32 | live;
    } while (!atomic_compare_exchange_weak(&bar_state, &s, next));
    if (last) release(&bar_gen);
    else wait_change(&bar_gen, g, "__syncthreads()");
}

/* ---------------------------------------------------------------- warp collectives */

static void warp_barrier(warp_state *w, unsigned mask, const char *what) {
    not_cooperative(what);
    atomic_store(&w->mask, mask);  /* every member passes the same mask (a CUDA rule) */
    const unsigned g = atomic_load(&w->gen);
    unsigned long long s = atomic_load(&w->state), next;
    int last;
    do {
        const unsigned arrived = (unsigned)(s >> 32) + 1, alive = (unsigned)s;
        last = arrived >= (unsigned)__builtin_popcount(mask & alive);
        next = last ? alive : (unsigned long long)arrived << 32 | alive;
    } while (!atomic_compare_exchange_weak(&w->state, &s, next));
    if (last) release(&w->gen);
    else wait_change(&w->gen, g, what);
}

static unsigned warp_alive(warp_state *w) { return (unsigned)atomic_load(&w->state); }

enum { SHFL_IDX = 0, SHFL_UP = 1, SHFL_DOWN = 2, SHFL_XOR = 3 };

/* The value of `v` held by the source lane (CUDA's rules for width < 32 included); a source lane
 * outside the collective yields the caller's own value. */
unsigned long long __emu_shfl(unsigned mask, unsigned long long v, int mode, int arg, int width) {
    const unsigned lane = my_index & 31;
    warp_state *w = &warps[my_index >> 5];
    if (width <= 0 || width > 32 || (width & (width - 1))) width = 32;
    const int seg = (int)lane & ~(width - 1);
    int src = (int)lane;
    switch (mode) {
    case SHFL_IDX: src = seg + (arg & (width - 1)); break;
    case SHFL_UP: src = (int)lane - arg; if (src < seg) src = (int)lane; break;
    case SHFL_DOWN: src = (int)lane + arg; if (src >= seg + width) src = (int)lane; break;
    case SHFL_XOR: src = (int)lane ^ arg; if (src >= seg + width || src < 0 || src > 31) src = (int)lane; break;
    }
    w->stage[lane] = v;
    warp_barrier(w, mask, "a warp shuffle");
    unsigned long long r = ((mask & warp_alive(w)) >> src) & 1u ? w->stage[src] : v;
    warp_barrier(w, mask, "a warp shuffle");
    return r;
}

unsigned __emu_ballot(unsigned mask, int predicate) {
    const unsigned lane = my_index & 31;
    warp_state *w = &warps[my_index >> 5];
    w->stage[lane] = predicate != 0;
    warp_barrier(w, mask, "__ballot_sync");
    unsigned members = mask & warp_alive(w), r = 0;
    for (unsigned l = 0; l < 32; l++)
        if (((members >> l) & 1u) && w->stage[l]) r |= 1u << l;
    warp_barrier(w, mask, "__ballot_sync");
    return r;
}

void __emu_syncwarp(unsigned mask) { warp_barrier(&warps[my_index >> 5], mask, "__syncwarp"); }

unsigned __emu_activemask(void) {
    not_cooperative("__activemask()");
    return warp_alive(&warps[my_index >> 5]);
}

void __emu_trap(void) {
    emu_log("kernel %s called __trap() in block (%u,%u,%u), thread %u; aborting", cur.kernel,
            cur.block.x, cur.block.y, cur.block.z, my_index);
    abort();
}

/* ---------------------------------------------------------------- the pool */

/* A thread returned from the kernel: it leaves the block barrier and its warp. */
static void thread_exited(void) {
    unsigned long long s = atomic_load(&bar_state), next;
    int last;
    do {
        const unsigned arrived = (unsigned)(s >> 32), live = (unsigned)s - 1;
        last = arrived > 0 && arrived >= live;
        next = last ? live : (unsigned long long)arrived << 32 | live;
    } while (!atomic_compare_exchange_weak(&bar_state, &s, next));
    if (last) release(&bar_gen);

    warp_state *w = &warps[my_index >> 5];
    s = atomic_load(&w->state);
    do {
        const unsigned arrived = (unsigned)(s >> 32), alive = (unsigned)s & ~(1u << (my_index & 31));
        last = arrived > 0 && arrived >= (unsigned)__builtin_popcount(atomic_load(&w->mask) & alive);
        next = last ? alive : (unsigned long long)arrived << 32 | alive;
    } while (!atomic_compare_exchange_weak(&w->state, &s, next));
    if (last) release(&w->gen);
}

static void set_thread_index(unsigned linear) {
    my_index = linear;
    threadIdx.x = linear % blockDim.x;
    threadIdx.y = linear / blockDim.x % blockDim.y;
    threadIdx.z = linear / (blockDim.x * blockDim.y);
}

static void *worker_main(void *arg) {
    worker *me = arg;
    unsigned seen = 0;
    for (;;) {
        wait_forever(&me->go, seen);
        seen = atomic_load(&me->go);
        blockIdx = cur.block;
        if (cur.cooperative) {
            set_thread_index(me->index);
            cur.tramp(cur.params);
            thread_exited();
        } else {
            const unsigned from = (unsigned)((unsigned long long)cur.nthreads * me->index / cur.workers_used);
            const unsigned to = (unsigned)((unsigned long long)cur.nthreads * (me->index + 1) / cur.workers_used);
            in_slice = 1;
            for (unsigned t = from; t < to; t++) {
                set_thread_index(t);
                cur.tramp(cur.params);
            }
            in_slice = 0;
        }
        if (atomic_fetch_sub(&cur.remaining, 1) == 1) wake_all(&cur.remaining);
    }
    return NULL;
}

static int grow_pool(unsigned n) {
    if (n <= nworkers) return 0;
    pthread_attr_t attr;
    sigset_t all, old;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, WORKER_STACK_BYTES);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    /* Workers inherit this mask: the JVM's asynchronous signals go to its own threads, while a fault
     * in a kernel still reaches the JVM's crash handler (hs_err names the native frame). */
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGBUS);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGILL);
    sigdelset(&all, SIGABRT);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = 0;
    for (; nworkers < n; nworkers++) {
        workers[nworkers].index = nworkers;
        if ((rc = pthread_create(&workers[nworkers].tid, &attr, worker_main, &workers[nworkers])) != 0) break;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    return rc;
}

static void *dynamic_buffer(size_t bytes) {
    static void *buf;
    static size_t cap;
    if (bytes > cap) {
        free(buf);
        buf = NULL;
        cap = 0;
        if (posix_memalign(&buf, 256, bytes) != 0) return NULL;
        cap = bytes;
    }
    return buf;
}

CUresult emu_execute(const char *kernel, emu_trampoline tramp, void **params, const emu_geometry *g) {
    const unsigned nthreads = g->block[0] * g->block[1] * g->block[2];
    static int configured;
    static unsigned slice_workers;
    if (nthreads == 0 || nthreads > MAX_THREADS) return CUDA_ERROR_INVALID_VALUE;

    pthread_mutex_lock(&launch_mu);
    if (!configured) {
        const char *s = getenv("AUGMIX4J_EMU_DEADLOCK_SECONDS");
        if (s && atoi(s) > 0) deadlock_seconds = atoi(s);
        /* workers for non-cooperative kernels: the cores, at least 2 so that races can still show */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        slice_workers = cores < 2 ? 2 : cores > 16 ? 16 : (unsigned)cores;
        configured = 1;
    }
    const unsigned used = g->cooperative ? nthreads : (nthreads < slice_workers ? nthreads : slice_workers);
    if (grow_pool(used) != 0) {
        pthread_mutex_unlock(&launch_mu);
        emu_log("cannot create %u threads for kernel %s", nthreads, kernel);
        return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
    }
    void *dyn = g->dynamic_shared ? dynamic_buffer(g->dynamic_shared) : NULL;
    if (g->dynamic_shared && !dyn) {
        pthread_mutex_unlock(&launch_mu);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    __emu_dynamic_shared = dyn;
    blockDim = (emu_uint3){g->block[0], g->block[1], g->block[2]};
    gridDim = (emu_uint3){g->grid[0], g->grid[1], g->grid[2]};
    cur.kernel = kernel;
    cur.tramp = tramp;
    cur.params = params;
    cur.cooperative = g->cooperative;
    cur.nthreads = nthreads;
    cur.workers_used = used;

    for (unsigned z = 0; z < g->grid[2]; z++)
        for (unsigned y = 0; y < g->grid[1]; y++)
            for (unsigned x = 0; x < g->grid[0]; x++) {
                if (g->static_shared_bytes) memset(g->static_shared, 0xFF, g->static_shared_bytes);
                if (dyn) memset(dyn, 0xFF, g->dynamic_shared);
                cur.block = (emu_uint3){x, y, z};
                atomic_store(&bar_state, nthreads);
                for (unsigned wi = 0; wi * 32 < nthreads; wi++) {
                    unsigned lanes = nthreads - wi * 32;
                    atomic_store(&warps[wi].state, lanes >= 32 ? 0xFFFFFFFFu : (1u << lanes) - 1);
                }
                atomic_store(&cur.remaining, used);
                for (unsigned i = 0; i < used; i++) {
                    atomic_fetch_add(&workers[i].go, 1);
                    futex(&workers[i].go, FUTEX_WAKE_PRIVATE, 1, NULL);
                }
                unsigned left;
                while ((left = atomic_load(&cur.remaining)) != 0) futex(&cur.remaining, FUTEX_WAIT_PRIVATE, left, NULL);
            }
    pthread_mutex_unlock(&launch_mu);
    return CUDA_SUCCESS;
}
