// kernels/normalize.cu: uint8 images to the network's float input, on the device: the test-time
// preprocessing of the official code ((x / 255 - 0.5) / 0.5, no crop or flip) for evaluation
// batches uploaded as uint8 (clean test set, CIFAR-C), so no per-image work stays on the host.
// Launched by ops/NormalizeCuda.java; the CPU reference is ops/Normalize.java (the same float
// operations as augment.AugMix.normalize and train.Evaluator.preprocess), and NormalizeCudaTest
// compares the two bit for bit (-fmad=false; IEEE division).
//
// Contract
// - images (n, hw, c) uint8, NHWC with c >= 3 interleaved channels (the first three are R, G, B);
//   out (n, 3, hw) float32 NCHW: out[(i*3 + ch)*hw + q] = ((float)images[(i*hw + q)*c + ch] / 255 - 0.5) / 0.5.
// - normalize_forward: one thread per output element (n*3*hw < 2^31), 1-D grid, any blockDim.x.
// Versions: v1 (this). Reads are strided by c (uncoalesced by a factor 3); evaluation batches are
// small next to the network's forward, so a shared-memory transpose waits for a benchmark.
#include "common.cuh"

// out (n, 3, hw) = normalised images (n, hw, c).
extern "C" __global__ void normalize_forward(const unsigned char* images, float* out, int n, int hw, int c) {
    const long long i = global_index_x();
    const long long total = (long long)n * 3 * hw;
    if (i >= total) return;
    const long long img = i / (3LL * hw);
    const int rem = (int)(i - img * 3LL * hw);
    const int ch = rem / hw, q = rem - ch * hw;
    const float u = (float)images[(img * hw + q) * c + ch];
    out[i] = (u / 255.f - 0.5f) / 0.5f;
}
