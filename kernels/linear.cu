// kernels/linear.cu: the fallback fully connected layer (used where cuBLAS cannot be loaded, and
// under the emulator), PyTorch layout: y (N, K) = x (N, C) W^T + b, W (K, C), b (K). Launched by
// ops/LinearCuda.java; the CPU reference is ops/Linear.java and LinearCudaTest compares the two bit
// for bit.
//
// Contract
// - One thread per output element, 1-D grid, any blockDim.x; each thread accumulates in double in
//   the reference's order (float products are exact in double, no contraction): results equal
//   ops.Linear bit for bit. The WRN head is tiny (N x 128 x K, K = 10 or 100), so this costs
//   nothing measurable next to the convolutions.
// - linear_forward: y (N, K) overwritten.
// - linear_backward_data: dx (N, C) = dy (N, K) W (K, C), overwritten.
// - linear_backward_weight: threads (K, C + 1): dW[o, j] += sum_n dy[n, o] x[n, j] for j < C, and
//   db[o] += sum_n dy[n, o] for j = C (accumulated, as the reference).
// Deterministic (no atomics). Versions: v1 (this).
#include "common.cuh"

// y = x W^T + b. x: (n, c); w: (k, c); b: (k); y: (n, k)
extern "C" __global__ void linear_forward(const float* x, const float* w, const float* b, float* y, int n, int c, int k) {
    const long long t = global_index_x();
    if (t >= (long long)n * k) return;
    const int i = (int)(t / k), o = (int)(t % k);
    const float* xr = x + (long long)i * c;
    const float* wr = w + (long long)o * c;
    double s = b[o];
    for (int j = 0; j < c; j++) s += (double)xr[j] * wr[j];
    y[t] = (float)s;
}

// dx = dy W. dy: (n, k); w: (k, c); dx: (n, c)
extern "C" __global__ void linear_backward_data(const float* dy, const float* w, float* dx, int n, int c, int k) {
    const long long t = global_index_x();
    if (t >= (long long)n * c) return;
    const int i = (int)(t / c), j = (int)(t % c);
    const float* g = dy + (long long)i * k;
    double s = 0.0;
    for (int o = 0; o < k; o++) s += (double)g[o] * w[(long long)o * c + j];
    dx[t] = (float)s;
}

// dW += dy^T x, db += column sums of dy. x: (n, c); dy: (n, k); dw: (k, c); db: (k)
extern "C" __global__ void linear_backward_weight(const float* x, const float* dy, float* dw, float* db, int n, int c, int k) {
    const long long t = global_index_x();
    if (t >= (long long)k * (c + 1)) return;
    const int o = (int)(t / (c + 1)), j = (int)(t % (c + 1));
    double s = 0.0;
    if (j == c) {
        for (int i = 0; i < n; i++) s += dy[(long long)i * k + o];
        db[o] += (float)s;
    } else {
        for (int i = 0; i < n; i++) s += (double)dy[(long long)i * k + o] * x[(long long)i * c + j];
        dw[(long long)o * c + j] += (float)s;
    }
}
