package org.augmix4j.train;

import java.nio.FloatBuffer;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Event;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.cuda.PinnedBuffer;
import org.augmix4j.ops.AugmentCuda;
import org.augmix4j.tensor.ImageBatch;

/**
 * Where the GPU engine's batches come from: each call writes the network input of one step,
 * (views * count, 3, H, W) NCHW float = cat([clean, aug1, aug2]) in JSD mode, exactly what
 * {@link AugMix#sampleBatch} writes for the same (seed, epoch, sample indices), into a device buffer.
 *
 * <p>{@link #cpu}: the CPU AugMix pipeline (all cores) into a page-locked buffer, then an asynchronous
 * copy on the compute stream. Two pinned buffers alternate, each guarded by an event, so batch s+1
 * is built on the host while the GPU still runs step s; the host never waits for the GPU except when
 * a pinned buffer's previous copy (two steps back) has not finished.
 *
 * <p>{@link #gpu}: the CUDA AugMix kernel ({@link AugmentCuda}, kernels/augment.cu): the uint8
 * training set is copied to the device once, the epoch's permutation once per epoch, and each step is
 * ONE launch writing the input buffer, with no per-image host work. Its batches equal the CPU
 * pipeline's up to the last bits of the Dirichlet weights (the device's log; within 1e-6).
 */
public interface GpuBatches extends AutoCloseable {
    /**
     * Queues the input of the batch whose entry i is image {@code perm[from + i]} of {@code images}
     * (i &lt; count; Philox sample index = image index, as the CPU engine) into {@code input}.
     */
    void fill(ImageBatch images, int epoch, int[] perm, int from, int count, DeviceBuffer input);

    /** For the log: "CPU AugMix (16 threads) + async upload". */
    String describe();

    @Override
    void close();

    /** The CPU AugMix pipeline with pinned double-buffered uploads. */
    static GpuBatches cpu(Gpu gpu, int height, int width, long seed, AugMixConfig aug, int maxBatch) {
        return new Cpu(gpu, height, width, seed, aug, maxBatch);
    }

    /** The CUDA AugMix kernel, the training set and the epoch's permutation on the device. */
    static GpuBatches gpu(Gpu gpu, long seed, AugMixConfig aug) {
        return new OnDevice(gpu, seed, aug);
    }

    /** {@link #gpu}'s implementation. */
    final class OnDevice implements GpuBatches {
        private final Gpu gpu;
        private final long seed;
        private final AugMixConfig aug;
        private ImageBatch uploaded;
        private AugmentCuda.Images images;
        private int[] permUploaded;
        private DeviceBuffer perm;

        OnDevice(Gpu gpu, long seed, AugMixConfig aug) {
            this.gpu = gpu;
            this.seed = seed;
            this.aug = aug;
        }

        @Override
        public void fill(ImageBatch batch, int epoch, int[] order, int from, int count, DeviceBuffer input) {
            if (batch != uploaded) {  // the training set goes up once (again only if the trainer hands another set)
                if (images != null) images.pixels().close();
                images = AugmentCuda.Images.upload(gpu, batch);
                uploaded = batch;
            }
            if (order != permUploaded) {  // the epoch's permutation goes up once per epoch
                if (perm == null || perm.length() < order.length) {
                    if (perm != null) perm.close();
                    perm = DeviceBuffer.ints(gpu, Math.max(1, order.length));
                }
                perm.copyFrom(order);
                permUploaded = order;
            }
            DeviceBuffer idx = perm.view(from, count);
            AugmentCuda.sampleBatch(images, idx, idx, count, seed, epoch, aug, input);
        }

        @Override
        public String describe() { return "CUDA AugMix kernel (kernels/augment.cu), training set on the GPU as uint8"; }

        @Override
        public void close() {
            if (images != null) images.pixels().close();
            if (perm != null) perm.close();
        }
    }

    /** {@link #cpu}'s implementation. */
    final class Cpu implements GpuBatches {
        private final Gpu gpu;
        private final long seed;
        private final AugMixConfig aug;
        private final int imageFloats;
        private final PinnedBuffer[] pinned = new PinnedBuffer[2];
        private final Event[] copied = new Event[2];
        private final boolean[] used = new boolean[2];
        private float[] host;
        private int next;

        Cpu(Gpu gpu, int height, int width, long seed, AugMixConfig aug, int maxBatch) {
            this.gpu = gpu;
            this.seed = seed;
            this.aug = aug;
            this.imageFloats = 3 * height * width;
            long bytes = 4L * aug.imagesPerSample() * maxBatch * imageFloats;
            for (int i = 0; i < 2; i++) {
                pinned[i] = PinnedBuffer.allocate(gpu, bytes);
                copied[i] = Event.create(gpu, false);
            }
            host = new float[aug.imagesPerSample() * maxBatch * imageFloats];
        }

        @Override
        public void fill(ImageBatch images, int epoch, int[] perm, int from, int count, DeviceBuffer input) {
            if (3 * images.height() * images.width() != imageFloats) throw new IllegalArgumentException("images of another size than this source's");
            int len = aug.imagesPerSample() * count * imageFloats;
            if (len > host.length) throw new IllegalArgumentException("batch of " + count + " is larger than the " + host.length / imageFloats
                    / aug.imagesPerSample() + " this source was made for");
            int[] idx = java.util.Arrays.copyOfRange(perm, from, from + count);
            float[] x = len == host.length ? host : new float[len];
            AugMix.sampleBatch(images, idx, seed, epoch, aug, x);
            int k = next;
            next ^= 1;
            if (used[k]) copied[k].synchronize();  // its previous upload (two steps back) must be done
            FloatBuffer fb = pinned[k].buffer().asFloatBuffer();
            fb.put(x, 0, len);
            input.copyFromAsync(pinned[k], len, gpu.stream());
            copied[k].record(gpu.stream());
            used[k] = true;
        }

        @Override
        public String describe() {
            return "CPU AugMix (" + org.augmix4j.cpu.Parallel.threads() + " threads), pinned double-buffered async upload";
        }

        @Override
        public void close() {
            for (int i = 0; i < 2; i++) {
                if (used[i]) copied[i].synchronize();
                copied[i].close();
                pinned[i].close();
            }
        }
    }
}
