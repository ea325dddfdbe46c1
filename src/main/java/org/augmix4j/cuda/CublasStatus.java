package org.augmix4j.cuda;

import java.util.Map;

/**
 * Names of {@code cublasStatus_t} codes (unchanged from cuBLAS 12 to 13). The libcublas.so.12
 * compatibility shim returns 15 NOT_SUPPORTED for a function cuBLAS 13 lacks (none known) and 1
 * NOT_INITIALIZED when libcublas.so.13 could not be opened at all.
 */
public final class CublasStatus {
    private CublasStatus() {}

    public static final int SUCCESS = 0;

    private static final Map<Integer, String> NAMES = Map.of(
            0, "SUCCESS", 1, "NOT_INITIALIZED", 3, "ALLOC_FAILED", 7, "INVALID_VALUE", 8, "ARCH_MISMATCH",
            11, "MAPPING_ERROR", 13, "EXECUTION_FAILED", 14, "INTERNAL_ERROR", 15, "NOT_SUPPORTED", 16, "LICENSE_ERROR");

    /** e.g. {@code CUBLAS_STATUS_NOT_INITIALIZED}. */
    public static String name(int status) {
        String n = NAMES.get(status);
        return n == null ? "UNKNOWN_CUBLAS_STATUS_" + status : "CUBLAS_STATUS_" + n;
    }

    /** {@code CUBLAS_STATUS_NOT_INITIALIZED (1)}. */
    public static String describe(int status) { return name(status) + " (" + status + ")"; }

    /** Throws naming the call and the status unless it is SUCCESS. */
    public static void check(int status, String what) {
        if (status != SUCCESS) throw new CublasException(status, what);
    }

    /** A failed cuBLAS call, with the status by name. */
    public static final class CublasException extends RuntimeException {
        private final int status;

        public CublasException(int status, String what) {
            super(what + ": " + describe(status));
            this.status = status;
        }

        public int status() { return status; }
    }
}
