package org.augmix4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** cuDNN 8 and 9 status codes by name (cudnnStatus_t of cuDNN 8's cudnn_ops_infer.h and cuDNN 9's cudnn_graph.h, as tabulated in CudnnStatus). */
class CudnnStatusTest {
    @Test
    void bothNumberingsHaveNames() {
        assertEquals("CUDNN_STATUS_SUCCESS", CudnnStatus.name(0));
        assertEquals("CUDNN_STATUS_NOT_SUPPORTED", CudnnStatus.name(3000));
        assertEquals("CUDNN_STATUS_NOT_SUPPORTED", CudnnStatus.name(9));
        assertEquals("CUDNN_STATUS_BAD_PARAM", CudnnStatus.name(2000));
        assertEquals("CUDNN_STATUS_BAD_PARAM", CudnnStatus.name(3));
        assertEquals("CUDNN_STATUS_NOT_INITIALIZED", CudnnStatus.name(1001));
        assertEquals("CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH", CudnnStatus.name(3007));
        assertEquals("CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED", CudnnStatus.name(4003));
        assertEquals("CUDNN_STATUS_EXECUTION_FAILED_CUBLAS", CudnnStatus.name(5002));
        assertEquals("CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED", CudnnStatus.name(1008));
        assertEquals("CUDNN_STATUS_NOT_SUPPORTED_3999", CudnnStatus.name(3999), "a code a newer cuDNN adds keeps its family");
        assertEquals("UNKNOWN_CUDNN_STATUS_77", CudnnStatus.name(77));
        assertEquals("CUDNN_STATUS_NOT_SUPPORTED (3000, cuDNN 9 numbering)", CudnnStatus.describe(3000));
        assertEquals("CUDNN_STATUS_NOT_SUPPORTED (9, cuDNN 8 numbering)", CudnnStatus.describe(9));
        assertEquals("CUDNN_STATUS_SUCCESS (0)", CudnnStatus.describe(0));
    }

    @Test
    void v9CodesMapToTheirV8Meaning() {
        int[][] oldToNew = {{1, 1001}, {2, 4003}, {3, 2000}, {4, 4000}, {5, 2001}, {6, 3007}, {7, 4006}, {8, 5000},
                {9, 3000}, {10, 1005}, {11, 3008}, {12, 1006}, {13, 1007}, {14, 1002}};
        for (int[] p : oldToNew) {
            assertEquals(p[0], CudnnStatus.toV8(p[1]), "v9 " + p[1]);
            assertEquals(p[0], CudnnStatus.toV8(p[0]), "v8 codes pass through");
        }
        assertEquals(3, CudnnStatus.toV8(2007), "BAD_PARAM family");
        assertEquals(9, CudnnStatus.toV8(3013), "NOT_SUPPORTED family");
        assertEquals(-1, CudnnStatus.toV8(1003), "SERIALIZATION_VERSION_MISMATCH is new in 9");
    }

    @Test
    void checkNamesTheCallAndTheStatus() {
        CudnnStatus.check(0, "ok");
        CudnnStatus.CudnnException e = assertThrows(CudnnStatus.CudnnException.class,
                () -> CudnnStatus.check(3000, "cudnnConvolutionForward(algo 1)"));
        assertEquals("cudnnConvolutionForward(algo 1): CUDNN_STATUS_NOT_SUPPORTED (3000, cuDNN 9 numbering)", e.getMessage());
        assertEquals(3000, e.status());
        CublasStatus.CublasException b = assertThrows(CublasStatus.CublasException.class, () -> CublasStatus.check(1, "cublasCreate"));
        assertEquals("cublasCreate: CUBLAS_STATUS_NOT_INITIALIZED (1)", b.getMessage());
        assertTrue(CublasStatus.name(99).startsWith("UNKNOWN"));
    }
}
