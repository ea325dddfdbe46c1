// kernels/gelu.cu: the sigmoid-form GELU of the official AllConv (augmix's allconv.py),
// y = x * sigmoid(1.702 x), and its gradient. Launched by ops/GeluCuda.java; the CPU reference is
// ops/Gelu.java (float path, and the float64 *Ref paths), GeluCudaTest compares them.
//
// Contract (every kernel)
// - Flat float32 arrays of n elements (0 <= n < 2^31), one thread per element, 1-D grid of
//   ceil_div(n, blockDim.x) blocks; any blockDim.x works (the launcher uses 256).
// - The float32 steps of PyTorch's torch.sigmoid(1.702 * x) * x, in that order, each rounded to
//   float (built with -fmad=false, so no contraction):
//     t = 1.702f * x;  e = (float) exp(-(double) t);  s = 1 / (1 + e);  y = s * x
//   e comes from the double exp rounded to float (as ops/Gelu does with StrictMath.exp): the two
//   sides agree bit for bit unless CUDA's double exp and Java's differ in their last bit right at a
//   float rounding boundary (about 2^-29 of inputs; GeluCudaTest allows that one ulp).
// - gelu_backward accumulates: dx += dy * (s + t * (s * (1 - s))), the same float steps as Gelu.
// - y may alias x (forward in place); dx must not alias x or dy.
// Versions: one each (v1). The double exp costs FP64 throughput on consumer GPUs (1/64 rate); the
// op is a small part of a step next to the convolutions (bench/.../GeluCudaBench to be written).
#include "common.cuh"

#define GELU_A 1.702f

// s = sigmoid(t) in the float steps of the contract.
__device__ __forceinline__ float gelu_sigmoid(float t) {
    const float e = (float)exp(-(double)t);
    return 1.f / (1.f + e);
}

// y = x * sigmoid(1.702 x). x, y: (n)
extern "C" __global__ void gelu_forward(const float* x, float* y, int n) {
    const long long i = global_index_x();
    if (i >= n) return;
    const float v = x[i];
    const float s = gelu_sigmoid(GELU_A * v);
    y[i] = s * v;
}

// dx += dy * d(x sigmoid(1.702 x))/dx = dy * (s + 1.702 x s (1 - s)). x, dy, dx: (n)
extern "C" __global__ void gelu_backward(const float* x, const float* dy, float* dx, int n) {
    const long long i = global_index_x();
    if (i >= n) return;
    const float t = GELU_A * x[i];
    const float s = gelu_sigmoid(t);
    const float g = s + t * (s * (1.f - s));
    dx[i] += dy[i] * g;
}
