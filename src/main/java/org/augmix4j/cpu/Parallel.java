package org.augmix4j.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The CPU engine's thread pool: daemon threads (so {@code exec:java} can exit), one per core by
 * default, and a blocked parallel-for. Every multithreaded CPU op goes through {@link #range}.
 *
 * <p>Nesting: a range started inside another range's body runs inline on the calling thread
 * (the fixed pool would otherwise deadlock waiting on itself).
 *
 * <p>Determinism: work is split into fixed contiguous chunks, and no op reduces across chunks in a
 * thread-dependent order, so results do not depend on scheduling.
 */
public final class Parallel {
    /** Body of a parallel loop over {@code [start, end)}. */
    @FunctionalInterface
    public interface Range {
        void run(int start, int end);
    }

    private static volatile int threads = Runtime.getRuntime().availableProcessors();
    /** Set while a thread runs a chunk: a nested range runs inline instead of waiting on a busy pool. */
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);
    private static volatile ExecutorService pool;

    private Parallel() {}

    /** Number of worker threads (including the caller). */
    public static int threads() { return threads; }

    /** Sets the thread count (e.g. from {@code --num-workers}); 0 or less means all cores. */
    public static synchronized void setThreads(int n) {
        int t = n <= 0 ? Runtime.getRuntime().availableProcessors() : n;
        if (t != threads && pool != null) {
            pool.shutdown();
            pool = null;
        }
        threads = t;
    }

    private static ExecutorService pool() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (Parallel.class) {
                if (pool == null) {
                    pool = Executors.newFixedThreadPool(Math.max(1, threads - 1), r -> {
                        Thread t = new Thread(r, "augmix4j-cpu");
                        t.setDaemon(true);
                        return t;
                    });
                }
                p = pool;
            }
        }
        return p;
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@code threads()} contiguous chunks of
     * at least {@code grain} items; the calling thread runs the first chunk.
     */
    public static void range(int n, int grain, Range body) {
        if (n <= 0) return;
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || INSIDE.get()) {
            body.run(0, n);
            return;
        }
        List<Future<?>> futures = new ArrayList<>(chunks - 1);
        ExecutorService p = pool();
        for (int k = 1; k < chunks; k++) {
            int s = (int) ((long) n * k / chunks), e = (int) ((long) n * (k + 1) / chunks);
            futures.add(p.submit(() -> runInside(body, s, e)));
        }
        runInside(body, 0, (int) ((long) n / chunks));
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted in a parallel CPU op", ex);
            } catch (ExecutionException ex) {
                Throwable c = ex.getCause();
                if (c instanceof RuntimeException re) throw re;
                if (c instanceof Error er) throw er;
                throw new IllegalStateException(c);
            }
        }
    }

    private static void runInside(Range body, int s, int e) {
        INSIDE.set(true);
        try {
            body.run(s, e);
        } finally {
            INSIDE.set(false);
        }
    }

    /** {@link #range} with grain 1. */
    public static void range(int n, Range body) { range(n, 1, body); }
}
