/* A stand-in for cuDNN 9's libcudnn.so.9 (soname and version node libcudnn.so.9), for
   CompatShimTest: a few functions with recognisable answers. Everything else JCudnn imports is
   absent, so the libcudnn.so.8 shim must stub it. Not a GPU library: no driver is touched. */
#include <stddef.h>

size_t cudnnGetVersion(void) { return 92400; }
size_t cudnnGetCudartVersion(void) { return 13000; }

const char *cudnnGetErrorString(int status) {
    return status == 3000 ? "CUDNN_STATUS_NOT_SUPPORTED (fake cuDNN 9)" : "fake cuDNN 9 status";
}

/* as on a machine without a GPU: CUDNN_STATUS_NOT_INITIALIZED in cuDNN 9's numbering */
int cudnnCreate(void **handle) {
    *handle = (void *) 0;
    return 1001;
}

int cudnnGetConvolution2dForwardOutputDim(const void *conv, const void *x, const void *w, int *n, int *c, int *h, int *wo) {
    (void) conv; (void) x; (void) w;
    *n = 8; *c = 16; *h = 32; *wo = 31;
    return 0;
}
