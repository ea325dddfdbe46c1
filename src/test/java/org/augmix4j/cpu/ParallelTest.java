package org.augmix4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The pool covers every index once, propagates failures, and does not deadlock when ranges nest. */
class ParallelTest {
    @Test
    void coversEveryIndexOnceAndNests() {
        Parallel.setThreads(2);
        AtomicLong sum = new AtomicLong();
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> Parallel.range(8, (s, e) -> {
            for (int i = s; i < e; i++) {
                int outer = i;
                Parallel.range(1000, 10, (a, b) -> {
                    for (int j = a; j < b; j++) sum.addAndGet(outer * 1000L + j);
                });
            }
        }));
        long expected = 0;
        for (int i = 0; i < 8; i++) for (int j = 0; j < 1000; j++) expected += i * 1000L + j;
        assertEquals(expected, sum.get());
    }

    @Test
    void failuresReachTheCaller() {
        Parallel.setThreads(2);
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> Parallel.range(100, (s, t) -> { if (t == 100) throw new IllegalStateException("boom at " + s); }));
        assertEquals(true, e.getMessage().startsWith("boom"));
    }
}
