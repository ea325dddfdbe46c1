// kernels/concat.cu: channel concatenation, torch.cat([a, b], 1) on NCHW maps (the model zoo's
// DenseNet), as a general "channel range" copy: concat of a and b is two launches, a at channel
// offset 0 and b at offset Ca. Launched by ops/ConcatCuda.java; the CPU reference is ops/Concat.java
// and ConcatCudaTest compares the two bit for bit (copies, and one float addition per element).
//
// Contract
// - src, dsrc (N, Cs, HW); dst, ddst (N, Cd, HW), spatial dimensions flattened, row-major;
//   0 <= offset and offset + Cs <= Cd; every size < 2^31 elements (the launcher checks).
// - concat_forward: one thread per SOURCE element (N*Cs*HW), 1-D grid, any blockDim.x:
//   dst[n, offset + c, j] = src[n, c, j]; the rest of dst is not touched.
// - concat_backward: one thread per SOURCE element: dsrc[n, c, j] += ddst[n, offset + c, j]
//   (accumulates, like every backward of the project).
// - src and dst must not overlap (no __restrict__, but a copy onto itself is not defined).
// Versions: v1 (this): coalesced on both sides (consecutive threads, consecutive j and c); memory
// bound at 8 bytes per element. A DenseNet block that keeps its features in one preallocated
// (N, C_total, HW) buffer needs only one launch per layer (the new slice at its offset) instead of
// the O(L^2) copies of re-concatenating; float4 loads when HW % 4 == 0 are the next rung.
#include "common.cuh"

// dst[:, offset:offset+cs] = src. src: (n, cs, hw); dst: (n, cd, hw)
extern "C" __global__ void concat_forward(const float* src, float* dst, int n, int cs, int cd, int offset, int hw) {
    const long long i = global_index_x();
    const long long per = (long long)cs * hw;
    if (i >= (long long)n * per) return;
    const long long b = i / per, r = i - b * per;
    dst[(b * cd + offset) * hw + r] = src[i];
}

// dsrc += ddst[:, offset:offset+cs]. ddst: (n, cd, hw); dsrc: (n, cs, hw) accumulated
extern "C" __global__ void concat_backward(const float* ddst, float* dsrc, int n, int cs, int cd, int offset, int hw) {
    const long long i = global_index_x();
    const long long per = (long long)cs * hw;
    if (i >= (long long)n * per) return;
    const long long b = i / per, r = i - b * per;
    dsrc[i] += ddst[(b * cd + offset) * hw + r];
}
