/* A stand-in for cuBLAS 13's libcublas.so.13 (soname and version node libcublas.so.13), for
   CompatShimTest. It needs libcublasLt.so.13 (fake_cublasLt13.c) and is linked without a run path,
   so it loads only if the loader preloaded that companion from the same directory. */
extern int cublasLtFakeAnswer(void);

int cublasGetProperty(int type, int *value) {
    static const int version[3] = {13, 1, 1};
    if (type < 0 || type > 2) return 7; /* CUBLAS_STATUS_INVALID_VALUE */
    *value = version[type] + 0 * cublasLtFakeAnswer();
    return 0;
}

/* as on a machine without a GPU: CUBLAS_STATUS_NOT_INITIALIZED */
int cublasCreate_v2(void **handle) {
    *handle = (void *) 0;
    return 1;
}
