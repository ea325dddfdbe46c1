package org.augmix4j.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrayAdapter;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

/**
 * A DJL NDManager without an engine, for tests on machines that cannot download one: it stores arrays as
 * bytes (DJL's {@link NDArrayAdapter}, the base DJL gives engines with partial operator support) and can
 * create arrays and read them back, nothing else: any operator (softmax, add...) throws
 * UnsupportedOperationException, because the adapter has no engine to delegate it to.
 */
final class EnginelessManager extends BaseNDManager {
    EnginelessManager() { super(null, Device.cpu()); }

    @Override
    public NDArray create(Buffer data, Shape shape, DataType dataType) {
        int n = Math.toIntExact(shape.size()) * dataType.getNumOfBytes();
        ByteBuffer bb = ByteBuffer.allocate(n).order(ByteOrder.nativeOrder());
        Buffer d = data.duplicate();
        switch (dataType) {
            case FLOAT32 -> bb.asFloatBuffer().put((java.nio.FloatBuffer) d);
            case INT32 -> bb.asIntBuffer().put((java.nio.IntBuffer) d);
            case UINT8, INT8 -> bb.put((ByteBuffer) d);
            default -> throw new UnsupportedOperationException("test manager: " + dataType);
        }
        bb.rewind();
        return new Array(this, shape, dataType, bb);
    }

    @Override public ByteBuffer allocateDirect(int capacity) { return ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder()); }
    @Override public NDArray from(NDArray array) { return array; }
    /** Heap arrays need no freeing, and there is no parent manager to detach from. */
    @Override public void close() { }
    @Override public NDManager newSubManager(Device device) { return this; }
    @Override public Engine getEngine() { return NONE; }

    /** The name-and-version identity BaseNDManager asks for; it computes nothing and makes no models or managers. */
    static final Engine NONE = new Engine() {
        @Override public String getVersion() { return "0"; }
        @Override public String getEngineName() { return "none (test)"; }
        @Override public boolean hasCapability(String capability) { return false; }
        @Override public Engine getAlternativeEngine() { return null; }
        @Override public int getRank() { return 0; }
        @Override public ai.djl.Model newModel(String name, Device device) { throw new UnsupportedOperationException("no DJL engine in this test"); }
        @Override public NDManager newBaseManager() { throw new UnsupportedOperationException("no DJL engine in this test"); }
        @Override public NDManager newBaseManager(Device device) { throw new UnsupportedOperationException("no DJL engine in this test"); }
    };

    static final class Array extends NDArrayAdapter {
        private final ByteBuffer data;

        Array(NDManager m, Shape shape, DataType type, ByteBuffer data) {
            super(m, null, shape, type, UUID.randomUUID().toString());
            this.data = data;
        }

        @Override public ByteBuffer toByteBuffer(boolean tryDirect) { return data.duplicate().order(ByteOrder.nativeOrder()); }
        @Override public void intern(NDArray replaced) { throw new UnsupportedOperationException("intern"); }
        @Override public void detach() { }
    }
}
