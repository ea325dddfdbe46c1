/* The companion of fake_cublas13.c: soname libcublasLt.so.13. */
int cublasLtFakeAnswer(void) { return 42; }
