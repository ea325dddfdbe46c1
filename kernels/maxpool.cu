// kernels/maxpool.cu: 2-D max pooling, PyTorch's MaxPool2d(k, stride=s) with no padding, no
// dilation and floor output size (the model zoo's AllConv and ResNeXt), forward and backward.
// Launched by ops/MaxPoolCuda.java; the CPU reference is ops/MaxPool.java and MaxPoolCudaTest
// compares the two bit for bit (comparisons and copies forward, the same float additions in the
// same order backward).
//
// Contract
// - x, dx (N, C, H, W) and y, dy (N, C, Ho, Wo) row-major NCHW, Ho = (H - k) / s + 1 and
//   Wo = (W - k) / s + 1 (k <= H, W; k, s >= 1; every size < 2^31 elements: the launcher checks).
// - The argmax of a window (PyTorch's rule): scan rows top to bottom, each left to right, starting
//   from max = -inf and index = the window's first element; an element v replaces the current one
//   when v > max or v is NaN. Ties go to the first maximum; a NaN in the window makes y NaN (the
//   last NaN is the argmax); an all -inf window gives -inf at its first element.
// - max_pool_forward: one thread per OUTPUT element (N*C*Ho*Wo), 1-D grid, any blockDim.x:
//   y[o] = x[argmax(window o)].
// - max_pool_backward: one thread per INPUT element (N*C*H*W), 1-D grid, any blockDim.x. The thread
//   of element e walks the outputs whose window contains e, in increasing output order, recomputes
//   each one's argmax from x and adds dy[o] to its running value of dx[e] when the argmax is e:
//   dx[e] += dy[o1]; dx[e] += dy[o2]; ... exactly the reference's scatter order per element. No
//   atomics, deterministic, correct for overlapping windows (k > s). Elements in no window (the
//   rows/columns floor drops) and elements that are never an argmax are not written.
// Versions: v1 (this). The backward reads each window (k*k) once per (output, contained element):
// ceil(k/s)^2 * k^2 reads per element, 36 for k=3 s=2 and 4 for k=2 s=2; storing the forward's
// argmax indices (PyTorch's way) is the next rung if a bench says so.
#include "common.cuh"

// Index (within the plane) of the maximum of the k x k window whose top-left corner is (h0, w0).
// plane: one (H, W) map of x.
__device__ __forceinline__ int maxpool_window_argmax(const float* plane, int w, int h0, int w0, int k) {
    int best = h0 * w + w0;
    float m = -INFINITY;
    for (int i = 0; i < k; i++) {
        const int row = (h0 + i) * w + w0;
        for (int j = 0; j < k; j++) {
            const float v = plane[row + j];
            if (v > m || isnan(v)) {
                m = v;
                best = row + j;
            }
        }
    }
    return best;
}

// y = max over each k x k window (stride s). x: (n, c, h, w); y: (n, c, ho, wo)
extern "C" __global__ void max_pool_forward(const float* x, float* y, int n, int c, int h, int w, int k, int s) {
    const long long i = global_index_x();
    const int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
    if (i >= (long long)n * c * ho * wo) return;
    const long long p = i / ((long long)ho * wo);  // plane (n, c)
    const int r = (int)(i - p * ho * wo), oh = r / wo, ow = r % wo;
    const float* plane = x + p * h * w;
    y[i] = plane[maxpool_window_argmax(plane, w, oh * s, ow * s, k)];
}

// dx[e] += dy[o] for every output o whose window's argmax is e, in increasing o.
// x: (n, c, h, w) the forward's input; dy: (n, c, ho, wo); dx: (n, c, h, w) accumulated
extern "C" __global__ void max_pool_backward(const float* x, const float* dy, float* dx, int n, int c, int h, int w, int k, int s) {
    const long long i = global_index_x();
    if (i >= (long long)n * c * h * w) return;
    const int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
    const long long p = i / ((long long)h * w);
    const int e = (int)(i - p * h * w), ih = e / w, iw = e % w;
    // the windows containing (ih, iw): oh * s <= ih <= oh * s + k - 1, likewise ow
    const int oh0 = ih < k ? 0 : (ih - k) / s + 1, oh1 = min(ih / s, ho - 1);
    const int ow0 = iw < k ? 0 : (iw - k) / s + 1, ow1 = min(iw / s, wo - 1);
    if (oh0 > oh1 || ow0 > ow1) return;
    const float* plane = x + p * h * w;
    const float* g = dy + p * ho * wo;
    float acc = dx[i];
    bool hit = false;
    for (int oh = oh0; oh <= oh1; oh++) {
        for (int ow = ow0; ow <= ow1; ow++) {
            if (maxpool_window_argmax(plane, w, oh * s, ow * s, k) == e) {
                acc += g[oh * wo + ow];
                hit = true;
            }
        }
    }
    if (hit) dx[i] = acc;
}
