// kernels/avgpool.cu: 2-D average pooling, PyTorch's AvgPool2d(k, stride=s) / avg_pool2d with no
// padding and floor output size, divided by k*k (the model zoo's DenseNet transitions, avg_pool2d(2),
// and heads, AvgPool2d(8) on 8x8 and on AllConv's 10x10, where floor keeps one window over the
// top-left 8x8), forward and backward. Launched by ops/AvgPoolCuda.java; the CPU reference is
// ops/AvgPool.java and AvgPoolCudaTest compares the two bit for bit.
//
// Contract
// - x, dx (N, C, H, W) and y, dy (N, C, Ho, Wo) row-major NCHW, Ho = (H - k) / s + 1 and
//   Wo = (W - k) / s + 1 (k <= H, W; k, s >= 1; every size < 2^31 elements: the launcher checks).
// - avg_pool_forward: one thread per OUTPUT element (N*C*Ho*Wo), 1-D grid, any blockDim.x:
//   y[o] = (float)(sum of o's window in double, rows top to bottom, each left to right / (k*k)),
//   the reference's exact operations.
// - avg_pool_backward: one thread per INPUT element (N*C*H*W), 1-D grid, any blockDim.x: for each
//   output o whose window contains the element, in increasing o, dx += dy[o] / (float)(k*k) (float,
//   one rounding for the quotient and one per addition), the order in which the reference's scatter
//   reaches that element. No atomics, deterministic, correct for overlapping windows (k > s).
//   Elements in no window (what floor drops) are not written.
// Versions: v1 (this). The heads' AvgPool2d(8) is one thread per (n, c) reading 64 values; a
// warp-per-window form is the next rung if a bench says so.
#include "common.cuh"

// y = mean over each k x k window (stride s). x: (n, c, h, w); y: (n, c, ho, wo)
extern "C" __global__ void avg_pool_forward(const float* x, float* y, int n, int c, int h, int w, int k, int s) {
    const long long i = global_index_x();
    const int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
    if (i >= (long long)n * c * ho * wo) return;
    const long long p = i / ((long long)ho * wo);  // plane (n, c)
    const int r = (int)(i - p * ho * wo), oh = r / wo, ow = r % wo;
    const float* win = x + p * h * w + (long long)(oh * s) * w + ow * s;
    double sum = 0.0;
    for (int a = 0; a < k; a++) {
        for (int b = 0; b < k; b++) sum += win[a * w + b];
    }
    y[i] = (float)(sum / (double)(k * k));
}

// dx += dy[o] / (k*k) for every output o whose window contains the element, in increasing o.
// dy: (n, c, ho, wo); dx: (n, c, h, w) accumulated
extern "C" __global__ void avg_pool_backward(const float* dy, float* dx, int n, int c, int h, int w, int k, int s) {
    const long long i = global_index_x();
    if (i >= (long long)n * c * h * w) return;
    const int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
    const long long p = i / ((long long)h * w);
    const int e = (int)(i - p * h * w), ih = e / w, iw = e % w;
    // the windows containing (ih, iw): oh * s <= ih <= oh * s + k - 1, likewise ow
    const int oh0 = ih < k ? 0 : (ih - k) / s + 1, oh1 = min(ih / s, ho - 1);
    const int ow0 = iw < k ? 0 : (iw - k) / s + 1, ow1 = min(iw / s, wo - 1);
    if (oh0 > oh1 || ow0 > ow1) return;
    const float* g = dy + p * ho * wo;
    const float area = (float)(k * k);
    float acc = dx[i];
    for (int oh = oh0; oh <= oh1; oh++) {
        for (int ow = ow0; ow <= ow1; ow++) acc += g[oh * wo + ow] / area;
    }
    dx[i] = acc;
}
