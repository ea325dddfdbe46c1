// kernels/losses.cu: the training loss of AugMix, fused forward + backward: softmax, cross-entropy
// on the clean rows and the Jensen-Shannon consistency term (Hendrycks et al., ICLR 2020, eq. 4; cifar.py),
// plus a plain row softmax for evaluation. Launched by ops/LossesCuda.java; the CPU reference is
// ops/Losses.java (double), and LossesCudaTest compares the two on random logits.
//
// Contract
// - Logits z (views*B, K), row-major, views = 3 (cat([clean, aug1, aug2]), the JSD path) or 1 (the
//   no-JSD path: CE only). labels (B) int, only the clean rows' labels.
// - ce_jsd_backward: one warp per sample b (its rows b, B+b, 2B+b are coupled through the mixture
//   M); any blockDim.x that is a multiple of 32, grid = ceil(B * 32 / blockDim.x). It writes
//     dz (views*B, K) = grad_scale * d/dz [ CE(clean) + jsd_weight * JS ]      (overwritten)
//     terms (B)     = the sample's CE term  -log softmax(z_b)[y_b]
//     terms (B..2B) = sum_v sum_k p_vk (log p_vk - log M_k) of the sample    (views = 3 only)
//   and ORs into *flag: 1 if any of its logits is NaN/Inf, 2 if its label is outside [0, K) (its CE
//   term is then NaN). The flag is sticky: nothing clears it but the caller (read back only when
//   asked, e.g. every --print-freq steps).
// - loss_reduce_forward: ONE block (blockDim.x a multiple of 32) sums the terms in a fixed order:
//     loss[0] = CE + jsd_weight * JS, loss[1] = CE = sum(ce)/B, loss[2] = JS = sum(kl)/(3B)
//   (loss[2] = 0 when views = 1), and ORs 4 into *flag when loss[0] is not finite.
// - softmax_forward: one warp per row; p (rows, K) = softmax(z) (rows, K).
// - train_stats_forward: ONE block; accumulates the epoch's loss sum, correct count and sample count.
// Numerics: per-sample math in double (the work is 3B*K values, latency-bound: double costs
// nothing measurable here and keeps the result equal to the double reference to a few float ulp);
// every reduction is a fixed-shape warp/block tree, so results are deterministic run to run.
// JS gradient as the reference: g_vk = log p_vk + 1 - log M_k - [M_k unclamped] (the path through M
// is cut where the clamp 1e-7 is active), dJS/dz_vk = p_vk (g_vk - sum_k' p_vk' g_vk') / (3B).
// Versions: v1 (this). K is not limited (lanes loop over classes).
#include "common.cuh"

#define LOSS_VIEWS_MAX 3
#define LOSS_MIX_FLOOR 1e-7

// Butterfly sum over the 32 lanes in double: every lane gets the same (bitwise) result.
__device__ __forceinline__ double loss_warp_sum(double v) {
    for (int offset = WARP_SIZE / 2; offset > 0; offset >>= 1) v += __shfl_xor_sync(FULL_MASK, v, offset);
    return v;
}

// Block sum in double, valid in thread 0; blockDim.x a multiple of 32.
__device__ __forceinline__ double loss_block_sum(double v) {
    __shared__ double loss_partial[WARP_SIZE];
    const int lane = threadIdx.x % WARP_SIZE, warp = threadIdx.x / WARP_SIZE;
    v = loss_warp_sum(v);
    if (lane == 0) loss_partial[warp] = v;
    __syncthreads();
    const int warps = blockDim.x / WARP_SIZE;
    v = lane < warps ? loss_partial[lane] : 0.0;
    if (warp == 0) v = loss_warp_sum(v);
    __syncthreads();
    return v;
}

// Row max (float, every lane) and sum of exp(z - max) (double, every lane) of one row of k logits;
// *finite becomes false if the lane saw a NaN/Inf.
__device__ __forceinline__ void loss_row_stats(const float* zr, int k, int lane, float* mx, double* s, bool* finite) {
    float m = -INFINITY;
    for (int j = lane; j < k; j += WARP_SIZE) {
        const float x = zr[j];
        if (!isfinite(x)) *finite = false;
        m = fmaxf(m, x);
    }
    m = warp_reduce_max(m);
    double acc = 0.0;
    for (int j = lane; j < k; j += WARP_SIZE) acc += exp((double)zr[j] - (double)m);
    *mx = m;
    *s = loss_warp_sum(acc);
}

// Fused forward + backward of CE(clean) + jsd_weight * JS (views = 3) or CE alone (views = 1).
// z, dz: (views*b, k); labels: (b); terms: (b) for views = 1, (2b) for views = 3; flag: (1)
extern "C" __global__ void ce_jsd_backward(const float* z, const int* labels, float* dz, float* terms, int* flag, int b, int k, int views, float jsd_weight, float grad_scale) {
    const int lane = threadIdx.x % WARP_SIZE;
    const long long sample = global_index_x() / WARP_SIZE;
    if (sample >= b) return;  // whole warps leave together (blockDim.x is a multiple of 32)

    const float* zr[LOSS_VIEWS_MAX];
    float* dr[LOSS_VIEWS_MAX];
    float mx[LOSS_VIEWS_MAX];
    double s[LOSS_VIEWS_MAX];
    bool finite = true;
    for (int v = 0; v < LOSS_VIEWS_MAX; v++) {
        if (v >= views) break;  // constant trip count: nvcc unrolls, the per-view arrays stay in registers
        const long long row = (long long)v * b + sample;
        zr[v] = z + row * k;
        dr[v] = dz + row * k;
        loss_row_stats(zr[v], k, lane, &mx[v], &s[v], &finite);
    }

    // Cross-entropy of the clean row.
    const int y = labels[sample];
    const bool label_ok = y >= 0 && y < k;
    if (lane == 0) {
        terms[sample] = label_ok ? (float)(-((double)zr[0][y] - (double)mx[0] - log(s[0]))) : NAN;
        if (!label_ok) atomicOr(flag, 2);
    }
    if (!finite) atomicOr(flag, 1);

    // Jensen-Shannon: per class, the views' probabilities, the mixture and g; sums of p*g per view.
    double dot[LOSS_VIEWS_MAX] = {0.0, 0.0, 0.0};
    if (views == 3) {
        double kl = 0.0;
        for (int j = lane; j < k; j += WARP_SIZE) {
            double p[3];
            for (int v = 0; v < 3; v++) p[v] = exp((double)zr[v][j] - (double)mx[v]) / s[v];
            const double m = (p[0] + p[1] + p[2]) / 3;
            const bool open = m >= LOSS_MIX_FLOOR && m <= 1;
            const double log_m = log(fmin(fmax(m, LOSS_MIX_FLOOR), 1.0));
            for (int v = 0; v < 3; v++) {
                if (p[v] != 0.0) {  // only exact zeros drop out: NaN propagates to the loss
                    const double lp = log(p[v]);
                    kl += p[v] * (lp - log_m);
                    dot[v] += p[v] * (lp + 1 - log_m - (open ? 1 : 0));
                }
            }
        }
        kl = loss_warp_sum(kl);
        for (int v = 0; v < 3; v++) dot[v] = loss_warp_sum(dot[v]);
        if (lane == 0) terms[b + sample] = (float)kl;
    }

    // Gradient: CE on the clean row, jsd_weight * JS on every row.
    const double ce_scale = 1.0 / b, js_scale = (double)jsd_weight / (3.0 * b);
    for (int j = lane; j < k; j += WARP_SIZE) {
        double p[LOSS_VIEWS_MAX];
        for (int v = 0; v < LOSS_VIEWS_MAX; v++) {
            if (v >= views) break;
            p[v] = exp((double)zr[v][j] - (double)mx[v]) / s[v];
        }
        double log_m = 0.0;
        bool open = false;
        if (views == 3) {
            const double m = (p[0] + p[1] + p[2]) / 3;
            open = m >= LOSS_MIX_FLOOR && m <= 1;
            log_m = log(fmin(fmax(m, LOSS_MIX_FLOOR), 1.0));
        }
        for (int v = 0; v < LOSS_VIEWS_MAX; v++) {
            if (v >= views) break;
            double d = 0.0;
            if (views == 3) {
                const double g = p[v] != 0.0 ? log(p[v]) + 1 - log_m - (open ? 1 : 0) : 0.0;
                d = js_scale * (p[v] * (g - dot[v]));
            }
            if (v == 0) d += ce_scale * (p[0] - (j == y ? 1.0 : 0.0));
            dr[v][j] = (float)((double)grad_scale * d);
        }
    }
}

// Sums the per-sample terms of ce_jsd_backward into the scalar losses, in a fixed order.
// terms: (b) or (2b); loss: (3); flag: (1). Launch ONE block.
extern "C" __global__ void loss_reduce_forward(const float* terms, float* loss, int* flag, int b, int views, float jsd_weight) {
    double ce = 0.0, kl = 0.0;
    for (int i = threadIdx.x; i < b; i += blockDim.x) {
        ce += terms[i];
        if (views == 3) kl += terms[b + i];
    }
    ce = loss_block_sum(ce);
    kl = loss_block_sum(kl);
    if (threadIdx.x == 0) {
        const double ce_mean = ce / b, js = views == 3 ? kl / (3.0 * b) : 0.0;
        const float total = (float)(ce_mean + (double)jsd_weight * js);
        loss[0] = total;
        loss[1] = (float)ce_mean;
        loss[2] = (float)js;
        if (!isfinite(total)) atomicOr(flag, 4);
    }
}

// The epoch's training figures, accumulated on the device so that a step reads nothing back (the
// trainer downloads stats every --print-freq steps): stats[0] += loss[0] * b (float, as the CPU
// trainer's loss * count), stats[1] += the number of samples i < b whose logits row z_i has its
// first maximum at labels[i] (Trainer.countCorrect: strict >, so NaN never wins), stats[2] += b.
// z: (>= b, k) (the clean rows first); labels: (b); loss: (3); stats: (3). Launch ONE block.
extern "C" __global__ void train_stats_forward(const float* z, const int* labels, const float* loss, float* stats, int b, int k) {
    double correct = 0.0;
    for (int i = threadIdx.x; i < b; i += blockDim.x) {
        const float* zr = z + (long long)i * k;
        int arg = 0;
        for (int j = 1; j < k; j++) if (zr[j] > zr[arg]) arg = j;
        if (arg == labels[i]) correct += 1.0;
    }
    correct = loss_block_sum(correct);
    if (threadIdx.x == 0) {
        stats[0] += loss[0] * (float)b;
        stats[1] += (float)correct;
        stats[2] += (float)b;
    }
}

// Row softmax, max-subtracted, one warp per row. z, p: (rows, k)
extern "C" __global__ void softmax_forward(const float* z, float* p, int rows, int k) {
    const int lane = threadIdx.x % WARP_SIZE;
    const long long row = global_index_x() / WARP_SIZE;
    if (row >= rows) return;
    const float* zr = z + row * k;
    float mx;
    double s;
    bool finite = true;
    loss_row_stats(zr, k, lane, &mx, &s, &finite);
    for (int j = lane; j < k; j += WARP_SIZE) p[row * k + j] = (float)(exp((double)zr[j] - (double)mx) / s);
}
