package org.augmix4j.tensor;

import java.util.Arrays;

/**
 * A contiguous float32 tensor in host memory, row-major (NCHW for images, (N, K) for logits).
 *
 * <p>Contract: {@code data.length == product(shape)}; the array is owned by the tensor and may be
 * written in place by ops that document it. No strides, no views with offsets: every op works on
 * flat contiguous arrays with explicit shapes, as llm.c does.
 */
public final class Tensor {
    private final float[] data;
    private final int[] shape;

    private Tensor(float[] data, int[] shape) {
        this.data = data;
        this.shape = shape;
    }

    /** A zero-filled tensor of the given shape. */
    public static Tensor zeros(int... shape) {
        return new Tensor(new float[checkedNumel(shape)], shape.clone());
    }

    /** Wraps {@code data} (not copied) as a tensor of the given shape. */
    public static Tensor of(float[] data, int... shape) {
        int n = checkedNumel(shape);
        if (n != data.length) {
            throw new ShapeException("Tensor.of: " + data.length + " values cannot have shape "
                    + str(shape) + " (" + n + " elements); pass an array of the right length");
        }
        return new Tensor(data, shape.clone());
    }

    /** A tensor with the same shape as {@code like}, zero-filled. */
    public static Tensor zerosLike(Tensor like) {
        return zeros(like.shape);
    }

    public float[] data() { return data; }

    /** The shape (a copy). */
    public int[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    /** Size of dimension {@code i}; negative {@code i} counts from the end. */
    public int dim(int i) { return shape[i < 0 ? shape.length + i : i]; }

    public int numel() { return data.length; }

    /** Same data, another shape with the same element count. */
    public Tensor reshape(int... newShape) {
        int n = checkedNumel(newShape);
        if (n != data.length) {
            throw new ShapeException("reshape: cannot view " + str(shape) + " as " + str(newShape));
        }
        return new Tensor(data, newShape.clone());
    }

    public Tensor copy() { return new Tensor(data.clone(), shape.clone()); }

    public boolean sameShape(Tensor o) { return Arrays.equals(shape, o.shape); }

    public String shapeString() { return str(shape); }

    @Override
    public String toString() { return "Tensor" + str(shape); }

    /** "(N, C, H, W)"-style rendering of a shape, used in every shape error. */
    public static String str(int[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(shape[i]);
        }
        return sb.append(')').toString();
    }

    private static int checkedNumel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new ShapeException("negative dimension in shape " + str(shape));
            n *= d;
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new ShapeException("shape " + str(shape) + " has " + n + " elements, more than a Java array holds");
        }
        return (int) n;
    }
}
