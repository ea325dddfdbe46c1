package org.augmix4j.cuda;

import java.util.Map;

/**
 * Names of {@code cudnnStatus_t} codes in both numberings. cuDNN 9.0 renumbered every error code
 * (SUCCESS stays 0; cuDNN 8 used 1..14, cuDNN 9 uses families 1000.., 2000.. BAD_PARAM, 3000..
 * NOT_SUPPORTED, 4000.. INTERNAL_ERROR, 5000.. EXECUTION_FAILED). JCudnn 11.7's own
 * {@code cudnnStatus.stringFor} knows only the old codes and prints {@code INVALID cudnnStatus: 3000};
 * the compatibility shim passes cuDNN 9's codes through unchanged (and its stubs for removed
 * functions return 3000). The two ranges do not overlap, so a code names itself.
 * Sources: cuDNN 8's {@code cudnn_ops_infer.h} and cuDNN 9's {@code cudnn_graph.h} ({@code cudnnStatus_t}).
 */
public final class CudnnStatus {
    private CudnnStatus() {}

    public static final int SUCCESS = 0;
    /** cuDNN 9's NOT_SUPPORTED, also what the shim's stubs for removed functions return. */
    public static final int NOT_SUPPORTED_V9 = 3000;
    /** cuDNN 8's NOT_SUPPORTED. */
    public static final int NOT_SUPPORTED_V8 = 9;

    private static final Map<Integer, String> V8 = Map.ofEntries(
            Map.entry(0, "SUCCESS"),
            Map.entry(1, "NOT_INITIALIZED"),
            Map.entry(2, "ALLOC_FAILED"),
            Map.entry(3, "BAD_PARAM"),
            Map.entry(4, "INTERNAL_ERROR"),
            Map.entry(5, "INVALID_VALUE"),
            Map.entry(6, "ARCH_MISMATCH"),
            Map.entry(7, "MAPPING_ERROR"),
            Map.entry(8, "EXECUTION_FAILED"),
            Map.entry(9, "NOT_SUPPORTED"),
            Map.entry(10, "LICENSE_ERROR"),
            Map.entry(11, "RUNTIME_PREREQUISITE_MISSING"),
            Map.entry(12, "RUNTIME_IN_PROGRESS"),
            Map.entry(13, "RUNTIME_FP_OVERFLOW"),
            Map.entry(14, "VERSION_MISMATCH"));

    private static final Map<Integer, String> V9 = Map.ofEntries(
            Map.entry(1001, "NOT_INITIALIZED"),
            Map.entry(1002, "SUBLIBRARY_VERSION_MISMATCH"),
            Map.entry(1003, "SERIALIZATION_VERSION_MISMATCH"),
            Map.entry(1004, "DEPRECATED"),
            Map.entry(1005, "LICENSE_ERROR"),
            Map.entry(1006, "RUNTIME_IN_PROGRESS"),
            Map.entry(1007, "RUNTIME_FP_OVERFLOW"),
            Map.entry(1008, "SUBLIBRARY_LOADING_FAILED"),
            Map.entry(2000, "BAD_PARAM"),
            Map.entry(2001, "INVALID_VALUE"),
            Map.entry(2002, "BAD_PARAM_NULL_POINTER"),
            Map.entry(2003, "BAD_PARAM_MISALIGNED_POINTER"),
            Map.entry(2004, "BAD_PARAM_NOT_FINALIZED"),
            Map.entry(2005, "BAD_PARAM_OUT_OF_BOUND"),
            Map.entry(2006, "BAD_PARAM_SIZE_INSUFFICIENT"),
            Map.entry(2007, "BAD_PARAM_STREAM_MISMATCH"),
            Map.entry(2008, "BAD_PARAM_SHAPE_MISMATCH"),
            Map.entry(2009, "BAD_PARAM_DUPLICATED_ENTRIES"),
            Map.entry(2010, "BAD_PARAM_ATTRIBUTE_TYPE"),
            Map.entry(2011, "BAD_PARAM_CUDA_GRAPH_MISMATCH"),
            Map.entry(2012, "BAD_PARAM_DESCRIPTOR_TYPE"),
            Map.entry(3000, "NOT_SUPPORTED"),
            Map.entry(3001, "NOT_SUPPORTED_GRAPH_PATTERN"),
            Map.entry(3002, "NOT_SUPPORTED_SHAPE"),
            Map.entry(3003, "NOT_SUPPORTED_DATA_TYPE"),
            Map.entry(3004, "NOT_SUPPORTED_LAYOUT"),
            Map.entry(3005, "NOT_SUPPORTED_INCOMPATIBLE_CUDA_DRIVER"),
            Map.entry(3006, "NOT_SUPPORTED_INCOMPATIBLE_CUDART"),
            Map.entry(3007, "NOT_SUPPORTED_ARCH_MISMATCH"),
            Map.entry(3008, "NOT_SUPPORTED_RUNTIME_PREREQUISITE_MISSING"),
            Map.entry(3009, "NOT_SUPPORTED_SUBLIBRARY_UNAVAILABLE"),
            Map.entry(3010, "NOT_SUPPORTED_SHARED_MEMORY_INSUFFICIENT"),
            Map.entry(3011, "NOT_SUPPORTED_PADDING"),
            Map.entry(3012, "NOT_SUPPORTED_BAD_LAUNCH_PARAM"),
            Map.entry(3013, "NOT_SUPPORTED_CUDA_GRAPH_NATIVE_API"),
            Map.entry(3014, "NOT_SUPPORTED_INVALID_DYNAMIC_SHAPE"),
            Map.entry(4000, "INTERNAL_ERROR"),
            Map.entry(4001, "INTERNAL_ERROR_COMPILATION_FAILED"),
            Map.entry(4002, "INTERNAL_ERROR_UNEXPECTED_VALUE"),
            Map.entry(4003, "INTERNAL_ERROR_HOST_ALLOCATION_FAILED"),
            Map.entry(4004, "INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED"),
            Map.entry(4005, "INTERNAL_ERROR_BAD_LAUNCH_PARAM"),
            Map.entry(4006, "INTERNAL_ERROR_TEXTURE_CREATION_FAILED"),
            Map.entry(5000, "EXECUTION_FAILED"),
            Map.entry(5001, "EXECUTION_FAILED_CUDA_DRIVER"),
            Map.entry(5002, "EXECUTION_FAILED_CUBLAS"),
            Map.entry(5003, "EXECUTION_FAILED_CUDART"),
            Map.entry(5004, "EXECUTION_FAILED_CURAND"));

    /** cuDNN 9 families by thousands digit, for codes a newer cuDNN adds. */
    private static final Map<Integer, String> FAMILIES = Map.of(1, "NOT_INITIALIZED", 2, "BAD_PARAM",
            3, "NOT_SUPPORTED", 4, "INTERNAL_ERROR", 5, "EXECUTION_FAILED");

    /**
     * The constant's name, e.g. {@code CUDNN_STATUS_NOT_SUPPORTED} for 3000 and for 9; an unknown
     * code in a cuDNN 9 family gets the family's name with a {@code _<code>} suffix.
     */
    public static String name(int status) {
        String n = V8.get(status);
        if (n == null) n = V9.get(status);
        if (n == null && status > 1000 && status < 6000) n = FAMILIES.get(status / 1000) + "_" + status;
        return n == null ? "UNKNOWN_CUDNN_STATUS_" + status : "CUDNN_STATUS_" + n;
    }

    /** {@code CUDNN_STATUS_NOT_SUPPORTED (3000, cuDNN 9 numbering)}. */
    public static String describe(int status) {
        String numbering = status == 0 ? "" : isV9(status) ? ", cuDNN 9 numbering" : V8.containsKey(status) ? ", cuDNN 8 numbering" : "";
        return name(status) + " (" + status + numbering + ")";
    }

    /** Whether the code is in cuDNN 9's numbering (>= 1000). */
    public static boolean isV9(int status) { return status >= 1000; }

    /**
     * The cuDNN 8 code of the same meaning, for code written against JCudnn 11.7's constants
     * (e.g. 3000 and 3000..3014 give 9 NOT_SUPPORTED; 4003 gives 2 ALLOC_FAILED); cuDNN 8 codes are
     * returned unchanged; -1 for a cuDNN 9 code with no cuDNN 8 counterpart.
     */
    public static int toV8(int status) {
        if (!isV9(status)) return status;
        return switch (status) {
            case 1001 -> 1;
            case 4003 -> 2;
            case 2001 -> 5;
            case 3007 -> 6;
            case 4006 -> 7;
            case 1005 -> 10;
            case 3008 -> 11;
            case 1006 -> 12;
            case 1007 -> 13;
            case 1002 -> 14;
            default -> switch (status / 1000) {
                case 2 -> 3;
                case 3 -> 9;
                case 4 -> 4;
                case 5 -> 8;
                default -> -1;
            };
        };
    }

    /** Throws a {@link CudnnException} naming the call and the status unless it is SUCCESS. */
    public static void check(int status, String what) {
        if (status != SUCCESS) throw new CudnnException(status, what);
    }

    /** A failed cuDNN call, with the status by name. */
    public static final class CudnnException extends RuntimeException {
        private final int status;

        public CudnnException(int status, String what) {
            super(what + ": " + describe(status));
            this.status = status;
        }

        public int status() { return status; }
    }
}
